/**
 * Branch function: keeps one pipeline stack per experiment branch (CodeCommit reference events and the reconcile
 * schedule). Thin handler: configuration, SDK clients and metrics once per cold start, the logic in
 * branch-pipeline.ts; each invocation's metrics from its result.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CodeCommitClient } from '@aws-sdk/client-codecommit';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { MetricPoint, withMetrics } from '../shared/metrics';
import { createTelemetry } from '../shared/telemetry';
import { BranchPipelineResult, handleBranchPipelineEvent } from './branch-pipeline';
import { loadBranchPipelineConfig } from './config';

const config = loadBranchPipelineConfig();
const { logger, metrics } = createTelemetry('branch-pipeline', config);
const cloudformation = new CloudFormationClient({});
const codecommit = new CodeCommitClient({});
const sagemaker = new SageMakerClient({});

/** The part of the Lambda context the function uses. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

export async function handler(event: unknown, context?: InvocationContext): Promise<BranchPipelineResult> {
  return withMetrics(
    metrics,
    () =>
      handleBranchPipelineEvent(event, {
        config,
        logger,
        cloudformation,
        codecommit,
        sagemaker,
        remainingTimeMs: context ? () => context.getRemainingTimeInMillis() : undefined,
      }),
    branchPipelineMetrics,
  );
}

/** The reason branch-pipeline.ts gives for a branch refused at maxBranchPipelines. */
const REFUSED_AT_LIMIT = /^branch pipeline limit \d+ reached$/;

/**
 * `BranchPipelinesCreated` / `Recreated` / `Deleted` (deletions started) / `Refused` (at maxBranchPipelines), and
 * after a reconcile, `BranchPipelines`: the branch stacks the project has now.
 */
export function branchPipelineMetrics(result: BranchPipelineResult): MetricPoint[] {
  const counts: Record<string, number> = {};
  const count = (name: string, n = 1) => {
    if (n > 0) counts[name] = (counts[name] ?? 0) + n;
  };
  switch (result.action) {
    case 'ignored':
      if (REFUSED_AT_LIMIT.test(result.reason)) count('BranchPipelinesRefused');
      break;
    case 'create':
    case 'heal':
      if (result.stack === 'created') count('BranchPipelinesCreated');
      if (result.stack === 'recreated') count('BranchPipelinesRecreated');
      break;
    case 'delete':
      if (result.stack === 'deleting') count('BranchPipelinesDeleted');
      break;
    case 'reconcile':
      count('BranchPipelinesCreated', result.created.length);
      count('BranchPipelinesRecreated', result.recreated.length);
      count('BranchPipelinesDeleted', result.deleted.length);
      count('BranchPipelinesRefused', result.refused.length);
      break;
    case 'lifecycle':
      if (result.status === 'SUCCESS') count('BranchPipelinesDeleted', result.removed.length);
      break;
  }
  const points: MetricPoint[] = Object.entries(counts).map(([name, value]) => ({ name, value }));
  if (result.action === 'reconcile') {
    // A reconcile that returns healed everything: every wanted branch's stack and every kept one exists.
    const current = result.created.length + result.recreated.length + result.unchanged.length + result.kept.length;
    points.push({ name: 'BranchPipelines', value: current });
  }
  return points;
}
