/**
 * Configuration of the pull request report function, from environment variables checked once at cold start: a
 * missing or malformed variable fails with its name.
 */
import * as z from 'zod/mini';
import { parseEnv, requiredString } from '../shared/env';
import { PROJECT_NAME_PATTERN } from '../../contracts/naming';
import { S3_BUCKET_NAME_PATTERN } from '../../contracts/patterns';

export interface PrReportConfig {
  readonly projectName: string;
  /** The SageMaker project id: groups count only with the tag `sagemaker:project-id` = this. */
  readonly projectId: string;
  /** The CodeCommit repository whose pull requests are reported on; any other is ignored. */
  readonly repositoryName: string;
  /** Short name of the branch pull requests must target (`main`). */
  readonly mainBranch: string;
  /** Only pull requests from branches under this prefix are reported on. */
  readonly branchPrefix: string;
  /** The project's artifact bucket, the only bucket evaluation reports are read from. */
  readonly artifactBucket: string;
  readonly region: string;
}

export function loadPrReportConfig(env: NodeJS.ProcessEnv = process.env): PrReportConfig {
  const parsed = parseEnv(
    {
      PROJECT_NAME: requiredString().check(
        z.regex(PROJECT_NAME_PATTERN, {
          error: `must match SageMaker's project name pattern ${PROJECT_NAME_PATTERN.source}`,
        }),
      ),
      PROJECT_ID: requiredString(),
      REPOSITORY_NAME: requiredString(),
      MAIN_BRANCH: requiredString().check(
        z.refine((v) => !v.startsWith('refs/'), {
          error: 'must be a short branch name such as "main", not a full ref',
        }),
      ),
      BRANCH_PREFIX: requiredString(),
      ARTIFACT_BUCKET: requiredString().check(z.regex(S3_BUCKET_NAME_PATTERN, { error: 'must be an S3 bucket name' })),
      AWS_REGION: requiredString(),
    },
    env,
  );
  return {
    projectName: parsed.PROJECT_NAME,
    projectId: parsed.PROJECT_ID,
    repositoryName: parsed.REPOSITORY_NAME,
    mainBranch: parsed.MAIN_BRANCH,
    branchPrefix: parsed.BRANCH_PREFIX,
    artifactBucket: parsed.ARTIFACT_BUCKET,
    region: parsed.AWS_REGION,
  };
}
