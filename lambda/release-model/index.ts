/**
 * Release function `release-model-package-<project>`: approves the model versions trained from a reviewed, merged
 * commit. Thin handler: configuration and SDK clients once per cold start, the routing in release.ts.
 */
import { CodeCommitClient } from '@aws-sdk/client-codecommit';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { createLogger } from '../shared/logger';
import { loadReleaseConfig } from './config';
import { handleReleaseEvent, ReleaseResult } from './release';

const config = loadReleaseConfig();
const logger = createLogger({ project: config.projectName, modelPackageGroupName: config.modelPackageGroupName });
const sagemaker = new SageMakerClient({});
const dynamodb = new DynamoDBClient({});
const codecommit = new CodeCommitClient({});
// Emulators (AWS_ENDPOINT_URL in tests) serve buckets by path, not by virtual host.
const s3 = new S3Client(process.env.AWS_ENDPOINT_URL ? { forcePathStyle: true } : {});

export async function handler(event: unknown): Promise<ReleaseResult> {
  return handleReleaseEvent(event, { config, logger, sagemaker, dynamodb, codecommit, s3 });
}
