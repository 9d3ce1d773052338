import { mockClient } from 'aws-sdk-client-mock';
import { ENV, referenceEvent } from './support';

type HandlerModule = typeof import('../../../lambda/branch-pipeline/index');
type CloudFormationModule = typeof import('@aws-sdk/client-cloudformation');

/**
 * Loads the handler module afresh (a cold start) with `env` as the environment, together with the SDK module
 * instance it uses, so the test can mock that module's client class.
 */
function coldStart(env: NodeJS.ProcessEnv): { handler: HandlerModule['handler']; sdk: CloudFormationModule } {
  const saved = process.env;
  process.env = { ...saved, AWS_REGION: 'us-east-1', ...env };
  try {
    let loaded: { handler: HandlerModule['handler']; sdk: CloudFormationModule } | undefined;
    jest.isolateModules(() => {
      const sdk = jest.requireActual<CloudFormationModule>('@aws-sdk/client-cloudformation');
      const { handler } = jest.requireActual<HandlerModule>('../../../lambda/branch-pipeline/index');
      loaded = { handler, sdk };
    });
    return loaded!;
  } finally {
    process.env = saved;
  }
}

describe('branch function handler', () => {
  let write: jest.SpyInstance;
  beforeEach(() => {
    write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => write.mockRestore());

  it('reads its configuration at cold start and handles a created branch with the default clients', async () => {
    const { handler, sdk } = coldStart(ENV);
    const cloudformation = mockClient(sdk.CloudFormationClient);
    cloudformation.on(sdk.CreateStackCommand).resolves({ StackId: 'arn:new' });

    await expect(handler(referenceEvent('referenceCreated', 'experiment/x'))).resolves.toMatchObject({
      action: 'create',
      stack: 'created',
    });
    expect(cloudformation).toHaveReceivedCommandWith(sdk.CreateStackCommand, {
      StackName: 'fraud-branch-experiment--x',
    });
    const logged = write.mock.calls.map((call) => JSON.parse(String(call[0])));
    expect(logged).toContainEqual(expect.objectContaining({ project: 'fraud', repository: ENV.REPOSITORY_NAME }));
    cloudformation.restore();
  });

  it('fails the cold start on a missing variable, naming it', () => {
    const env: NodeJS.ProcessEnv = { ...ENV, CLOUDFORMATION_ROLE_ARN: undefined };
    expect(() => coldStart(env)).toThrow(/CLOUDFORMATION_ROLE_ARN: is required/);
  });
});
