import { mockClient } from 'aws-sdk-client-mock';
import { ENV, referenceEvent } from './support';

type HandlerModule = typeof import('../../../lambda/branch-pipeline/index');
type CloudFormationModule = typeof import('@aws-sdk/client-cloudformation');
type CodeCommitModule = typeof import('@aws-sdk/client-codecommit');

interface Loaded {
  handler: HandlerModule['handler'];
  sdk: CloudFormationModule;
  codecommitSdk: CodeCommitModule;
}

/**
 * Loads the handler module afresh (a cold start) with `env` as the environment, together with the SDK module
 * instances it uses, so the test can mock those modules' client classes.
 */
function coldStart(env: NodeJS.ProcessEnv): Loaded {
  const saved = process.env;
  process.env = { ...saved, AWS_REGION: 'us-east-1', ...env };
  try {
    let loaded: Loaded | undefined;
    jest.isolateModules(() => {
      const sdk = jest.requireActual<CloudFormationModule>('@aws-sdk/client-cloudformation');
      const codecommitSdk = jest.requireActual<CodeCommitModule>('@aws-sdk/client-codecommit');
      const { handler } = jest.requireActual<HandlerModule>('../../../lambda/branch-pipeline/index');
      loaded = { handler, sdk, codecommitSdk };
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
    const { handler, sdk, codecommitSdk } = coldStart(ENV);
    const cloudformation = mockClient(sdk.CloudFormationClient);
    cloudformation.on(sdk.DescribeStacksCommand).resolves({ Stacks: [] });
    cloudformation.on(sdk.CreateStackCommand).resolves({ StackId: 'arn:new' });
    const codecommit = mockClient(codecommitSdk.CodeCommitClient);
    codecommit.on(codecommitSdk.GetBranchCommand).resolves({ branch: { branchName: 'experiment/x' } });

    await expect(handler(referenceEvent('referenceCreated', 'experiment/x'))).resolves.toMatchObject({
      action: 'create',
      stack: 'created',
    });
    expect(cloudformation).toHaveReceivedCommandWith(sdk.CreateStackCommand, {
      StackName: 'mbm-fraud-branch-experiment--x',
    });
    const logged = write.mock.calls.map((call) => JSON.parse(String(call[0])));
    expect(logged).toContainEqual(expect.objectContaining({ project: 'fraud', repository: ENV.REPOSITORY_NAME }));
    expect(codecommit).toHaveReceivedCommandWith(codecommitSdk.GetBranchCommand, {
      repositoryName: ENV.REPOSITORY_NAME,
      branchName: 'experiment/x',
    });
    cloudformation.restore();
    codecommit.restore();
  });

  it('fails the cold start on a missing variable, naming it', () => {
    const env: NodeJS.ProcessEnv = { ...ENV, CLOUDFORMATION_ROLE_ARN: undefined };
    expect(() => coldStart(env)).toThrow(/CLOUDFORMATION_ROLE_ARN: is required/);
  });
});
