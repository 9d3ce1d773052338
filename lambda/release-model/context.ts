/**
 * What the release paths share: the injected clients and configuration, the clock, the logger, and the result type.
 */
import { CodeCommitClient } from '@aws-sdk/client-codecommit';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import {
  DescribeModelPackageCommand,
  DescribeModelPackageCommandOutput,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { Logger } from '../shared/logger';
import { ReleaseConfig } from './config';
import { IntentStore } from './intents';

export interface ReleaseDeps {
  readonly config: ReleaseConfig;
  readonly sagemaker: SageMakerClient;
  readonly dynamodb: DynamoDBClient;
  readonly codecommit: CodeCommitClient;
  readonly s3: S3Client;
  readonly logger: Logger;
  /** The clock. @default - the system clock */
  readonly now?: () => Date;
}

export type ReleaseOutcome = 'approved' | 'already-approved' | 'intent-recorded' | 'rejected' | 'refused' | 'ignored';

/** One version a release approved (or found approved). */
export interface ApprovalRecord {
  readonly modelPackageArn: string;
  readonly modelPackageGroupName: string;
  readonly modelPackageVersion: number;
  readonly outcome: 'approved' | 'already-approved';
  /** The immutable copy, for a version approved now. */
  readonly approvedArtifactUri?: string;
}

/** What the function did and why; returned to direct callers and logged for events. */
export interface ReleaseResult {
  readonly outcome: ReleaseOutcome;
  readonly message: string;
  readonly commitId?: string;
  /** The version of the project's first group `model-<project>` (or the first approved), for direct callers. */
  readonly modelPackageArn?: string;
  readonly modelPackageVersion?: number;
  /** Every version approved (or already approved) in every group of the project. */
  readonly approvals?: readonly ApprovalRecord[];
}

export interface Context {
  readonly deps: ReleaseDeps;
  readonly store: IntentStore;
  readonly now: () => Date;
  readonly log: Logger;
  /** ARNs this invocation has approved so far, for an honest error log. */
  readonly approved: string[];
  /** DescribeModelPackage answers of this invocation, so no version is described twice. */
  readonly described: Map<string, DescribeModelPackageCommandOutput>;
}

/** DescribeModelPackage, once per version and invocation. */
export async function describeVersion(
  ctx: Context,
  modelPackageArn: string,
): Promise<DescribeModelPackageCommandOutput> {
  const known = ctx.described.get(modelPackageArn);
  if (known !== undefined) return known;
  const described = await ctx.deps.sagemaker.send(
    new DescribeModelPackageCommand({ ModelPackageName: modelPackageArn }),
  );
  ctx.described.set(modelPackageArn, described);
  return described;
}
