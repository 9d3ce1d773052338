/** The tuned models of a definition, and whether a parent tuning job is compatible (SageMaker's warm-start rules). */
import { DescribeHyperParameterTuningJobResponse } from '@aws-sdk/client-sagemaker';
import { MODEL_METADATA } from '../../../contracts/model-metadata';
import { WARM_START_LIMITS } from './settings';

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

export function allSteps(steps: readonly unknown[]): StepLike[] {
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
        return JSON.stringify(meta[MODEL_METADATA.tuningJob] ?? null).includes(`Steps.${stepName}.`);
      });
      const args = register?.Arguments ?? {};
      const meta = (args.CustomerMetadataProperties ?? {}) as Record<string, unknown>;
      const model = meta[MODEL_METADATA.modelName];
      if (register === undefined || typeof model !== 'string' || typeof args.ModelPackageGroupName !== 'string') {
        throw new Error(
          `Tuning step ${stepName} has no RegisterModel step recording its tuning_job with a literal model_name and ` +
            'ModelPackageGroupName (metadata contract): cannot look up its warm-start parents',
        );
      }
      return {
        model,
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

export const literal = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

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
