import { mockClient } from 'aws-sdk-client-mock';
import { emfPoints } from '../../support/emf';
import { branchStack, ENV, referenceEvent } from './support';

type HandlerModule = typeof import('../../../lambda/branch-pipeline/index');
type CloudFormationModule = typeof import('@aws-sdk/client-cloudformation');
type CodeCommitModule = typeof import('@aws-sdk/client-codecommit');

interface Loaded {
  handler: HandlerModule['handler'];
  branchPipelineMetrics: HandlerModule['branchPipelineMetrics'];
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
      const { handler, branchPipelineMetrics } = jest.requireActual<HandlerModule>(
        '../../../lambda/branch-pipeline/index',
      );
      loaded = { handler, branchPipelineMetrics, sdk, codecommitSdk };
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

describe('branch function metrics (EMF on stdout, namespace MultibranchMlops)', () => {
  let write: jest.SpyInstance;
  beforeEach(() => {
    write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => write.mockRestore());
  const dimensions = { service: 'branch-pipeline', project: 'fraud' };

  /** A cold start whose DescribeStacks lists `stacks` for the project and finds no stack by name. */
  function withStacks(env: NodeJS.ProcessEnv, stacks: ReturnType<typeof branchStack>[]) {
    const loaded = coldStart(env);
    const cloudformation = mockClient(loaded.sdk.CloudFormationClient);
    cloudformation
      .on(loaded.sdk.DescribeStacksCommand)
      .callsFake(async (input: { StackName?: string }) => ({ Stacks: input.StackName === undefined ? stacks : [] }));
    cloudformation.on(loaded.sdk.CreateStackCommand).resolves({ StackId: 'arn:new' });
    const codecommit = mockClient(loaded.codecommitSdk.CodeCommitClient);
    codecommit.on(loaded.codecommitSdk.GetBranchCommand).resolves({ branch: { branchName: 'experiment/x' } });
    codecommit
      .on(loaded.codecommitSdk.ListBranchesCommand)
      .resolves({ branches: ['main', 'experiment/a', 'experiment/x'] });
    return {
      ...loaded,
      cloudformation,
      restore: () => {
        cloudformation.restore();
        codecommit.restore();
      },
    };
  }

  it('counts a created branch pipeline', async () => {
    const { handler, restore } = withStacks(ENV, []);
    await handler(referenceEvent('referenceCreated', 'experiment/x'));
    restore();
    expect(emfPoints(write)).toEqual([
      { namespace: 'MultibranchMlops', name: 'BranchPipelinesCreated', unit: 'Count', value: 1, dimensions },
    ]);
  });

  it('counts a refusal at maxBranchPipelines, and no creation', async () => {
    const { handler, sdk, cloudformation, restore } = withStacks({ ...ENV, MAX_BRANCH_PIPELINES: '1' }, [
      branchStack('experiment/a', 'CREATE_COMPLETE'),
    ]);
    await expect(handler(referenceEvent('referenceCreated', 'experiment/x'))).resolves.toMatchObject({
      action: 'ignored',
    });
    expect(cloudformation).not.toHaveReceivedCommand(sdk.CreateStackCommand);
    restore();
    const points = emfPoints(write);
    expect(points).toEqual([
      { namespace: 'MultibranchMlops', name: 'BranchPipelinesRefused', unit: 'Count', value: 1, dimensions },
    ]);
    expect(points.map((p) => p.name)).not.toContain('BranchPipelinesCreated');
  });

  it('gives the number of branch pipelines after a reconcile, with what it created', async () => {
    const { handler, restore } = withStacks(ENV, [branchStack('experiment/a', 'CREATE_COMPLETE')]);
    await expect(handler({ action: 'reconcile' })).resolves.toMatchObject({
      unchanged: ['experiment/a'],
      created: ['experiment/x'],
    });
    restore();
    const points = emfPoints(write);
    expect(points).toContainEqual(expect.objectContaining({ name: 'BranchPipelines', value: 2, dimensions }));
    expect(points).toContainEqual(expect.objectContaining({ name: 'BranchPipelinesCreated', value: 1, dimensions }));
    expect(points).toHaveLength(2);
  });

  it('counts a failed invocation under Errors', async () => {
    const { handler, restore } = withStacks(ENV, []);
    await expect(handler({ action: 'unknown' })).rejects.toThrow();
    restore();
    expect(emfPoints(write)).toEqual([
      { namespace: 'MultibranchMlops', name: 'Errors', unit: 'Count', value: 1, dimensions },
    ]);
  });

  it('counts a started deletion (not an absent stack) and the stacks a project deletion removed', () => {
    const { branchPipelineMetrics } = coldStart(ENV);
    const branch = 'experiment/x';
    expect(
      branchPipelineMetrics({ action: 'delete', branch, stack: 'deleting', sageMakerPipeline: 'deleted' }),
    ).toEqual([{ name: 'BranchPipelinesDeleted', value: 1 }]);
    expect(branchPipelineMetrics({ action: 'delete', branch, stack: 'absent', sageMakerPipeline: 'absent' })).toEqual(
      [],
    );
    expect(
      branchPipelineMetrics({ action: 'lifecycle', requestType: 'Delete', status: 'SUCCESS', removed: ['s1', 's2'] }),
    ).toEqual([{ name: 'BranchPipelinesDeleted', value: 2 }]);
    expect(
      branchPipelineMetrics({
        action: 'lifecycle',
        requestType: 'Delete',
        status: 'FAILED',
        reason: 'r',
        remaining: ['s1'],
      }),
    ).toEqual([]);
    expect(branchPipelineMetrics({ action: 'ignored', reason: 'branch exists again', branch })).toEqual([]);
  });
});
