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
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { RunFacts, chooseWarmStart } from './retrain/parents';
import {
  RetrainContext,
  RetrainSettings,
  RetrainSettingsError,
  WarmStart,
  runWindow,
  scheduledExecution,
} from './retrain/settings';
import { TunedModelPlan, allSteps, tunedModelsOf } from './retrain/tuning';

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

export * from './retrain/settings';
export * from './retrain/tuning';
export * from './retrain/parents';
