/**
 * Branch function: keeps one pipeline stack per experiment branch (CodeCommit reference events and the reconcile
 * schedule). Thin handler: configuration and SDK clients once per cold start, the logic in branch-pipeline.ts.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CodeCommitClient } from '@aws-sdk/client-codecommit';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { createLogger } from '../shared/logger';
import { BranchPipelineResult, handleBranchPipelineEvent } from './branch-pipeline';
import { loadBranchPipelineConfig } from './config';

const config = loadBranchPipelineConfig();
const logger = createLogger({ project: config.projectName, repository: config.repositoryName });
const cloudformation = new CloudFormationClient({});
const codecommit = new CodeCommitClient({});
const sagemaker = new SageMakerClient({});

/** The part of the Lambda context the function uses. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

export async function handler(event: unknown, context?: InvocationContext): Promise<BranchPipelineResult> {
  return handleBranchPipelineEvent(event, {
    config,
    logger,
    cloudformation,
    codecommit,
    sagemaker,
    remainingTimeMs: context ? () => context.getRemainingTimeInMillis() : undefined,
  });
}
