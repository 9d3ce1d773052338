import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ModelApprovalStatus, SageMakerClient, UpdateModelPackageCommand } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { S3Client } from '@aws-sdk/client-s3';
import { ConflictError } from '../../../contracts/errors';
import { emfPoints } from '../../support/emf';
import { arnOf, commit, mockArtifacts, mockIntentTable, mockRegistry, versions } from './support';

type Handler = (event: unknown) => Promise<{ outcome: string }>;

const sagemaker = mockClient(SageMakerClient);
const dynamodb = mockClient(DynamoDBClient);
const s3 = mockClient(S3Client);
const saved = { ...process.env };

/** The module as Lambda loads it, after the environment is set (sharing the mocked SDK classes). */
function loadHandler(): Handler {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../../../lambda/release-model/index') as { handler: Handler }).handler;
}

/** A fresh cold start in its own module registry. */
function coldStart(): void {
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('../../../lambda/release-model/index');
  });
}

beforeEach(() => {
  sagemaker.reset();
  dynamodb.reset();
  s3.reset();
  mockIntentTable(dynamodb);
  mockArtifacts(s3);
  Object.assign(process.env, {
    AWS_REGION: 'us-east-2',
    PROJECT_NAME: 'demo',
    REPOSITORY_NAME: 'MyDemoRepo',
    MAIN_BRANCH: 'main',
    MODEL_PACKAGE_GROUP_NAME: 'model-demo',
    INTENT_TABLE_NAME: 'demo-release-intents',
    PROJECT_ID: 'p-demo00000001',
    COMMIT_INDEX_TABLE_NAME: 'commit-index-demo',
    ARTIFACT_BUCKET_NAME: 'demo-artifacts',
    LOG_LEVEL: 'ERROR',
  });
});
afterEach(() => {
  process.env = { ...saved };
});

describe('release handler', () => {
  it('wires configuration and default clients: a direct invocation approves the commit', async () => {
    mockRegistry(sagemaker, versions(3));
    const handler = loadHandler();

    const result = await handler({ commit_id: commit(2) });

    expect(result).toMatchObject({ outcome: 'approved' });
    expect(sagemaker).toHaveReceivedCommandWith(UpdateModelPackageCommand, { ModelPackageArn: arnOf(2) });
  });

  it('fails at cold start naming a missing variable', () => {
    delete process.env.MODEL_PACKAGE_GROUP_NAME;
    expect(() => coldStart()).toThrow('MODEL_PACKAGE_GROUP_NAME: is required');
  });

  describe('metrics (EMF on stdout, namespace MultibranchMlops)', () => {
    let write: jest.SpyInstance;
    beforeEach(() => {
      write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    });
    afterEach(() => write.mockRestore());
    const dimensions = { service: 'release-model', project: 'demo' };

    it('counts an approval: ModelVersionsApproved 1, in one EMF object', async () => {
      mockRegistry(sagemaker, versions(3));
      await loadHandler()({ commit_id: commit(2) });
      expect(emfPoints(write)).toEqual([
        { namespace: 'MultibranchMlops', name: 'ModelVersionsApproved', unit: 'Count', value: 1, dimensions },
      ]);
    });

    it('counts a refusal by its reason and no approval: a Rejected version (the direct caller gets the error)', async () => {
      mockRegistry(sagemaker, [{ version: 1, commitId: commit(1), status: ModelApprovalStatus.REJECTED }]);
      await expect(loadHandler()({ commit_id: commit(1) })).rejects.toThrow(ConflictError);
      const points = emfPoints(write);
      expect(points).toContainEqual({
        namespace: 'MultibranchMlops',
        name: 'ReleaseRefused',
        unit: 'Count',
        value: 1,
        dimensions: { ...dimensions, reason: 'rejected-version' },
      });
      expect(points).toContainEqual(expect.objectContaining({ name: 'Errors', value: 1, dimensions }));
      expect(points.map((p) => p.name)).not.toContain('ModelVersionsApproved');
      expect(sagemaker).not.toHaveReceivedCommand(UpdateModelPackageCommand);
    });

    it('counts a recorded intent, and nothing approved', async () => {
      mockRegistry(sagemaker, versions(1));
      await expect(loadHandler()({ commit_id: commit(7), approve_when_registered: true })).resolves.toMatchObject({
        outcome: 'intent-recorded',
      });
      expect(emfPoints(write)).toEqual([
        { namespace: 'MultibranchMlops', name: 'ReleaseIntentsRecorded', unit: 'Count', value: 1, dimensions },
      ]);
    });
  });
});
