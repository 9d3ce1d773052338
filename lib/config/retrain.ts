/** Context `retrain`: scheduled retraining of the main branch (docs/retraining.md). */
import * as z from 'zod';
import { show } from './errors';
import { contextBoolean, contextInteger, contextString, fromJson, isUnset } from './values';

/** Scheduled retraining of the main branch (docs/retraining.md). */
export interface RetrainConfig {
  /** An EventBridge Scheduler `cron(...)` (6 fields) or `rate(...)` expression. */
  readonly schedule: string;
  /** IANA time zone the cron expression and the run date are read in. @default 'UTC' */
  readonly timeZone: string;
  /** Each tuned model runs one training job; such versions are never chosen as warm-start parents. @default false */
  readonly testMode: boolean;
  /** How many of the latest Approved versions' tuning jobs warm-start a tuned model (1 to 5). @default 1 */
  readonly maxParents: number;
  /** Length of the date window SQL sources read, ending on the run date. @default 30 */
  readonly windowDays: number;
}

/** The keys of context `retrain`. */
export const RETRAIN_KEYS = ['schedule', 'timeZone', 'testMode', 'maxParents', 'windowDays'] as const;
const CRON_FIELD = /^[-0-9A-Za-z*?,/#]+$/;
const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const EXAMPLE = '{"schedule":"cron(0 3 1 * ? *)"}';
const SCHEDULE_REQUIRED = 'is required: a cron(...) or rate(...) expression, e.g. "cron(0 3 1 * ? *)"';

function isTimeZone(name: string): boolean {
  if (name === 'UTC') return true;
  try {
    // Intl throws a RangeError for a zone it does not know; Scheduler takes IANA names (Area/Location).
    new Intl.DateTimeFormat('en', { timeZone: name });
    return name.includes('/');
  } catch {
    return false;
  }
}

/**
 * What is wrong with an EventBridge Scheduler recurring expression, if anything: cron with six fields (one of
 * day-of-month, day-of-week is `?`), or rate with its unit in the right number.
 */
function scheduleProblem(expression: string): string | undefined {
  const rate = RATE.exec(expression);
  if (rate !== null) {
    const n = Number(rate[1]);
    const unit = rate[2] ?? '';
    if (n < 1) return 'must be a rate of at least 1';
    if (n === 1 && unit.endsWith('s')) return `must use the singular unit with 1 ("rate(1 ${unit.slice(0, -1)})")`;
    if (n > 1 && !unit.endsWith('s')) return `must use the plural unit with ${n} ("rate(${n} ${unit}s)")`;
    return undefined;
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron === null) {
    return 'must be a recurring EventBridge Scheduler expression: "cron(minutes hours day-of-month month day-of-week year)" or "rate(<n> minutes|hours|days)" (one-time "at(...)" schedules do not retrain)';
  }
  const fields = (cron[1] ?? '').trim().split(/\s+/);
  if (fields.length !== 6) {
    return `must have 6 cron fields (minutes hours day-of-month month day-of-week year), not ${fields.length}`;
  }
  if (!fields.every((f) => CRON_FIELD.test(f))) {
    return 'has a cron field with characters other than digits, letters and * ? , - / L #';
  }
  const [, , dayOfMonth, , dayOfWeek] = fields;
  if ((dayOfMonth === '?') === (dayOfWeek === '?'))
    return 'must have "?" in exactly one of day-of-month and day-of-week';
  return undefined;
}

const retrainObject = z.strictObject(
  {
    schedule: z
      .string({ error: SCHEDULE_REQUIRED })
      .refine((schedule) => schedule.trim() !== '', { error: SCHEDULE_REQUIRED, abort: true })
      .superRefine((schedule, context) => {
        const problem = scheduleProblem(schedule);
        if (problem !== undefined) context.addIssue({ code: 'custom', message: `${problem}, got ${show(schedule)}` });
      }),
    timeZone: contextString('UTC').pipe(
      z.string().refine(isTimeZone, {
        error: (issue) => `must be an IANA time zone such as "Europe/Paris" or "UTC", got ${show(issue.input)}`,
      }),
    ),
    testMode: contextBoolean(false),
    maxParents: contextInteger(1, 5, 1),
    windowDays: contextInteger(1, 3650, 30),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `has unknown key ${show(issue.keys[0])}; allowed: ${RETRAIN_KEYS.join(', ')}`
        : `must be an object such as ${EXAMPLE}, got ${show(issue.input)}`,
  },
);

/** Context `retrain`: an object (or its JSON on the command line), or absent / `false` for off. */
export const retrainSchema = z.preprocess(
  (value) => (isUnset(value) || value === false || value === 'false' ? undefined : value),
  fromJson(retrainObject, (raw) => `must be a JSON object such as ${EXAMPLE}, got ${show(raw)}`).optional(),
);
