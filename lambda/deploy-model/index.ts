/**
 * Deploy function of a serving stage: keeps each served model's current approved version on the stage's
 * multi-model endpoint. Thin handler: configuration, SDK clients and metrics once per cold start, the logic in
 * deploy.ts; each invocation's metrics from its result.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SSMClient } from '@aws-sdk/client-ssm';
import { MetricPoint, withMetrics } from '../shared/metrics';
import { createTelemetry } from '../shared/telemetry';
import { loadDeployConfig } from './config';
import { DeployResult, handleDeployEvent } from './deploy';
import { REJECTED } from './resolve';

const config = loadDeployConfig();
const { logger, metrics } = createTelemetry('deploy-model', config);
const sagemaker = new SageMakerClient({});
const s3 = new S3Client({});
const ssm = new SSMClient({});

export async function handler(event: unknown): Promise<DeployResult> {
  return withMetrics(
    metrics,
    () => handleDeployEvent(event, { config, logger, sagemaker, s3, ssm }),
    (result) => deployMetrics(result, approvalStatusOf(event)),
  );
}

/** The event's `detail.ModelApprovalStatus` (the event was parsed by then: the handler returned a result). */
function approvalStatusOf(event: unknown): unknown {
  const detail = (event as { detail?: { ModelApprovalStatus?: unknown } } | null)?.detail;
  return detail?.ModelApprovalStatus;
}

/**
 * `ModelPromotions`: the stage serves a newer version (an approval); `ModelRollbacks`: the stage serves an earlier
 * version again (the served one was rejected); `ModelsWithdrawn`: no approved version is left, nothing is served.
 */
export function deployMetrics(result: DeployResult, approvalStatus: unknown): MetricPoint[] {
  if (result.outcome === 'withdrawn') return [{ name: 'ModelsWithdrawn', value: 1 }];
  if (result.outcome !== 'promoted') return [];
  return [{ name: approvalStatus === REJECTED ? 'ModelRollbacks' : 'ModelPromotions', value: 1 }];
}
