/**
 * Contract 4's inputs: the retraining settings the schedule passes to the build (TRIGGER, TEST_MODE, SCHEDULED_TIME,
 * RETRAIN_*), the context types the definition renders, and the data window of a scheduled run.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { MAX_WARM_START_PARENTS } from '../definition/metadata';

/** SageMaker's documented warm-start limits (automatic-model-tuning-warm-start.html, "Warm Start Tuning Restrictions"). */
export const WARM_START_LIMITS = {
  maxParents: MAX_WARM_START_PARENTS,
  maxChanges: 10,
  /** Training jobs of all parents plus the new job's maximum. */
  maxTrainingJobs: 500,
  terminal: ['Completed', 'Stopped', 'Failed'] as readonly string[],
  /** Jobs created before this cannot be parents. */
  notBefore: new Date('2018-10-01T00:00:00Z'),
};

export type Trigger = 'push' | 'schedule';

export type WarmStartType = 'IdenticalDataAndAlgorithm' | 'TransferLearning';

export type WarmStart =
  { readonly parents: readonly string[]; readonly type: WarmStartType } | { readonly cold: string };

/** Contract 4: what the definition builder's context may carry for retraining. */
export interface RetrainContext {
  readonly trigger: Trigger;
  readonly testMode: boolean;
  readonly window?: { readonly start: string; readonly end: string };
  readonly warmStart?: Readonly<Record<string, WarmStart>>;
}

export interface RetrainSettings {
  readonly trigger: Trigger;
  readonly testMode: boolean;
  /** The schedule slot (SCHEDULED_TIME); required for a scheduled run. */
  readonly scheduledTime?: Date;
  readonly timeZone: string;
  readonly maxParents: number;
  readonly windowDays: number;
}

export class RetrainSettingsError extends Error {
  override readonly name = 'RetrainSettingsError';
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/;

/** An environment variable: unset or empty takes `fallback`; the check's message names the variable and the value. */
const variable = <T extends string>(fallback: T) =>
  z.pipe(
    z.optional(z.string()),
    z.transform((raw: string | undefined) => (raw === undefined || raw === '' ? fallback : raw)),
  );
const choice = <T extends string>(name: string, values: readonly T[], fallback: T, shown: string) =>
  variable(fallback).check(
    z.refine((value) => (values as readonly string[]).includes(value), {
      error: (issue) => `${name} must be ${shown}, got ${JSON.stringify(issue.input)}`,
    }),
  );
const integer = (name: string, min: number, max: number, fallback: number) =>
  z.pipe(
    variable(String(fallback)).check(
      z.refine((raw) => /^\d+$/.test(raw) && Number(raw) >= min && Number(raw) <= max, {
        error: (issue) => `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(issue.input)}`,
      }),
    ),
    z.transform(Number),
  );
const isTimeZone = (timeZone: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
};

/** The settings in the order a mistake is reported (the first one is): what started the run, then the rest. */
const runKindSchema = z.object({
  TRIGGER: choice<Trigger>('TRIGGER', ['push', 'schedule'], 'push', '"push" or "schedule"'),
  TEST_MODE: choice('TEST_MODE', ['', 'true', 'false'], '', '"true" or "false"'),
});
const scheduledTimeSchema = z.string().check(
  z.refine((slot) => ISO_INSTANT.test(slot) && !Number.isNaN(Date.parse(slot)), {
    error: (issue) =>
      `SCHEDULED_TIME must be the schedule slot as a UTC time like 2026-12-01T03:00:00Z (the schedule passes ` +
      `<aws.scheduler.scheduled-time>; by hand: SCHEDULED_TIME=$(date -u +%FT%TZ)), got ${JSON.stringify(issue.input)}`,
  }),
);
const tuningSchema = z.object({
  RETRAIN_TIME_ZONE: variable('UTC').check(
    z.refine(isTimeZone, {
      error: (issue) => `RETRAIN_TIME_ZONE must be an IANA time zone, got ${JSON.stringify(issue.input)}`,
    }),
  ),
  RETRAIN_MAX_PARENTS: integer('RETRAIN_MAX_PARENTS', 1, WARM_START_LIMITS.maxParents, 1),
  RETRAIN_WINDOW_DAYS: integer('RETRAIN_WINDOW_DAYS', 1, 3650, 30),
});

/** The schema's output, or a RetrainSettingsError with its first problem. */
function parseOrRefuse<S extends z.ZodMiniType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new RetrainSettingsError(result.error.issues[0]?.message ?? 'invalid settings');
  return result.data;
}

/** Reads the retraining settings the schedule passes to the build; a push build sets none of them. */
export function readRetrainSettings(env: NodeJS.ProcessEnv): RetrainSettings {
  const kind = parseOrRefuse(runKindSchema, env);
  const trigger = kind.TRIGGER as Trigger; // the refine checked it
  const testMode = kind.TEST_MODE === 'true';
  if (testMode && trigger !== 'schedule') {
    throw new RetrainSettingsError('TEST_MODE=true applies to scheduled runs only (TRIGGER=schedule)');
  }
  const scheduledTime =
    trigger === 'schedule' ? new Date(parseOrRefuse(scheduledTimeSchema, env.SCHEDULED_TIME ?? '')) : undefined;
  const tuning = parseOrRefuse(tuningSchema, env);
  return {
    trigger,
    testMode,
    scheduledTime,
    timeZone: tuning.RETRAIN_TIME_ZONE,
    maxParents: tuning.RETRAIN_MAX_PARENTS,
    windowDays: tuning.RETRAIN_WINDOW_DAYS,
  };
}

/** The calendar date of `instant` in `timeZone`, as YYYY-MM-DD. */
export function localDate(instant: Date, timeZone: string): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    instant,
  );
}

/** The window of a run: `days` days ending on the run date (in the schedule's time zone); it advances with it. */
export function runWindow(scheduledTime: Date, timeZone: string, days: number): { start: string; end: string } {
  const end = localDate(scheduledTime, timeZone);
  const start = new Date(`${end}T00:00:00Z`);
  start.setUTCDate(start.getUTCDate() - days);
  return { start: start.toISOString().slice(0, 10), end };
}

/** How a scheduled execution is named: one per pipeline and schedule slot, whatever the commit. */
export function scheduledExecution(
  pipelineName: string,
  scheduledTime: Date,
  commit: string,
): { displayName: string; token: string; description: string } {
  const iso = scheduledTime.toISOString().replace(/\.\d+Z$/, 'Z');
  const compact = iso.replace(/[-:]/g, '').replace(/\d\dZ$/, 'Z'); // 20261201T0300Z
  return {
    displayName: `schedule-${compact}`,
    token: createHash('sha256').update(`${pipelineName}\nschedule\n${iso}`, 'utf8').digest('hex'),
    description: `scheduled retraining, slot ${iso}, commit ${commit}`,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Tuned models of a definition
