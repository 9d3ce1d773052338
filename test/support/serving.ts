/**
 * A model registry, its artifact bucket and a stage's serving bucket in moto_server, filled the way the pipeline
 * registers versions (contract 1 and 2) and the release function approves them (it records the immutable approved
 * artifact as `approved_artifact_uri`, `approved_artifact_version_id`, `approved_artifact_sha256`). Shared by the
 * deploy function's integration test, its benchmark and the Python test of the served tarball.
 */
import { createHash } from 'node:crypto';
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  ModelApprovalStatus,
  SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import type { DeployConfig } from '../../lambda/deploy-model/config';
import { awsEvent } from './fixtures';
import { fakeCommitId } from './model-registry';

export const REGISTRY_ACCOUNT = '123456789012';
export const REGISTRY_REGION = 'us-east-1';

/** A same-account stage `sandbox` serving `projects` from bucket `serving` under `models/`, no delay. */
export function sandboxStage(projects: DeployConfig['projects'], overrides: Partial<DeployConfig> = {}): DeployConfig {
  return {
    stageName: 'sandbox',
    registryAccount: REGISTRY_ACCOUNT,
    ownAccount: REGISTRY_ACCOUNT,
    projects,
    servingBucket: 'serving',
    servingPrefix: 'models/',
    parameterPrefix: '/multibranch-mlops/serving/sandbox/',
    delaySeconds: 0,
    retainArtifacts: 5,
    ...overrides,
  };
}

export async function createVersionedBucket(s3: S3Client, bucket: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
}

/** A model package group with the tags the project template or run.js gives it (contract 1). */
export async function createTaggedGroup(
  sagemaker: SageMakerClient,
  group: string,
  project: { name: string; id: string },
): Promise<void> {
  await sagemaker.send(
    new CreateModelPackageGroupCommand({
      ModelPackageGroupName: group,
      ModelPackageGroupDescription: `models of ${project.name}`,
      Tags: [
        { Key: 'sagemaker:project-name', Value: project.name },
        { Key: 'sagemaker:project-id', Value: project.id },
      ],
    }),
  );
}

export interface RegisteredArtifact {
  readonly arn: string;
  readonly version: number;
  readonly modelDataUrl: string;
  readonly body: Buffer;
}

/** Uploads `body` as the training job's model.tar.gz and registers a version pointing at it (PendingManualApproval). */
export async function registerWithArtifact(
  sagemaker: SageMakerClient,
  s3: S3Client,
  options: { group: string; bucket: string; label: string; body: Buffer; modelName?: string },
): Promise<RegisteredArtifact> {
  const commitId = fakeCommitId(`${options.group}:${options.label}`);
  const key = `${options.group}/${commitId.slice(0, 12)}/output/model.tar.gz`;
  await s3.send(new PutObjectCommand({ Bucket: options.bucket, Key: key, Body: options.body }));
  const modelDataUrl = `s3://${options.bucket}/${key}`;
  const created = await sagemaker.send(
    new CreateModelPackageCommand({
      ModelPackageGroupName: options.group,
      ModelPackageDescription: `commit ${commitId} on branch experiment/serving`,
      ModelApprovalStatus: ModelApprovalStatus.PENDING_MANUAL_APPROVAL,
      MetadataProperties: { CommitId: commitId },
      CustomerMetadataProperties: {
        commit_id: commitId,
        branch: 'experiment/serving',
        model_name: options.modelName ?? 'model',
      },
      InferenceSpecification: {
        Containers: [
          {
            Image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3',
            ModelDataUrl: modelDataUrl,
          },
        ],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['text/csv'],
      },
    }),
  );
  const arn = created.ModelPackageArn ?? '';
  const version = Number(arn.split('/').pop());
  return { arn, version, modelDataUrl, body: options.body };
}

export const sha256Hex = (body: Buffer): string => createHash('sha256').update(body).digest('hex');

/**
 * Approves a version as the release function does: an immutable copy of the artifact under `approved/`, recorded
 * with its S3 version id and SHA-256. `record: false` approves without the record (the ModelDataUrl fallback);
 * `sha256` overrides the recorded digest (a tampered record). moto replaces CustomerMetadataProperties on update
 * (SageMaker merges them), so the contract's keys are sent again.
 */
export async function approve(
  sagemaker: SageMakerClient,
  s3: S3Client,
  artifact: RegisteredArtifact,
  options: { bucket: string; record?: boolean; sha256?: string },
): Promise<void> {
  const metadata: Record<string, string> = { commit_id: 'kept', branch: 'experiment/serving', model_name: 'model' };
  if (options.record !== false) {
    const key = `approved/${artifact.arn.split(':model-package/')[1]}/model.tar.gz`;
    const put = await s3.send(new PutObjectCommand({ Bucket: options.bucket, Key: key, Body: artifact.body }));
    metadata.approved_artifact_uri = `s3://${options.bucket}/${key}`;
    metadata.approved_artifact_version_id = put.VersionId ?? '';
    metadata.approved_artifact_sha256 = options.sha256 ?? sha256Hex(artifact.body);
  }
  await sagemaker.send(
    new UpdateModelPackageCommand({
      ModelPackageArn: artifact.arn,
      ModelApprovalStatus: ModelApprovalStatus.APPROVED,
      CustomerMetadataProperties: metadata,
    }),
  );
}

export async function reject(sagemaker: SageMakerClient, artifact: RegisteredArtifact): Promise<void> {
  await sagemaker.send(
    new UpdateModelPackageCommand({
      ModelPackageArn: artifact.arn,
      ModelApprovalStatus: ModelApprovalStatus.REJECTED,
      CustomerMetadataProperties: { commit_id: 'kept', branch: 'experiment/serving', model_name: 'model' },
    }),
  );
}

/** The documented "SageMaker Model Package State Change" sample, for `artifact` in `group` with `status`. */
export function stateChangeEvent(
  group: string,
  artifact: Pick<RegisteredArtifact, 'arn' | 'version'>,
  status: 'Approved' | 'Rejected' | 'PendingManualApproval',
  id = `${group}-${artifact.version}-${status}`,
): Record<string, unknown> {
  const event = awsEvent<Record<string, unknown> & { detail: Record<string, unknown> }>(
    'sagemaker-model-package-state-change.json',
  );
  return {
    ...event,
    id,
    account: REGISTRY_ACCOUNT,
    region: REGISTRY_REGION,
    source: 'aws.sagemaker',
    resources: [artifact.arn],
    detail: {
      ...event.detail,
      ModelPackageGroupName: group,
      ModelPackageArn: artifact.arn,
      ModelPackageVersion: artifact.version,
      ModelApprovalStatus: status,
    },
  };
}
