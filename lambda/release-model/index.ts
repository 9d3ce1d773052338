/**
 * Release function `release-model-package-<project>`: approves the model version trained from a merged commit.
 * Thin handler: configuration and SDK clients once per cold start, the logic in release.ts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { createLogger } from '../shared/logger';
import { loadReleaseConfig } from './config';
import { handleReleaseEvent, ReleaseResult } from './release';

const config = loadReleaseConfig();
const logger = createLogger({ project: config.projectName, modelPackageGroupName: config.modelPackageGroupName });
const sagemaker = new SageMakerClient({});
const dynamodb = new DynamoDBClient({});

export async function handler(event: unknown): Promise<ReleaseResult> {
  return handleReleaseEvent(event, { config, logger, sagemaker, dynamodb });
}
