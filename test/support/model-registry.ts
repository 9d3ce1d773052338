/**
 * A model registry and an intent table in moto_server, filled the way the pipeline's register step fills the real
 * one (the metadata contract in docs/design.md), for the release function's integration tests and benchmark.
 *
 *   const sagemaker = new SageMakerClient({});   // AWS_ENDPOINT_URL from useMotoEnvironment
 *   await createModelPackageGroup(sagemaker, 'model-demo');
 *   const arns = await registerVersions(sagemaker, 'model-demo', commits);  // oldest first
 */
import { createHash } from 'node:crypto';
import {
  CreateTableCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  ModelApprovalStatus,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';

/** A deterministic 40-hex commit id per label. */
export const fakeCommitId = (label: string | number): string =>
  createHash('sha1').update(`commit:${label}`).digest('hex');

export interface RegisteredCommit {
  readonly commitId: string;
  /** @default 'experiment/bench' */
  readonly branch?: string;
  /** @default PendingManualApproval */
  readonly status?: ModelApprovalStatus;
}

export async function createModelPackageGroup(sagemaker: SageMakerClient, group: string): Promise<void> {
  await sagemaker.send(
    new CreateModelPackageGroupCommand({ ModelPackageGroupName: group, ModelPackageGroupDescription: 'test group' }),
  );
}

/** Registers one version as the pipeline's RegisterModel step does (the metadata contract); returns its ARN. */
export async function registerVersion(
  sagemaker: SageMakerClient,
  group: string,
  spec: RegisteredCommit,
): Promise<string> {
  const branch = spec.branch ?? 'experiment/bench';
  const execution = `arn:aws:sagemaker:us-east-1:123456789012:pipeline/demo-bench/execution/${spec.commitId.slice(0, 12)}`;
  const result = await sagemaker.send(
    new CreateModelPackageCommand({
      ModelPackageGroupName: group,
      ModelPackageDescription: `commit ${spec.commitId} branch ${branch}`,
      ModelApprovalStatus: spec.status ?? ModelApprovalStatus.PENDING_MANUAL_APPROVAL,
      MetadataProperties: { CommitId: spec.commitId, GeneratedBy: execution },
      CustomerMetadataProperties: { commit_id: spec.commitId, branch, pipeline_execution_arn: execution },
      InferenceSpecification: {
        Containers: [
          {
            Image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
            ModelDataUrl: `s3://demo-artifacts/models/${spec.commitId}/model.tar.gz`,
          },
        ],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['text/csv'],
      },
    }),
  );
  if (result.ModelPackageArn === undefined) throw new Error('CreateModelPackage returned no ModelPackageArn');
  return result.ModelPackageArn;
}

/**
 * Registers `specs` oldest first, one at a time, and returns their ARNs in that order. Not concurrently: moto
 * numbers a new version from the group's current count, so concurrent creates can get the same version number and
 * overwrite each other (seen: 998 versions out of 1,000). About 8 ms a version.
 */
export async function registerVersions(
  sagemaker: SageMakerClient,
  group: string,
  specs: readonly RegisteredCommit[],
): Promise<string[]> {
  const arns: string[] = [];
  for (const spec of specs) arns.push(await registerVersion(sagemaker, group, spec));
  return arns;
}

/** The intent table as the project template creates it: partition key `commitId` (S), TTL attribute `expiresAt`. */
export async function createIntentTable(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  await dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'commitId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'commitId', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitUntilTableExists({ client: dynamodb, maxWaitTime: 30 }, { TableName: tableName });
  await dynamodb.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    }),
  );
}

/** Records the name of every command `client` sends, in order, from now on. */
export function recordCommands(client: SageMakerClient | DynamoDBClient): string[] {
  const names: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      names.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: `recordCommands${Math.random().toString(36).slice(2)}` },
  );
  return names;
}
