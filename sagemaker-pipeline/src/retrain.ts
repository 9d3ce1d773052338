/**
 * Scheduled retraining (docs/retraining.md): what a scheduled build of the main branch adds to the definition
 * context (contract 4 in docs/design.md), computed from the build's environment and the model registry.
 *
 * - `trigger`, `testMode` and the date `window` (ending on the run date, in the schedule's time zone) come from the
 *   environment the schedule sets: TRIGGER, TEST_MODE, SCHEDULED_TIME, RETRAIN_TIME_ZONE, RETRAIN_WINDOW_DAYS.
 * - `warmStart`, per tuned model: the parents are the `tuning_job`s recorded on the model's latest Approved versions
 *   (the current one first, up to RETRAIN_MAX_PARENTS), never a `test_mode: true` version's, each checked against
 *   SageMaker's documented warm-start restrictions (DescribeHyperParameterTuningJob). `IdenticalDataAndAlgorithm`
 *   when every parent trained the same commit on the same window with the same image, `TransferLearning`
 *   otherwise; no usable parent means `cold` with the reason.
 * - A scheduled execution is named after its schedule slot (`schedule-<UTC time>`), so a retried schedule starts one
 *   execution per slot while a push keeps one per commit.
 *
 * The definition builder renders the context (WarmStartConfig with `warmStartConfigOf`, test mode, metadata with
 * `warmStartRecord`, both in definition.ts); this module renders nothing.
 */
import { createHash } from 'node:crypto';
import {
  DescribeHyperParameterTuningJobCommand,
  DescribeHyperParameterTuningJobResponse,
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  ListTagsCommand,
  ModelApprovalStatus,
  SageMakerClient,
  paginateListModelPackages,
} from '@aws-sdk/client-sagemaker';
import { isAccessDenied } from '../../contracts/sdk-errors/match';
import { isSageMakerNotFound } from '../../contracts/sdk-errors/sagemaker';
import { TAG_PROJECT_ID } from '../../contracts/naming';
import { MAX_WARM_START_PARENTS } from './definition';

/** What this module calls, as IAM actions, for the build role's policy (lib/constructs/retrain-schedule.ts). */
export const RETRAIN_PERMISSIONS = {
  /** No resource-level permissions: `*`. */
  list: ['sagemaker:ListModelPackages'],
  /** On the project's model package groups. */
  group: ['sagemaker:DescribeModelPackageGroup', 'sagemaker:ListTags'],
  /** On the versions of the project's groups. */
  version: ['sagemaker:DescribeModelPackage'],
  /** On the parent tuning jobs. */
  tuningJob: ['sagemaker:DescribeHyperParameterTuningJob'],
} as const;

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

function intFrom(env: NodeJS.ProcessEnv, name: string, min: number, max: number, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new RetrainSettingsError(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

/** Reads the retraining settings the schedule passes to the build; a push build sets none of them. */
export function readRetrainSettings(env: NodeJS.ProcessEnv): RetrainSettings {
  const trigger = env.TRIGGER === undefined || env.TRIGGER === '' ? 'push' : env.TRIGGER;
  if (trigger !== 'push' && trigger !== 'schedule') {
    throw new RetrainSettingsError(`TRIGGER must be "push" or "schedule", got ${JSON.stringify(trigger)}`);
  }
  const testModeRaw = env.TEST_MODE ?? '';
  if (!['', 'true', 'false'].includes(testModeRaw)) {
    throw new RetrainSettingsError(`TEST_MODE must be "true" or "false", got ${JSON.stringify(testModeRaw)}`);
  }
  const testMode = testModeRaw === 'true';
  if (testMode && trigger !== 'schedule') {
    throw new RetrainSettingsError('TEST_MODE=true applies to scheduled runs only (TRIGGER=schedule)');
  }
  let scheduledTime: Date | undefined;
  const slot = env.SCHEDULED_TIME ?? '';
  if (trigger === 'schedule') {
    if (!ISO_INSTANT.test(slot) || Number.isNaN(Date.parse(slot))) {
      throw new RetrainSettingsError(
        `SCHEDULED_TIME must be the schedule slot as a UTC time like 2026-12-01T03:00:00Z (the schedule passes ` +
          `<aws.scheduler.scheduled-time>; by hand: SCHEDULED_TIME=$(date -u +%FT%TZ)), got ${JSON.stringify(slot)}`,
      );
    }
    scheduledTime = new Date(slot);
  }
  const timeZone = env.RETRAIN_TIME_ZONE === undefined || env.RETRAIN_TIME_ZONE === '' ? 'UTC' : env.RETRAIN_TIME_ZONE;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new RetrainSettingsError(`RETRAIN_TIME_ZONE must be an IANA time zone, got ${JSON.stringify(timeZone)}`);
  }
  return {
    trigger,
    testMode,
    scheduledTime,
    timeZone,
    maxParents: intFrom(env, 'RETRAIN_MAX_PARENTS', 1, WARM_START_LIMITS.maxParents, 1),
    windowDays: intFrom(env, 'RETRAIN_WINDOW_DAYS', 1, 3650, 30),
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

/** A tuned model as the definition declares it: its Tuning step's request and where it registers. */
export interface TunedModelPlan {
  /** `model_name` of its RegisterModel step. */
  readonly model: string;
  readonly groupName: string;
  readonly stepName: string;
  /** The Tuning step's Arguments (CreateHyperParameterTuningJob, values possibly pipeline expressions). */
  readonly request: TuningRequest;
}

/** The parts of a CreateHyperParameterTuningJob request warm start depends on. Values may be expressions. */
export interface TuningRequest {
  readonly HyperParameterTuningJobConfig?: {
    readonly HyperParameterTuningJobObjective?: { readonly Type?: unknown; readonly MetricName?: unknown };
    readonly ResourceLimits?: {
      readonly MaxNumberOfTrainingJobs?: unknown;
      readonly MaxParallelTrainingJobs?: unknown;
    };
    readonly ParameterRanges?: ParameterRangesLike;
  };
  readonly TrainingJobDefinition?: {
    readonly StaticHyperParameters?: Readonly<Record<string, unknown>>;
    readonly AlgorithmSpecification?: { readonly TrainingImage?: unknown; readonly AlgorithmName?: unknown };
  };
  readonly TrainingJobDefinitions?: readonly unknown[];
}

interface ParameterRangesLike {
  readonly IntegerParameterRanges?: readonly { readonly Name?: unknown }[];
  readonly ContinuousParameterRanges?: readonly { readonly Name?: unknown }[];
  readonly CategoricalParameterRanges?: readonly { readonly Name?: unknown; readonly Values?: readonly unknown[] }[];
}

interface StepLike {
  readonly Name?: unknown;
  readonly Type?: unknown;
  readonly Arguments?: Record<string, unknown>;
}

function allSteps(steps: readonly unknown[]): StepLike[] {
  return steps.flatMap((raw) => {
    const step = raw as StepLike;
    if (step.Type !== 'Condition') return [step];
    const args = step.Arguments ?? {};
    return [step, ...allSteps((args.IfSteps as unknown[]) ?? []), ...allSteps((args.ElseSteps as unknown[]) ?? [])];
  });
}

/**
 * The tuned models of a definition: each Tuning step, paired with the RegisterModel step whose `tuning_job` metadata
 * (contract 2) reads that step's properties.
 */
export function tunedModelsOf(definition: { readonly Steps?: readonly unknown[] }): TunedModelPlan[] {
  const steps = allSteps(definition.Steps ?? []);
  const registers = steps.filter((s) => s.Type === 'RegisterModel');
  return steps
    .filter((s) => s.Type === 'Tuning' && typeof s.Name === 'string')
    .map((tuning) => {
      const stepName = tuning.Name as string;
      const register = registers.find((r) => {
        const meta = (r.Arguments?.CustomerMetadataProperties ?? {}) as Record<string, unknown>;
        return JSON.stringify(meta.tuning_job ?? null).includes(`Steps.${stepName}.`);
      });
      const args = register?.Arguments ?? {};
      const meta = (args.CustomerMetadataProperties ?? {}) as Record<string, unknown>;
      if (
        register === undefined ||
        typeof meta.model_name !== 'string' ||
        typeof args.ModelPackageGroupName !== 'string'
      ) {
        throw new Error(
          `Tuning step ${stepName} has no RegisterModel step recording its tuning_job with a literal model_name and ` +
            'ModelPackageGroupName (metadata contract): cannot look up its warm-start parents',
        );
      }
      return {
        model: meta.model_name,
        groupName: args.ModelPackageGroupName,
        stepName,
        request: (tuning.Arguments ?? {}) as TuningRequest,
      };
    });
}

// ---------------------------------------------------------------------------------------------------------------
// Compatibility of a parent tuning job (SageMaker's documented restrictions)

type RangeType = 'Integer' | 'Continuous' | 'Categorical';

interface HyperParameterShape {
  readonly tunable: Map<string, { type: RangeType; values: number }>;
  readonly fixed: Map<string, string>;
}

function shapeOf(ranges: ParameterRangesLike | undefined, statics: Readonly<Record<string, unknown>> | undefined) {
  const tunable = new Map<string, { type: RangeType; values: number }>();
  const add = (list: readonly { Name?: unknown; Values?: readonly unknown[] }[] | undefined, type: RangeType) => {
    for (const r of list ?? []) tunable.set(String(r.Name), { type, values: r.Values?.length ?? 1 });
  };
  add(ranges?.IntegerParameterRanges, 'Integer');
  add(ranges?.ContinuousParameterRanges, 'Continuous');
  add(ranges?.CategoricalParameterRanges, 'Categorical');
  const fixed = new Map<string, string>();
  for (const [k, v] of Object.entries(statics ?? {})) fixed.set(k, typeof v === 'string' ? v : JSON.stringify(v));
  return { tunable, fixed } satisfies HyperParameterShape;
}

const literal = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Why `parent` cannot warm-start `request`, or undefined when it can. */
export function incompatibility(
  parent: DescribeHyperParameterTuningJobResponse,
  request: TuningRequest,
): string | undefined {
  const name = parent.HyperParameterTuningJobName ?? '?';
  const status = parent.HyperParameterTuningJobStatus ?? 'Unknown';
  if (!WARM_START_LIMITS.terminal.includes(status)) return `tuning job ${name} is not terminal (${status})`;
  if (parent.CreationTime !== undefined && parent.CreationTime < WARM_START_LIMITS.notBefore) {
    return `tuning job ${name} was created before 2018-10-01`;
  }
  if (parent.TrainingJobDefinition === undefined) {
    return `tuning job ${name} has several training job definitions`;
  }
  const was = parent.HyperParameterTuningJobConfig?.HyperParameterTuningJobObjective;
  const now = request.HyperParameterTuningJobConfig?.HyperParameterTuningJobObjective;
  if (was?.MetricName !== now?.MetricName || was?.Type !== now?.Type) {
    return (
      `tuning job ${name} has a different objective (${was?.Type} ${was?.MetricName}, now ` +
      `${String(now?.Type)} ${literal(now?.MetricName) ?? JSON.stringify(now?.MetricName)})`
    );
  }
  const before = shapeOf(
    parent.HyperParameterTuningJobConfig?.ParameterRanges,
    parent.TrainingJobDefinition.StaticHyperParameters,
  );
  const after = shapeOf(
    request.HyperParameterTuningJobConfig?.ParameterRanges,
    request.TrainingJobDefinition?.StaticHyperParameters,
  );
  const namesBefore = new Set([...before.tunable.keys(), ...before.fixed.keys()]);
  const namesAfter = new Set([...after.tunable.keys(), ...after.fixed.keys()]);
  const added = [...namesAfter].filter((n) => !namesBefore.has(n)).sort();
  const removed = [...namesBefore].filter((n) => !namesAfter.has(n)).sort();
  if (added.length > 0 || removed.length > 0) {
    const parts = [
      added.length > 0 ? `added ${added.join(', ')}` : '',
      removed.length > 0 ? `removed ${removed.join(', ')}` : '',
    ].filter(Boolean);
    return `tuning job ${name} has other hyperparameter names (${parts.join('; ')})`;
  }
  for (const [hp, range] of after.tunable) {
    const old = before.tunable.get(hp);
    if (old !== undefined && old.type !== range.type) {
      return `tuning job ${name} tuned ${hp} as ${old.type}, now ${range.type}`;
    }
  }
  // Tunable → static counts its values (a categorical counts each value); each changed static value counts once.
  let changes = 0;
  for (const [hp, old] of before.tunable)
    if (after.fixed.has(hp)) changes += old.type === 'Categorical' ? old.values : 1;
  for (const [hp, value] of before.fixed) {
    const next = after.fixed.get(hp);
    if (next !== undefined && next !== value) changes += 1;
  }
  if (changes > WARM_START_LIMITS.maxChanges) {
    return `tuning job ${name} differs in ${changes} static hyperparameter changes (at most ${WARM_START_LIMITS.maxChanges})`;
  }
  return undefined;
}

/** How many training jobs a tuning job launched (they count against the 500 of a warm-started job). */
export function trainingJobsOf(parent: DescribeHyperParameterTuningJobResponse): number {
  const c = parent.TrainingJobStatusCounters ?? {};
  return (
    (c.Completed ?? 0) + (c.InProgress ?? 0) + (c.RetryableError ?? 0) + (c.NonRetryableError ?? 0) + (c.Stopped ?? 0)
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Choosing the parents from the registry

export interface RunFacts {
  /** The commit this run trains. */
  readonly commit: string;
  /** The run's window when the definition's data depends on it (a windowed SQL source); else undefined. */
  readonly window?: { readonly start: string; readonly end: string };
  /** The project's id: a group is read only when its sagemaker:project-id tag is this. */
  readonly projectId?: string;
  readonly maxParents: number;
}

/** SageMaker's HyperParameterTuningJobName pattern (1 to 32 characters). */
const TUNING_JOB_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}$/;

/** Versions described at most per model (the latest Approved first). */
export const MAX_VERSIONS_INSPECTED = 25;
/** Metadata values are at most 256 characters; the reason goes into `warm_start: cold: <reason>`. */
const MAX_REASON = 240;

const cold = (reason: string): WarmStart => ({
  cold: reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 3)}...` : reason,
});

interface Candidate {
  readonly version: number | undefined;
  readonly job: DescribeHyperParameterTuningJobResponse;
  readonly sameData: boolean;
}

/** The warm start of one tuned model, and notes on each version passed over. */
export async function chooseWarmStart(
  sagemaker: SageMakerClient,
  plan: TunedModelPlan,
  facts: RunFacts,
): Promise<{ warmStart: WarmStart; notes: string[] }> {
  const notes: string[] = [];
  let groupArn: string | undefined;
  try {
    const group = await sagemaker.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: plan.groupName }));
    groupArn = group.ModelPackageGroupArn;
  } catch (err) {
    // The build reads only its project's groups (or untagged ones): refused means another project's group.
    if (isAccessDenied(err)) {
      return { warmStart: cold(`group ${plan.groupName} is not this project's (its tags are not readable)`), notes };
    }
    if (!isSageMakerNotFound(err)) throw err;
    return { warmStart: cold(`first run: model package group ${plan.groupName} does not exist yet`), notes };
  }
  if (facts.projectId === undefined) {
    return {
      warmStart: cold(`project id unknown (PROJECT_ID): cannot check that ${plan.groupName} is this project's`),
      notes,
    };
  }
  const tags = await sagemaker.send(new ListTagsCommand({ ResourceArn: groupArn }));
  const owner = tags.Tags?.find((t) => t.Key === TAG_PROJECT_ID)?.Value;
  if (owner !== facts.projectId) {
    return {
      warmStart: cold(
        `group ${plan.groupName} is not this project's (${TAG_PROJECT_ID} ${JSON.stringify(owner ?? null)})`,
      ),
      notes,
    };
  }

  const request = plan.request;
  const newImage = literal(request.TrainingJobDefinition?.AlgorithmSpecification?.TrainingImage);
  const newParallel = request.HyperParameterTuningJobConfig?.ResourceLimits?.MaxParallelTrainingJobs;
  const newMax = Number(request.HyperParameterTuningJobConfig?.ResourceLimits?.MaxNumberOfTrainingJobs ?? 0) || 0;
  const candidates: Candidate[] = [];
  const seenJobs = new Set<string>();
  let approved = 0;
  let inspected = 0;
  const pages = paginateListModelPackages(
    { client: sagemaker, pageSize: 20 },
    {
      ModelPackageGroupName: plan.groupName,
      ModelApprovalStatus: ModelApprovalStatus.APPROVED,
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
    },
  );
  scan: for await (const page of pages) {
    for (const summary of page.ModelPackageSummaryList ?? []) {
      if (candidates.length >= facts.maxParents || inspected >= MAX_VERSIONS_INSPECTED) break scan;
      if (summary.ModelApprovalStatus !== ModelApprovalStatus.APPROVED || summary.ModelPackageArn === undefined)
        continue;
      approved += 1;
      inspected += 1;
      const label = `version ${summary.ModelPackageVersion ?? summary.ModelPackageArn}`;
      const pkg = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: summary.ModelPackageArn }));
      const meta = pkg.CustomerMetadataProperties ?? {};
      if (meta.test_mode === 'true') {
        notes.push(`${label}: trained in test mode, never a parent`);
        continue;
      }
      const jobName = meta.tuning_job;
      if (jobName === undefined || jobName === '') {
        notes.push(`${label}: records no tuning_job (not tuned)`);
        continue;
      }
      if (!TUNING_JOB_NAME.test(jobName)) {
        notes.push(`${label}: records tuning_job ${JSON.stringify(jobName.slice(0, 64))}, not a tuning job name`);
        continue;
      }
      if (seenJobs.has(jobName)) continue;
      seenJobs.add(jobName);
      let job: DescribeHyperParameterTuningJobResponse;
      try {
        job = await sagemaker.send(
          new DescribeHyperParameterTuningJobCommand({ HyperParameterTuningJobName: jobName }),
        );
      } catch (err) {
        if (isAccessDenied(err)) {
          // The build reads only tuning jobs tagged with its project id (the definition's Tuning steps set it).
          notes.push(`${label}: tuning job ${jobName} is not this project's`);
          continue;
        }
        if (!isSageMakerNotFound(err)) throw err;
        notes.push(`${label}: tuning job ${jobName} does not exist`);
        continue;
      }
      const why = incompatibility(job, request);
      if (why !== undefined) {
        notes.push(`${label}: ${why}`);
        continue;
      }
      const parentWindow =
        meta.window_start !== undefined || meta.window_end !== undefined
          ? { start: meta.window_start, end: meta.window_end }
          : undefined;
      const sameWindow =
        facts.window === undefined ||
        (parentWindow?.start === facts.window.start && parentWindow.end === facts.window.end);
      const parentLimits = job.HyperParameterTuningJobConfig?.ResourceLimits;
      const sameData =
        meta.commit_id === facts.commit &&
        sameWindow &&
        newImage !== undefined &&
        job.TrainingJobDefinition?.AlgorithmSpecification?.TrainingImage === newImage &&
        parentLimits?.MaxParallelTrainingJobs === newParallel;
      candidates.push({ version: summary.ModelPackageVersion, job, sameData });
    }
  }

  // The parents' training jobs and the new job's maximum must fit SageMaker's 500: drop the oldest parents.
  while (
    candidates.length > 0 &&
    candidates.reduce((n, c) => n + trainingJobsOf(c.job), 0) + newMax > WARM_START_LIMITS.maxTrainingJobs
  ) {
    const dropped = candidates.pop();
    notes.push(
      `tuning job ${dropped?.job.HyperParameterTuningJobName}: over the ${WARM_START_LIMITS.maxTrainingJobs} training jobs of a warm start`,
    );
  }
  if (candidates.length === 0) {
    if (approved === 0) return { warmStart: cold(`first run: no Approved version in ${plan.groupName}`), notes };
    return { warmStart: cold(`no warm-startable parent: ${notes.join('; ')}`), notes };
  }
  return {
    warmStart: {
      parents: candidates.map((c) => c.job.HyperParameterTuningJobName ?? ''),
      type: candidates.every((c) => c.sameData) ? 'IdenticalDataAndAlgorithm' : 'TransferLearning',
    },
    notes,
  };
}

/** The context of a run before warm start: a push gets `trigger: push`; a scheduled run its test mode and window. */
export function baseRetrainContext(settings: RetrainSettings): RetrainContext {
  if (settings.trigger === 'push') return { trigger: 'push', testMode: false };
  if (settings.scheduledTime === undefined) throw new RetrainSettingsError('a scheduled run needs SCHEDULED_TIME');
  return {
    trigger: 'schedule',
    testMode: settings.testMode,
    window: runWindow(settings.scheduledTime, settings.timeZone, settings.windowDays),
  };
}

/** The warm start of every tuned model, with a line per model (and per version passed over) for the build log. */
export async function warmStartsFor(
  sagemaker: SageMakerClient,
  plans: readonly TunedModelPlan[],
  facts: RunFacts,
): Promise<{ warmStart: Record<string, WarmStart>; notes: string[] }> {
  const notes: string[] = [];
  const warmStart: Record<string, WarmStart> = {};
  for (const plan of plans) {
    const chosen = await chooseWarmStart(sagemaker, plan, facts);
    warmStart[plan.model] = chosen.warmStart;
    notes.push(...chosen.notes.map((n) => `model ${plan.model}: ${n}`));
    notes.push(
      'cold' in chosen.warmStart
        ? `model ${plan.model}: cold start: ${chosen.warmStart.cold}`
        : `model ${plan.model}: warm start (${chosen.warmStart.type}) from ${chosen.warmStart.parents.join(', ')}`,
    );
  }
  return { warmStart, notes };
}

/**
 * Whether a definition's data depends on the run's window: the builder rendered its dates into a step other than
 * RegisterModel (a scheduled run records `window_start`/`window_end` on every version, whatever its data).
 */
export function dependsOnWindow(
  definition: { readonly Steps?: readonly unknown[] },
  window: { start: string; end: string } | undefined,
): boolean {
  if (window === undefined) return false;
  const dataSteps = allSteps(definition.Steps ?? []).filter(
    (s) => s.Type !== 'Condition' && s.Type !== 'RegisterModel',
  );
  const text = JSON.stringify(dataSteps);
  return text.includes(window.start) && text.includes(window.end);
}

export interface PlannedRun<D> {
  readonly definition: D;
  readonly context: RetrainContext;
  /** How to name a scheduled execution; undefined for a push (one execution per commit). */
  readonly execution?: { displayName: string; token: string; description: string };
  readonly notes: readonly string[];
}

/**
 * The wiring the run command calls: builds the definition with the retraining context. A scheduled run builds it
 * once cold to find its tuned models, chooses their parents in the registry, and builds it again with `warmStart`.
 */
export async function planRun<D extends { readonly Steps?: readonly unknown[] }>(
  build: (context: RetrainContext) => D,
  settings: RetrainSettings,
  run: { readonly commit: string; readonly projectId?: string; readonly pipelineName: string },
  sagemaker: () => SageMakerClient,
): Promise<PlannedRun<D>> {
  const base = baseRetrainContext(settings);
  if (base.trigger === 'push' || settings.scheduledTime === undefined) {
    return { definition: build(base), context: base, notes: [] };
  }
  const execution = scheduledExecution(run.pipelineName, settings.scheduledTime, run.commit);
  const coldDefinition = build(base);
  const plans = tunedModelsOf(coldDefinition);
  if (plans.length === 0) {
    return { definition: coldDefinition, context: base, execution, notes: ['no tuned model: nothing to warm-start'] };
  }
  const { warmStart, notes } = await warmStartsFor(sagemaker(), plans, {
    commit: run.commit,
    projectId: run.projectId,
    maxParents: settings.maxParents,
    window: dependsOnWindow(coldDefinition, base.window) ? base.window : undefined,
  });
  const context: RetrainContext = { ...base, warmStart };
  return { definition: build(context), context, execution, notes };
}
