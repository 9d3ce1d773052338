/**
 * Release function `release-model-package-<project>`: approves the model versions trained from a reviewed, merged
 * commit. Thin handler: configuration and SDK clients once per cold start, the routing in release.ts.
 */
import { CodeCommitClient } from '@aws-sdk/client-codecommit';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { MetricPoint, withMetrics } from '../shared/metrics';
import { createTelemetry } from '../shared/telemetry';
import { loadReleaseConfig } from './config';
import { handleReleaseEvent, ReleaseResult } from './release';

const config = loadReleaseConfig();
const { logger, metrics } = createTelemetry('release-model', config);
const sagemaker = new SageMakerClient({});
const dynamodb = new DynamoDBClient({});
const codecommit = new CodeCommitClient({});
// Emulators (AWS_ENDPOINT_URL in tests) serve buckets by path, not by virtual host.
const s3 = new S3Client(process.env.AWS_ENDPOINT_URL ? { forcePathStyle: true } : {});

export async function handler(event: unknown): Promise<ReleaseResult> {
  return withMetrics(
    metrics,
    () => handleReleaseEvent(event, { config, logger, sagemaker, dynamodb, codecommit, s3 }),
    releaseMetrics,
    releaseErrorMetrics,
  );
}

/** Why a release approved nothing, as the `reason` dimension of `ReleaseRefused` (a fixed set). */
const REFUSAL_REASON = { refused: 'unconfirmed', rejected: 'rejected-version' } as const;

/** The refusals a direct invocation's caller gets as errors (events get them as `refused` / `rejected` results). */
const REFUSAL_ERRORS: Readonly<Record<string, string>> = {
  UnverifiedMergeError: REFUSAL_REASON.refused,
  ProvenanceError: REFUSAL_REASON.refused,
  AmbiguousCandidatesError: REFUSAL_REASON.refused,
  NotApprovableError: REFUSAL_REASON.refused,
  ConflictError: REFUSAL_REASON.rejected,
};

/**
 * `ModelVersionsApproved` (versions approved now, not those found approved), `ReleaseIntentsRecorded`, and
 * `ReleaseRefused` by reason: an event CodeCommit or SageMaker does not confirm, or a Rejected version.
 */
export function releaseMetrics(result: ReleaseResult): MetricPoint[] {
  const approved = (result.approvals ?? []).filter((a) => a.outcome === 'approved').length;
  const points: MetricPoint[] = [];
  if (approved > 0) points.push({ name: 'ModelVersionsApproved', value: approved });
  if (result.outcome === 'intent-recorded') points.push({ name: 'ReleaseIntentsRecorded', value: 1 });
  if (result.outcome === 'refused' || result.outcome === 'rejected') {
    points.push({ name: 'ReleaseRefused', value: 1, dimensions: { reason: REFUSAL_REASON[result.outcome] } });
  }
  return points;
}

/** A direct invocation's refusal (thrown): `ReleaseRefused` too, besides `Errors`. */
export function releaseErrorMetrics(err: unknown): MetricPoint[] {
  const reason = err instanceof Error && Object.hasOwn(REFUSAL_ERRORS, err.name) ? REFUSAL_ERRORS[err.name] : undefined;
  return reason === undefined ? [] : [{ name: 'ReleaseRefused', value: 1, dimensions: { reason } }];
}
