/**
 * Deploy function of a serving stage: keeps each served model's current approved version on the stage's
 * multi-model endpoint. Thin handler: configuration and SDK clients once per cold start, the logic in deploy.ts.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SSMClient } from '@aws-sdk/client-ssm';
import { createLogger } from '../shared/logger';
import { loadDeployConfig } from './config';
import { DeployResult, handleDeployEvent } from './deploy';

const config = loadDeployConfig();
const logger = createLogger({ stage: config.stageName });
const sagemaker = new SageMakerClient({});
const s3 = new S3Client({});
const ssm = new SSMClient({});

export async function handler(event: unknown): Promise<DeployResult> {
  return handleDeployEvent(event, { config, logger, sagemaker, s3, ssm });
}
