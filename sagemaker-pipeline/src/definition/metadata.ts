/**
 * The model package metadata a RegisterModel step writes (contract 2, keys in contracts/model-metadata.ts), and the
 * warm-start record of contract 4.
 */
import type { HyperParameterTuningJobWarmStartConfig } from '@aws-sdk/client-sagemaker';
import { branchTagValue } from '../../../contracts/naming';
import { METADATA_DISALLOWED, METADATA_VALUE_MAX, MODEL_METADATA } from '../../../contracts/model-metadata';
import { Get, Join, execution, get } from '../expressions';
import type { WarmStart } from '../retrain/settings';
import { CompiledSource } from '../sources';
import { ModelPlan } from './plan';
import { RunContext } from './types';

/**
 * Room kept for the execution id when deciding whether `pipeline_execution_arn` fits SageMaker's 256-character
 * metadata limit (SageMaker's execution ids are 12 characters; the margin keeps the guarantee if that grows).
 */
export const EXECUTION_ID_ROOM = 32;

export { METADATA_VALUE_MAX };

/** The branch as the model package records it: `branchTagValue(branch)` (see docs/design.md). */
export function recordedBranch(branch: string): string {
  return branchTagValue(branch);
}

/** SageMaker's limit on the parents of a warm-started tuning job (HyperParameterTuningJobWarmStartConfig). */
export const MAX_WARM_START_PARENTS = 5;

/**
 * The WarmStartConfig of a tuned model's Tuning step for its context entry (contract 4): none when the model runs
 * cold or has no entry, never an empty one; 1 to 5 parents or an error.
 */
export function warmStartConfigOf(
  warmStart: WarmStart | undefined,
): HyperParameterTuningJobWarmStartConfig | undefined {
  if (warmStart === undefined || 'cold' in warmStart) return undefined;
  if (warmStart.parents.length < 1 || warmStart.parents.length > MAX_WARM_START_PARENTS) {
    throw new Error(
      `a warm start needs 1 to ${MAX_WARM_START_PARENTS} parent tuning jobs, got ${warmStart.parents.length}: ` +
        'give the model { cold: <reason> } instead of an empty list',
    );
  }
  return {
    ParentHyperParameterTuningJobs: warmStart.parents.map((name) => ({ HyperParameterTuningJobName: name })),
    WarmStartType: warmStart.type,
  };
}

/** The `warm_start` metadata value (contract 2): the parent job names separated by spaces, or `cold: <reason>`. */
export function warmStartRecord(warmStart: WarmStart): string {
  return metadataValue('parents' in warmStart ? warmStart.parents.join(' ') : `cold: ${warmStart.cold}`);
}

/** SageMaker's partition of a region. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  return 'aws';
}

/**
 * Whether every execution ARN of this pipeline fits a customer metadata value (256 characters): SageMaker builds
 * it as `arn:<partition>:sagemaker:<region>:<account>:pipeline/<lower-case name>/execution/<id>`.
 */
export function executionArnFits(ctx: Pick<RunContext, 'region' | 'roleArn' | 'pipelineName'>): boolean {
  const account = /:iam::(\d{12}):/.exec(ctx.roleArn)?.[1] ?? '000000000000';
  const prefix = `arn:${partitionOf(ctx.region)}:sagemaker:${ctx.region}:${account}:pipeline/${ctx.pipelineName.toLowerCase()}/execution/`;
  return prefix.length + EXECUTION_ID_ROOM <= METADATA_VALUE_MAX;
}

/** A customer metadata value SageMaker accepts: its characters (others become `-`), at most 256. */
export function metadataValue(text: string): string {
  return text.replace(METADATA_DISALLOWED, '-').slice(0, METADATA_VALUE_MAX) || '-';
}

/**
 * Contract 2: the customer metadata of a model's version. `sources` are the data entries the model reads, in file
 * order: when several add the same key (two `sql:` sources feeding one model), the first one's value is recorded.
 */
export function customerMetadata(plan: ModelPlan, ctx: RunContext, sources: readonly CompiledSource[]) {
  const warm = ctx.warmStart?.[plan.model.name];
  const metadata: Record<string, string | Get | Join> = {};
  for (const source of [...sources].reverse()) Object.assign(metadata, source.metadata ?? {});
  Object.assign(metadata, {
    [MODEL_METADATA.commitId]: ctx.commit,
    [MODEL_METADATA.branch]: recordedBranch(ctx.branch),
    [MODEL_METADATA.pipelineExecutionId]: execution('PipelineExecutionId'),
    ...(executionArnFits(ctx) ? { [MODEL_METADATA.pipelineExecutionArn]: execution('PipelineExecutionArn') } : {}),
    [MODEL_METADATA.modelName]: plan.model.name,
    ...(plan.tuned ? { [MODEL_METADATA.tuningJob]: get(`Steps.${plan.train}.HyperParameterTuningJobName`) } : {}),
    [MODEL_METADATA.trigger]: ctx.trigger ?? 'push',
    [MODEL_METADATA.testMode]: ctx.testMode === true ? 'true' : 'false',
    ...(ctx.window
      ? {
          [MODEL_METADATA.windowStart]: metadataValue(ctx.window.start),
          [MODEL_METADATA.windowEnd]: metadataValue(ctx.window.end),
        }
      : {}),
    ...(plan.tuned && warm !== undefined ? { [MODEL_METADATA.warmStart]: warmStartRecord(warm) } : {}),
  });
  return metadata;
}
