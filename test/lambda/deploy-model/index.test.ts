/**
 * The deploy function's handler as Lambda loads it: configuration from the environment, default clients (mocked
 * here), and the metrics each invocation prints (EMF on stdout).
 */
import { CopyObjectCommand, HeadObjectCommand, ListObjectsV2Command, NotFound, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeModelPackageCommand,
  ListModelPackagesCommand,
  ListTagsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import * as ssmSdk from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { emfPoints } from '../../support/emf';
import { awsEvent } from '../../support/fixtures';

type Handler = (event: unknown) => Promise<{ outcome: string }>;

const ACCOUNT = '123456789012';
const ENV = {
  AWS_REGION: 'us-east-2',
  STAGE_NAME: 'qa',
  REGISTRY_ACCOUNT: ACCOUNT,
  OWN_ACCOUNT: ACCOUNT,
  SERVED_PROJECTS: JSON.stringify([{ name: 'demo', id: 'p-demo00000001' }]),
  SERVING_BUCKET: 'serving-qa',
  PARAMETER_PREFIX: '/multibranch-mlops/serving/qa/',
  LOG_LEVEL: 'ERROR',
};
const GROUP = 'model-demo';
const arnOf = (version: number) => `arn:aws:sagemaker:us-east-2:${ACCOUNT}:model-package/${GROUP}/${version}`;
const dimensions = { service: 'deploy-model', stage: 'qa' };

const sagemaker = mockClient(SageMakerClient);
const s3 = mockClient(S3Client);
const ssm = mockClient(ssmSdk.SSMClient);
const saved = { ...process.env };
let write: jest.SpyInstance;

/** The module as Lambda loads it, after the environment is set (sharing the mocked SDK classes). */
function coldStart(): Handler {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../../../lambda/deploy-model/index') as { handler: Handler }).handler;
}

/** A state change of version `version` of the project's group to `status`. */
function stateChange(version: number, status: 'Approved' | 'Rejected') {
  const event = awsEvent<{ account: string; detail: Record<string, unknown> }>(
    'sagemaker-model-package-state-change.json',
  );
  event.account = ACCOUNT;
  Object.assign(event.detail, {
    ModelPackageGroupName: GROUP,
    ModelPackageVersion: version,
    ModelPackageArn: arnOf(version),
    ModelApprovalStatus: status,
  });
  return event;
}

/** The group's Approved versions, as ListModelPackages and DescribeModelPackage answer. */
function approved(...versions: number[]) {
  sagemaker
    .on(ListModelPackagesCommand)
    .resolves({ ModelPackageSummaryList: versions.map((v) => ({ ModelPackageArn: arnOf(v) }) as never) });
  sagemaker.on(DescribeModelPackageCommand).callsFake(async (input: { ModelPackageName: string }) => {
    const version = Number(input.ModelPackageName.split('/').pop());
    return {
      ModelPackageArn: input.ModelPackageName,
      ModelPackageVersion: version,
      ModelApprovalStatus: 'Approved',
      ModelPackageStatus: 'Completed',
      LastModifiedTime: new Date('2026-01-01T00:00:00Z'),
      InferenceSpecification: { Containers: [{ Image: 'x', ModelDataUrl: `s3://artifacts/v${version}/model.tar.gz` }] },
    };
  });
}

/** The stage's parameter points at `version` (undefined: there is none yet). */
function served(version?: number) {
  if (version === undefined) {
    ssm.on(ssmSdk.GetParameterCommand).rejects(new ssmSdk.ParameterNotFound({ message: 'not found', $metadata: {} }));
  } else {
    ssm.on(ssmSdk.GetParameterCommand).resolves({ Parameter: { Value: `demo/${GROUP}/v${version}.tar.gz` } });
  }
}

beforeEach(() => {
  sagemaker.reset();
  s3.reset();
  ssm.reset();
  Object.assign(process.env, ENV);
  write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  sagemaker.on(ListTagsCommand).resolves({ Tags: [{ Key: 'sagemaker:project-id', Value: 'p-demo00000001' }] });
  s3.on(HeadObjectCommand).rejects(new NotFound({ message: 'not found', $metadata: {} }));
  s3.on(CopyObjectCommand).resolves({ CopyObjectResult: {} });
  s3.on(ListObjectsV2Command).resolves({ Contents: [] });
  ssm.on(ssmSdk.PutParameterCommand).resolves({});
  ssm.on(ssmSdk.DeleteParameterCommand).resolves({});
});
afterEach(() => {
  write.mockRestore();
  process.env = { ...saved };
});

describe('deploy handler metrics (EMF on stdout, namespace MultibranchMlops)', () => {
  it('counts a promotion: an approved version is served', async () => {
    approved(1, 2);
    served(1);
    await expect(coldStart()(stateChange(2, 'Approved'))).resolves.toMatchObject({ outcome: 'promoted' });
    expect(ssm).toHaveReceivedCommandWith(ssmSdk.PutParameterCommand, { Value: `demo/${GROUP}/v2.tar.gz` });
    expect(emfPoints(write)).toEqual([
      { namespace: 'MultibranchMlops', name: 'ModelPromotions', unit: 'Count', value: 1, dimensions },
    ]);
  });

  it('counts a rollback, and no promotion: the served version was rejected, the earlier one is served again', async () => {
    approved(1);
    served(2);
    await expect(coldStart()(stateChange(2, 'Rejected'))).resolves.toMatchObject({ outcome: 'promoted' });
    expect(ssm).toHaveReceivedCommandWith(ssmSdk.PutParameterCommand, { Value: `demo/${GROUP}/v1.tar.gz` });
    const points = emfPoints(write);
    expect(points).toEqual([
      { namespace: 'MultibranchMlops', name: 'ModelRollbacks', unit: 'Count', value: 1, dimensions },
    ]);
    expect(points.map((p) => p.name)).not.toContain('ModelPromotions');
  });

  it('counts a withdrawal (no approved version left), and nothing for a repeated event', async () => {
    approved();
    served(1);
    const handler = coldStart();
    await expect(handler(stateChange(1, 'Rejected'))).resolves.toMatchObject({ outcome: 'withdrawn' });
    expect(emfPoints(write)).toEqual([
      { namespace: 'MultibranchMlops', name: 'ModelsWithdrawn', unit: 'Count', value: 1, dimensions },
    ]);
    write.mockClear();
    approved(1);
    served(1);
    s3.on(HeadObjectCommand).resolves({ Metadata: { 'model-package-arn': arnOf(1) } });
    await expect(handler(stateChange(1, 'Approved'))).resolves.toMatchObject({ outcome: 'unchanged' });
    expect(emfPoints(write)).toEqual([]);
  });

  it('counts a failed invocation under Errors', async () => {
    sagemaker.on(ListTagsCommand).rejects(new Error('throttled'));
    await expect(coldStart()(stateChange(2, 'Approved'))).rejects.toThrow('throttled');
    expect(emfPoints(write)).toEqual([
      { namespace: 'MultibranchMlops', name: 'Errors', unit: 'Count', value: 1, dimensions },
    ]);
  });
});
