import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SageMakerClient, UpdateModelPackageCommand } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { S3Client } from '@aws-sdk/client-s3';
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
});
