/**
 * Configuration of the branch function, from environment variables checked once at cold start: a missing or
 * malformed variable fails with its name.
 */
import * as z from 'zod/mini';
import { accepted, jsonStringRecord, parseEnv, requiredString, wholeNumber } from '../shared/env';
import { assertProjectName, PROJECT_NAME_MAX_LENGTH, PROJECT_NAME_PATTERN } from '../../contracts/naming';
import { IAM_ROLE_ARN_PATTERN } from '../../contracts/patterns';

/** Parameters of the branch template that the function sets per branch; PIPELINE_STACK_PARAMETERS must not hold them. */
export const PER_BRANCH_PARAMETERS = ['BranchName', 'PipelineName'] as const;

/** How long a failed stack's deletion is awaited before the function asks to be retried, unless configured. */
export const DEFAULT_STACK_DELETE_WAIT_SECONDS = 60;

/** How many branch pipelines a project may have, unless configured (context maxBranchPipelines). */
export const DEFAULT_MAX_BRANCH_PIPELINES = 25;

export interface BranchPipelineConfig {
  readonly projectName: string;
  readonly projectId: string;
  /** The CodeCommit repository whose branches get pipelines; events of any other repository are ignored. */
  readonly repositoryName: string;
  /** Branches whose name starts with this (`experiment/`) get a pipeline; others are ignored. */
  readonly branchPrefix: string;
  /** S3 https URL of the synthesized per-branch template. */
  readonly pipelineTemplateUrl: string;
  /** The role CloudFormation assumes to create, update and delete branch stacks. */
  readonly cloudFormationRoleArn: string;
  /** Static parameters of the branch template (ProjectName, RepositoryName, ...). */
  readonly pipelineStackParameters: Readonly<Record<string, string>>;
  /** Upper bound of the wait for a failed stack's deletion before recreating it (the remaining run time also bounds it). */
  readonly stackDeleteWaitSeconds: number;
  /** At most this many branch stacks; a branch beyond is refused with a log line naming the limit. */
  readonly maxBranchPipelines: number;
}

const projectName = () =>
  accepted(
    assertProjectName,
    `must match SageMaker's project name pattern ${PROJECT_NAME_PATTERN.source} and have at most ${PROJECT_NAME_MAX_LENGTH} characters`,
  );

export function loadBranchPipelineConfig(env: NodeJS.ProcessEnv = process.env): BranchPipelineConfig {
  const parsed = parseEnv(
    {
      PROJECT_NAME: projectName(),
      PROJECT_ID: requiredString().check(
        z.regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,19}$/, {
          error: 'must be a SageMaker project id such as p-abcdef123456',
        }),
      ),
      REPOSITORY_NAME: requiredString().check(
        z.regex(/^[\w.-]{1,100}$/, {
          error: 'must be a CodeCommit repository name (1 to 100 of letters, digits, ".", "_", "-")',
        }),
      ),
      BRANCH_PREFIX: requiredString().check(
        z.refine((value) => !value.startsWith('refs/'), {
          error: 'must be the start of a short branch name such as "experiment/", not a ref',
        }),
      ),
      PIPELINE_TEMPLATE_URL: requiredString().check(
        z.refine(
          (value) => {
            try {
              return new URL(value).protocol === 'https:';
            } catch {
              return false;
            }
          },
          { error: 'must be the https URL of the branch template in S3' },
        ),
      ),
      CLOUDFORMATION_ROLE_ARN: requiredString().check(
        z.regex(IAM_ROLE_ARN_PATTERN, { error: 'must be an IAM role ARN' }),
      ),
      PIPELINE_STACK_PARAMETERS: jsonStringRecord().check(
        z.refine((record) => PER_BRANCH_PARAMETERS.every((key) => !(key in record)), {
          error: `must not set ${PER_BRANCH_PARAMETERS.join(' or ')}: the function sets them per branch`,
        }),
      ),
      STACK_DELETE_WAIT_SECONDS: z.optional(wholeNumber('seconds', 0, 840)),
      MAX_BRANCH_PIPELINES: z.optional(wholeNumber('branch pipelines', 1, 500)),
    },
    env,
  );
  return {
    projectName: parsed.PROJECT_NAME,
    projectId: parsed.PROJECT_ID,
    repositoryName: parsed.REPOSITORY_NAME,
    branchPrefix: parsed.BRANCH_PREFIX,
    pipelineTemplateUrl: parsed.PIPELINE_TEMPLATE_URL,
    cloudFormationRoleArn: parsed.CLOUDFORMATION_ROLE_ARN,
    pipelineStackParameters: parsed.PIPELINE_STACK_PARAMETERS,
    stackDeleteWaitSeconds: parsed.STACK_DELETE_WAIT_SECONDS ?? DEFAULT_STACK_DELETE_WAIT_SECONDS,
    maxBranchPipelines: parsed.MAX_BRANCH_PIPELINES ?? DEFAULT_MAX_BRANCH_PIPELINES,
  };
}
