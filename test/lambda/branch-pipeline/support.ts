/**
 * Shared test inputs for the branch function: a valid configuration and the documented CodeCommit sample events,
 * pointed at this project's repository and a branch of choice.
 */
import { Stack } from '@aws-sdk/client-cloudformation';
import { BranchPipelineConfig } from '../../../lambda/branch-pipeline/config';
import { createLogger, Logger } from '../../../lambda/shared/logger';
import { branchStackName } from '../../../contracts/naming';
import { awsEvent } from '../../support/fixtures';

export const ENV = {
  PROJECT_NAME: 'fraud',
  PROJECT_ID: 'p-abcdef123456',
  REPOSITORY_NAME: 'model-fraud-train',
  BRANCH_PREFIX: 'experiment/',
  PIPELINE_TEMPLATE_URL: 'https://assets-bucket.s3.us-east-1.amazonaws.com/branch-pipeline.template.json',
  CLOUDFORMATION_ROLE_ARN: 'arn:aws:iam::111111111111:role/fraud-branch-stacks',
  PIPELINE_STACK_PARAMETERS: JSON.stringify({
    ProjectName: 'fraud',
    ProjectId: 'p-abcdef123456',
    RepositoryName: 'model-fraud-train',
    CodeBuildProjectName: 'fraud-build',
    ArtifactBucketName: 'fraud-artifacts',
    PipelineRoleArn: 'arn:aws:iam::111111111111:role/fraud-pipeline',
    EventsRoleArn: 'arn:aws:iam::111111111111:role/fraud-events',
  }),
};

export const CONFIG: BranchPipelineConfig = {
  projectName: ENV.PROJECT_NAME,
  projectId: ENV.PROJECT_ID,
  repositoryName: ENV.REPOSITORY_NAME,
  branchPrefix: ENV.BRANCH_PREFIX,
  pipelineTemplateUrl: ENV.PIPELINE_TEMPLATE_URL,
  cloudFormationRoleArn: ENV.CLOUDFORMATION_ROLE_ARN,
  pipelineStackParameters: JSON.parse(ENV.PIPELINE_STACK_PARAMETERS) as Record<string, string>,
  stackDeleteWaitSeconds: 60,
  maxBranchPipelines: 25,
};

export type ReferenceEvent = 'referenceCreated' | 'referenceUpdated' | 'referenceDeleted';

export interface SampleEvent {
  id: string;
  'detail-type': string;
  detail: Record<string, unknown>;
  [key: string]: unknown;
}

/** The documented sample of `kind`, for `branch` of this project's repository (or as given). */
export function referenceEvent(
  kind: ReferenceEvent,
  branch = 'experiment/deeper-trees',
  overrides: { repositoryName?: string; id?: string } = {},
): SampleEvent {
  const event = awsEvent<SampleEvent>(`codecommit-${kind}.json`);
  event.detail.repositoryName = overrides.repositoryName ?? CONFIG.repositoryName;
  event.detail.referenceName = branch;
  event.detail.referenceFullName = `refs/heads/${branch}`;
  if (overrides.id !== undefined) event.id = overrides.id;
  return event;
}

/** A logger that keeps its lines for assertions instead of printing them. */
export function memoryLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({}, { level: 'DEBUG', write: (line) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

/** A branch stack as DescribeStacks returns it. */
export function branchStack(
  branch: string,
  status: string,
  options: { tags?: Record<string, string>; branchParameter?: string } = {},
): Stack {
  const name = branchStackName(CONFIG.projectName, branch);
  const tags = options.tags ?? {
    'sagemaker:project-name': CONFIG.projectName,
    'sagemaker:project-id': CONFIG.projectId,
    'multibranch-mlops:branch': branch,
  };
  return {
    StackName: name,
    StackId: `arn:aws:cloudformation:us-east-1:111111111111:stack/${name}/0000-${status.toLowerCase()}`,
    StackStatus: status as Stack['StackStatus'],
    CreationTime: new Date('2026-01-01T00:00:00Z'),
    Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    Parameters: [{ ParameterKey: 'BranchName', ParameterValue: options.branchParameter ?? branch }],
  };
}
