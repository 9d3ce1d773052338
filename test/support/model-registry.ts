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
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  CreatePipelineCommand,
  DescribeModelPackageCommand,
  ModelApprovalStatus,
  SageMakerClient,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import { sageMakerPipelineName, TAG_PROJECT_ID, TAG_PROJECT_NAME } from '../../contracts/naming';
import { awsEvent } from './fixtures';
import { SageMakerStepsStandIn } from './sagemaker-steps';

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

/** What a project's release function needs beside its group: tags, tables and the versioned artifact bucket. */
export interface ReleaseResources {
  readonly projectName: string;
  readonly projectId: string;
  readonly group: string;
  readonly intentTable: string;
  readonly indexTable: string;
  readonly bucket: string;
}

/** The commit index as the project template creates it: partition key `commitId`, sort key `modelPackageArn`. */
export async function createCommitIndexTable(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  await dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [
        { AttributeName: 'commitId', AttributeType: 'S' },
        { AttributeName: 'modelPackageArn', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'commitId', KeyType: 'HASH' },
        { AttributeName: 'modelPackageArn', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitUntilTableExists({ client: dynamodb, maxWaitTime: 30 }, { TableName: tableName });
}

/** Creates the group (tagged with the project, contract 1), both tables and the versioned artifact bucket. */
export async function createReleaseResources(
  clients: { sagemaker: SageMakerClient; dynamodb: DynamoDBClient; s3: S3Client },
  r: ReleaseResources,
): Promise<void> {
  await clients.sagemaker.send(
    new CreateModelPackageGroupCommand({
      ModelPackageGroupName: r.group,
      Tags: [
        { Key: TAG_PROJECT_NAME, Value: r.projectName },
        { Key: TAG_PROJECT_ID, Value: r.projectId },
      ],
    }),
  );
  await createIntentTable(clients.dynamodb, r.intentTable);
  await createCommitIndexTable(clients.dynamodb, r.indexTable);
  await clients.s3.send(new CreateBucketCommand({ Bucket: r.bucket }));
  await clients.s3.send(
    new PutBucketVersioningCommand({ Bucket: r.bucket, VersioningConfiguration: { Status: 'Enabled' } }),
  );
}

/** The release function's environment for `r`, as the project template sets it. */
export function releaseEnvironment(r: ReleaseResources, repositoryName: string): Record<string, string> {
  return {
    PROJECT_NAME: r.projectName,
    PROJECT_ID: r.projectId,
    REPOSITORY_NAME: repositoryName,
    MAIN_BRANCH: 'main',
    MODEL_PACKAGE_GROUP_NAME: r.group,
    INTENT_TABLE_NAME: r.intentTable,
    COMMIT_INDEX_TABLE_NAME: r.indexTable,
    ARTIFACT_BUCKET_NAME: r.bucket,
  };
}

const createdPipelines = new WeakMap<SageMakerClient, Set<string>>();

/**
 * Plays one run of a branch's SageMaker pipeline in moto: the branch pipeline (tagged with the project, as run.js
 * creates it) and an execution for the commit, the model artifact in the bucket, and the version its RegisterModel
 * step creates (metadata contract 2), recorded with the steps stand-in as that execution's registration. Returns the
 * version's ARN and the execution's.
 */
export async function registerFromExecution(
  clients: { sagemaker: SageMakerClient; s3: S3Client },
  steps: SageMakerStepsStandIn,
  r: ReleaseResources,
  spec: { commitId: string; branch: string; group?: string; status?: ModelApprovalStatus },
): Promise<{ arn: string; executionArn: string }> {
  const pipelineName = sageMakerPipelineName(r.projectName, spec.branch);
  const created = createdPipelines.get(clients.sagemaker) ?? new Set<string>();
  createdPipelines.set(clients.sagemaker, created);
  if (!created.has(pipelineName)) {
    await clients.sagemaker.send(
      new CreatePipelineCommand({
        PipelineName: pipelineName,
        RoleArn: 'arn:aws:iam::123456789012:role/execution',
        PipelineDefinition: JSON.stringify({ Version: '2020-12-01', Parameters: [], Steps: [] }),
        Tags: [
          { Key: TAG_PROJECT_NAME, Value: r.projectName },
          { Key: TAG_PROJECT_ID, Value: r.projectId },
        ],
      }),
    );
    created.add(pipelineName);
  }
  const started = await clients.sagemaker.send(
    new StartPipelineExecutionCommand({
      PipelineName: pipelineName,
      PipelineExecutionDisplayName: `commit-${spec.commitId}`,
    }),
  );
  const executionArn = started.PipelineExecutionArn ?? '';
  const executionId = executionArn.split('/').pop() ?? '';
  const key = `${pipelineName}/${executionId}/TrainModel/output/model.tar.gz`;
  await clients.s3.send(new PutObjectCommand({ Bucket: r.bucket, Key: key, Body: `model of ${spec.commitId}` }));
  const result = await clients.sagemaker.send(
    new CreateModelPackageCommand({
      ModelPackageGroupName: spec.group ?? r.group,
      ModelPackageDescription: `commit ${spec.commitId} on branch ${spec.branch}`,
      ModelApprovalStatus: spec.status ?? ModelApprovalStatus.PENDING_MANUAL_APPROVAL,
      MetadataProperties: { CommitId: spec.commitId, GeneratedBy: executionArn },
      CustomerMetadataProperties: {
        commit_id: spec.commitId,
        branch: spec.branch,
        pipeline_execution_id: executionId,
        pipeline_execution_arn: executionArn,
      },
      InferenceSpecification: {
        Containers: [
          {
            Image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
            ModelDataUrl: `s3://${r.bucket}/${key}`,
          },
        ],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['text/csv'],
      },
    }),
  );
  const arn = result.ModelPackageArn ?? '';
  steps.recordRegistration(executionArn, [arn]);
  return { arn, executionArn };
}

/** The "SageMaker Model Package State Change" SageMaker sends for a version (the published sample, filled in). */
export async function stateChangeEvent(sagemaker: SageMakerClient, arn: string): Promise<Record<string, unknown>> {
  const described = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
  const event = awsEvent<Record<string, unknown> & { detail: Record<string, unknown> }>(
    'sagemaker-model-package-state-change.json',
  );
  return {
    ...event,
    source: 'aws.sagemaker',
    resources: [arn],
    detail: {
      ...event.detail,
      ModelPackageGroupName: described.ModelPackageGroupName,
      ModelPackageArn: arn,
      ModelPackageVersion: described.ModelPackageVersion,
      ModelApprovalStatus: described.ModelApprovalStatus,
      ModelPackageStatus: described.ModelPackageStatus,
    },
  };
}
