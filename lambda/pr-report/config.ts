/**
 * Configuration of the pull request report function, from environment variables checked once at cold start: a
 * missing or malformed variable fails with its name.
 */
import * as z from 'zod/mini';
import { bucketName, parseEnv, projectName, requiredString } from '../shared/env';

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
      PROJECT_NAME: projectName(),
      MAIN_BRANCH: requiredString().check(
        z.refine((v) => !v.startsWith('refs/'), {
          error: 'must be a short branch name such as "main", not a full ref',
        }),
      ),
      PROJECT_ID: requiredString(),
      REPOSITORY_NAME: requiredString(),
      BRANCH_PREFIX: requiredString(),
      ARTIFACT_BUCKET: bucketName(),
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
