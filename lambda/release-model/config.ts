/**
 * Configuration of the release function, from environment variables checked once at cold start: a missing or
 * malformed variable fails with its name.
 */
import * as z from 'zod/mini';
import { accepted, bucketName, parseEnv, projectName, requiredString, tableName, wholeNumber } from '../shared/env';
import { assertBranchName } from '../../contracts/naming';

/** SageMaker's rule for model package group names (CreateModelPackageGroup ModelPackageGroupName). */
export const MODEL_PACKAGE_GROUP_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/** How long a merge that arrived before its model was registered is remembered, unless INTENT_TTL_DAYS says. */
export const DEFAULT_INTENT_TTL_DAYS = 14;

export interface ReleaseConfig {
  readonly projectName: string;
  /** The CodeCommit repository whose merges and pushes count; events of any other repository are ignored. */
  readonly repositoryName: string;
  /** Short name of the main branch (`main`), never a full ref. */
  readonly mainBranch: string;
  /**
   * The project's first group `model-<project>`; further groups `model-<project>-<name>` count when tagged with the
   * project id (contract 1). The only group the bounded fallback for versions older than the commit index lists.
   */
  readonly modelPackageGroupName: string;
  /** DynamoDB table of merge intents: partition key `commitId` (S), TTL attribute `expiresAt`. */
  readonly intentTableName: string;
  readonly intentTtlDays: number;
  /** The SageMaker project id: a model package group counts only when its `sagemaker:project-id` tag is this value. */
  readonly projectId: string;
  /** DynamoDB commit index: partition key `commitId` (S), sort key `modelPackageArn` (S); written only here. */
  readonly commitIndexTableName: string;
  /** Whether a push to main approves its head (opt-in; default false: only a verified pull request merge approves). */
  readonly approveOnPushToMain: boolean;
  /** The artifact bucket: approved artifacts are copied under {@link APPROVED_ARTIFACT_PREFIX}, which only this function may write. */
  readonly artifactBucketName: string;
}

/** Where approved model artifacts are copied in the artifact bucket; the bucket policy lets only the release role write it. */
export const APPROVED_ARTIFACT_PREFIX = 'approved-artifacts/';

const shortBranchName = () => accepted(assertBranchName, 'must be a short branch name such as "main", not a full ref');

export function loadReleaseConfig(env: NodeJS.ProcessEnv = process.env): ReleaseConfig {
  const parsed = parseEnv(
    {
      PROJECT_NAME: projectName(),
      REPOSITORY_NAME: requiredString(),
      MAIN_BRANCH: shortBranchName(),
      MODEL_PACKAGE_GROUP_NAME: requiredString().check(
        z.regex(MODEL_PACKAGE_GROUP_NAME_PATTERN, {
          error: `must match the model package group name pattern ${MODEL_PACKAGE_GROUP_NAME_PATTERN.source}`,
        }),
      ),
      INTENT_TABLE_NAME: tableName(),
      INTENT_TTL_DAYS: z.optional(wholeNumber('days', 1, 365)),
      PROJECT_ID: requiredString().check(
        z.regex(/^[A-Za-z0-9-]{1,36}$/, { error: 'must be a SageMaker project id such as "p-abcdef123456"' }),
      ),
      COMMIT_INDEX_TABLE_NAME: tableName(),
      APPROVE_ON_PUSH_TO_MAIN: z.optional(z.enum(['true', 'false'], { error: 'must be "true" or "false"' })),
      ARTIFACT_BUCKET_NAME: bucketName(),
    },
    env,
  );
  return {
    projectName: parsed.PROJECT_NAME,
    repositoryName: parsed.REPOSITORY_NAME,
    mainBranch: parsed.MAIN_BRANCH,
    modelPackageGroupName: parsed.MODEL_PACKAGE_GROUP_NAME,
    intentTableName: parsed.INTENT_TABLE_NAME,
    intentTtlDays: parsed.INTENT_TTL_DAYS ?? DEFAULT_INTENT_TTL_DAYS,
    projectId: parsed.PROJECT_ID,
    commitIndexTableName: parsed.COMMIT_INDEX_TABLE_NAME,
    approveOnPushToMain: parsed.APPROVE_ON_PUSH_TO_MAIN === 'true',
    artifactBucketName: parsed.ARTIFACT_BUCKET_NAME,
  };
}
