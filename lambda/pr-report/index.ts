/**
 * Pull request report function: keeps one comment per pull request into main current with the branch's training
 * state and metrics against production. Thin handler: configuration, SDK clients and metrics once per cold start,
 * the logic in report.ts; each invocation's metrics from its result.
 */
import { CodeCommitClient } from '@aws-sdk/client-codecommit';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { MetricPoint, withMetrics } from '../shared/metrics';
import { createTelemetry } from '../shared/telemetry';
import { loadPrReportConfig } from './config';
import { handlePrReportEvent, PrReportResult } from './report';

const config = loadPrReportConfig();
const { logger, metrics } = createTelemetry('pr-report', config);
const codecommit = new CodeCommitClient({});
const sagemaker = new SageMakerClient({});
const s3 = new S3Client({});
const sts = new STSClient({});
let authorArn: Promise<string> | undefined;

/** The function's own assumed-role session ARN (needs no permission), once per cold start. */
function ownArn(): Promise<string> {
  authorArn ??= sts.send(new GetCallerIdentityCommand({})).then(
    (r) => {
      if (r.Arn === undefined) throw new Error('STS GetCallerIdentity returned no Arn');
      return r.Arn;
    },
    (err: unknown) => {
      authorArn = undefined; // ask again on the next event
      throw err;
    },
  );
  return authorArn;
}

export async function handler(event: unknown): Promise<PrReportResult> {
  return withMetrics(
    metrics,
    () => handlePrReportEvent(event, { config, codecommit, sagemaker, s3, authorArn: ownArn, logger }),
    prReportMetrics,
  );
}

/** `ReportCommentsPosted` (a pull request's first report comment) and `ReportCommentsUpdated`; unchanged ones not. */
export function prReportMetrics(result: PrReportResult): MetricPoint[] {
  const posted = result.comments.filter((c) => c.outcome === 'posted').length;
  const updated = result.comments.filter((c) => c.outcome === 'updated').length;
  return [
    ...(posted > 0 ? [{ name: 'ReportCommentsPosted', value: posted }] : []),
    ...(updated > 0 ? [{ name: 'ReportCommentsUpdated', value: updated }] : []),
  ];
}
