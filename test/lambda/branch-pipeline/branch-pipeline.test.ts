import {
  AlreadyExistsException,
  CloudFormationClient,
  CloudFormationServiceException,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  Stack,
  TokenAlreadyExistsException,
} from '@aws-sdk/client-cloudformation';
import {
  BranchDoesNotExistException,
  CodeCommitClient,
  GetBranchCommand,
  ListBranchesCommand,
  RepositoryDoesNotExistException,
} from '@aws-sdk/client-codecommit';
import {
  ConflictException,
  DeletePipelineCommand,
  DescribePipelineCommand,
  ListTagsCommand,
  ResourceNotFound,
  SageMakerClient,
  SageMakerServiceException,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { BranchPipelineDeps, handleBranchPipelineEvent } from '../../../lambda/branch-pipeline/branch-pipeline';
import { requestToken } from '../../../lambda/branch-pipeline/stack-lookup';
import { ConflictError, RetryLaterError, ValidationError } from '../../../contracts/errors';
import {
  branchStackName,
  branchTagValue,
  codePipelineName,
  legacyBranchNames,
  sageMakerPipelineName,
} from '../../../contracts/naming';
import { branchStack, CONFIG, memoryLogger, referenceEvent } from './support';

const cloudformation = mockClient(CloudFormationClient);
const codecommit = mockClient(CodeCommitClient);
const sagemaker = mockClient(SageMakerClient);

const BRANCH = 'experiment/deeper-trees';
const STACK = branchStackName(CONFIG.projectName, BRANCH);
const PIPELINE_ARN = 'arn:aws:sagemaker:us-east-1:111111111111:pipeline/fraud-experiment-deeper-trees';
const pipelineMissing = () => new ResourceNotFound({ $metadata: {}, message: 'not found' });

const missing = (name = STACK) =>
  new CloudFormationServiceException({
    name: 'ValidationError',
    $fault: 'client',
    $metadata: {},
    message: `Stack with id ${name} does not exist`,
  });
const alreadyExists = () => new AlreadyExistsException({ $metadata: {}, message: `Stack [${STACK}] already exists` });
const branchGone = (branch = BRANCH) =>
  new BranchDoesNotExistException({ $metadata: {}, message: `Could not find branch ${branch}` });

let deps: BranchPipelineDeps;
let lines: Record<string, unknown>[];
let sleeps: number[];

beforeEach(() => {
  cloudformation.reset();
  codecommit.reset();
  sagemaker.reset();
  // A stack in DELETE_FAILED: its pipeline failed to delete; no earlier retaining deletion in its events.
  cloudformation.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
  cloudformation.on(ListStackResourcesCommand).resolves({
    StackResourceSummaries: [
      {
        LogicalResourceId: 'Pipeline',
        ResourceType: 'AWS::CodePipeline::Pipeline',
        ResourceStatus: 'DELETE_FAILED',
        LastUpdatedTimestamp: new Date(0),
      },
      {
        LogicalResourceId: 'Rule',
        ResourceType: 'AWS::Events::Rule',
        ResourceStatus: 'DELETE_COMPLETE',
        LastUpdatedTimestamp: new Date(0),
      },
    ],
  });
  const memory = memoryLogger();
  lines = memory.lines;
  sleeps = [];
  deps = {
    config: CONFIG,
    logger: memory.logger,
    cloudformation: new CloudFormationClient({}),
    codecommit: new CodeCommitClient({}),
    sagemaker: new SageMakerClient({}),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  };
  // By default: no stack yet (and none listed), and the branch exists.
  listed = [];
  describeReturns(missing());
  cloudformation.on(CreateStackCommand).resolves({ StackId: 'arn:new' });
  cloudformation.on(DeleteStackCommand).resolves({});
  codecommit.on(GetBranchCommand).resolves({ branch: { branchName: BRANCH, commitId: 'a'.repeat(40) } });
  sagemaker.on(DescribePipelineCommand).resolves({ PipelineArn: PIPELINE_ARN });
  sagemaker.on(ListTagsCommand).resolves({ Tags: pipelineTags(BRANCH) });
  sagemaker.on(DeletePipelineCommand).resolves({ PipelineArn: PIPELINE_ARN });
});

const handle = (event: unknown) => handleBranchPipelineEvent(event, deps);
const expectNoChange = () => {
  expect(cloudformation).not.toHaveReceivedCommand(CreateStackCommand);
  expect(cloudformation).not.toHaveReceivedCommand(DeleteStackCommand);
  expect(sagemaker).not.toHaveReceivedCommand(DeletePipelineCommand);
};
/** The tags the run command gives the SageMaker pipeline of `branch`. */
const pipelineTags = (branch: string) => [
  { Key: 'sagemaker:project-id', Value: CONFIG.projectId },
  { Key: 'multibranch-mlops:branch', Value: branchTagValue(branch) },
];
/** The project's stacks as DescribeStacks without a name lists them (the branch cap counts them). */
let listed: Stack[] = [];
/** DescribeStacks answers, by stack name or id, in order (the last one repeats); without a name it lists `listed`. */
const describeReturns = (...answers: (Stack | Error)[]) => {
  const queue = [...answers];
  cloudformation.on(DescribeStacksCommand).callsFake(async (input: { StackName?: string }) => {
    if (input.StackName === undefined) return { Stacks: listed };
    const answer = queue.length > 1 ? queue.shift() : queue[0];
    if (answer instanceof Error) throw answer;
    return { Stacks: answer === undefined ? [] : [answer] };
  });
};

describe('referenceCreated', () => {
  it('creates the branch stack from the template, with the role, parameters, tags and a request token', async () => {
    const result = await handle(referenceEvent('referenceCreated', BRANCH));

    expect(result).toEqual({ action: 'create', branch: BRANCH, stack: 'created' });
    expect(cloudformation).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: STACK });
    expect(cloudformation).toHaveReceivedCommandTimes(CreateStackCommand, 1);
    expect(cloudformation).toHaveReceivedCommandWith(CreateStackCommand, {
      StackName: 'mbm-fraud-branch-experiment--deeper-trees',
      TemplateURL: CONFIG.pipelineTemplateUrl,
      RoleARN: CONFIG.cloudFormationRoleArn,
      ClientRequestToken: expect.stringMatching(/^[a-zA-Z][-a-zA-Z0-9]{0,127}$/),
      Tags: [
        { Key: 'sagemaker:project-name', Value: 'fraud' },
        { Key: 'sagemaker:project-id', Value: 'p-abcdef123456' },
        { Key: 'multibranch-mlops:branch', Value: BRANCH },
      ],
    });
    const input = cloudformation.commandCalls(CreateStackCommand)[0]!.args[0].input;
    expect(Object.fromEntries((input.Parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue]))).toEqual({
      ...CONFIG.pipelineStackParameters,
      BranchName: BRANCH,
      PipelineName: codePipelineName(CONFIG.projectName, BRANCH),
    });
  });

  it('confirms with one GetBranch that the branch still exists before it creates the stack', async () => {
    await handle(referenceEvent('referenceCreated', BRANCH));

    expect(codecommit).toHaveReceivedCommandTimes(GetBranchCommand, 1);
    expect(codecommit).toHaveReceivedCommandWith(GetBranchCommand, {
      repositoryName: CONFIG.repositoryName,
      branchName: BRANCH,
    });
    expect(cloudformation).toHaveReceivedCommandTimes(CreateStackCommand, 1);
  });

  it('ignores a late create event of a branch deleted since: logged, nothing created', async () => {
    codecommit.on(GetBranchCommand).rejects(branchGone());

    const result = await handle(referenceEvent('referenceCreated', BRANCH, { id: 'late-1' }));

    expect(result).toEqual({ action: 'ignored', reason: 'branch no longer exists', branch: BRANCH });
    expect(codecommit).toHaveReceivedCommandTimes(GetBranchCommand, 1);
    expectNoChange();
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'INFO',
        message: 'branch no longer exists, ignoring',
        eventId: 'late-1',
        branch: BRANCH,
      }),
    );
    expect(lines.filter((line) => line.level === 'ERROR')).toEqual([]);
  });

  it('lets any other GetBranch error through, creating nothing', async () => {
    codecommit
      .on(GetBranchCommand)
      .rejects(new RepositoryDoesNotExistException({ $metadata: {}, message: 'model-fraud-train does not exist' }));

    await expect(handle(referenceEvent('referenceCreated', BRANCH))).rejects.toThrow(RepositoryDoesNotExistException);
    expectNoChange();
    expect(lines).toContainEqual(expect.objectContaining({ level: 'ERROR', message: 'event failed', branch: BRANCH }));
  });

  it('passes the exact branch name and a sanitized tag for a branch that is no valid tag value', async () => {
    const branch = 'experiment/$(rm -rf ~)`x`';
    await handle(referenceEvent('referenceCreated', branch));
    const input = cloudformation.commandCalls(CreateStackCommand)[0]!.args[0].input;
    expect(input.Parameters).toContainEqual({ ParameterKey: 'BranchName', ParameterValue: branch });
    const tag = input.Tags?.find((t) => t.Key === 'multibranch-mlops:branch')?.Value;
    expect(tag).toMatch(/^experiment\/-rm -rf -x----[0-9a-f]{16}$/);
    expect(input.StackName).toMatch(/^mbm-fraud-branch-experiment-rm-rf-x---[0-9a-f]{16}$/);
  });

  it('sends the same request token for the same event twice, and another for another event', async () => {
    await handle(referenceEvent('referenceCreated', BRANCH, { id: 'event-1' }));
    await handle(referenceEvent('referenceCreated', BRANCH, { id: 'event-1' }));
    await handle(referenceEvent('referenceCreated', BRANCH, { id: 'event-2' }));
    const tokens = cloudformation.commandCalls(CreateStackCommand).map((c) => c.args[0].input.ClientRequestToken);
    expect(tokens[0]).toBe(tokens[1]);
    expect(tokens[2]).not.toBe(tokens[0]);
  });

  it.each(['CREATE_COMPLETE', 'CREATE_IN_PROGRESS', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE'])(
    'treats a duplicate event as success when the stack exists (%s), without asking for the branch',
    async (status) => {
      describeReturns(branchStack(BRANCH, status));

      await expect(handle(referenceEvent('referenceCreated', BRANCH))).resolves.toEqual({
        action: 'create',
        branch: BRANCH,
        stack: 'exists',
      });
      expectNoChange();
      expect(codecommit).not.toHaveReceivedCommand(GetBranchCommand);
    },
  );

  it('treats a reused request token as the creation already requested', async () => {
    cloudformation.on(CreateStackCommand).rejects(new TokenAlreadyExistsException({ $metadata: {}, message: 'x' }));
    await expect(handle(referenceEvent('referenceCreated', BRANCH))).resolves.toMatchObject({ stack: 'exists' });
  });

  it('refuses a stack with the branch’s name that lacks the project’s tags, touching nothing', async () => {
    describeReturns(branchStack(BRANCH, 'ROLLBACK_COMPLETE', { tags: { 'sagemaker:project-name': 'fraud' } }));

    await expect(handle(referenceEvent('referenceCreated', BRANCH))).rejects.toThrow(ConflictError);
    expectNoChange();
  });

  it('refuses a stack of another project', async () => {
    describeReturns(
      branchStack(BRANCH, 'CREATE_COMPLETE', {
        tags: { 'sagemaker:project-name': 'fraud', 'sagemaker:project-id': 'p-other0000000' },
      }),
    );
    await expect(handle(referenceEvent('referenceCreated', BRANCH))).rejects.toThrow(/does not carry the tags/);
  });

  it('refuses a project stack whose BranchName is another branch', async () => {
    describeReturns(branchStack(BRANCH, 'ROLLBACK_COMPLETE', { branchParameter: 'experiment/other' }));
    await expect(handle(referenceEvent('referenceCreated', BRANCH))).rejects.toThrow(/belongs to branch/);
    expect(cloudformation).not.toHaveReceivedCommand(DeleteStackCommand);
  });

  it.each(['ROLLBACK_COMPLETE', 'CREATE_FAILED', 'ROLLBACK_FAILED', 'DELETE_FAILED'])(
    'deletes a stack in %s, waits until it is gone and creates it again',
    async (status) => {
      const failed = branchStack(BRANCH, status);
      describeReturns(failed, branchStack(BRANCH, 'DELETE_IN_PROGRESS'), missing());

      const event = referenceEvent('referenceCreated', BRANCH, { id: 'evt-r' });
      await expect(handle(event)).resolves.toMatchObject({ stack: 'recreated' });
      expect(cloudformation).toHaveReceivedCommandWith(DeleteStackCommand, {
        StackName: failed.StackId,
        RoleARN: CONFIG.cloudFormationRoleArn,
        // Only a stack in DELETE_FAILED is deleted retaining the resources that failed.
        ...(status === 'DELETE_FAILED' ? { RetainResources: ['Pipeline'] } : {}),
      });
      expect(cloudformation).toHaveReceivedCommandTimes(CreateStackCommand, 1);
      // The replacement is a request of its own, not the same event's plain creation (which may have made the stack).
      const token = cloudformation.commandCalls(CreateStackCommand)[0]!.args[0].input.ClientRequestToken;
      expect(token).toBe(requestToken('recreate', 'evt-r', failed.StackId ?? ''));
      expect(token).not.toBe(requestToken('create', 'evt-r', STACK));
      expect(sleeps).toEqual([5000]);
      expect(codecommit).toHaveReceivedCommandTimes(GetBranchCommand, 1);
    },
  );

  it('neither deletes nor recreates the failed stack of a branch deleted since', async () => {
    describeReturns(branchStack(BRANCH, 'ROLLBACK_COMPLETE'));
    codecommit.on(GetBranchCommand).rejects(branchGone());

    await expect(handle(referenceEvent('referenceCreated', BRANCH))).resolves.toEqual({
      action: 'ignored',
      reason: 'branch no longer exists',
      branch: BRANCH,
    });
    expectNoChange();
  });

  it('asks to be retried when the failed stack is not deleted within the configured wait', async () => {
    deps = { ...deps, config: { ...CONFIG, stackDeleteWaitSeconds: 12 } };
    describeReturns(branchStack(BRANCH, 'ROLLBACK_COMPLETE'), branchStack(BRANCH, 'DELETE_IN_PROGRESS'));

    await expect(handle(referenceEvent('referenceCreated', BRANCH))).rejects.toThrow(RetryLaterError);
    expect(cloudformation).toHaveReceivedCommandTimes(DeleteStackCommand, 1);
    expect(cloudformation).not.toHaveReceivedCommand(CreateStackCommand);
    expect(sleeps).toEqual([5000, 5000]);
  });

  it('does not wait beyond the invocation’s remaining time', async () => {
    deps = { ...deps, remainingTimeMs: () => 16_000 };
    describeReturns(branchStack(BRANCH, 'CREATE_FAILED'), branchStack(BRANCH, 'DELETE_IN_PROGRESS'));

    await expect(handle(referenceEvent('referenceCreated', BRANCH))).rejects.toThrow(RetryLaterError);
    expect(sleeps).toEqual([]);
  });

  it('deletes a failed stack whose deletion fails once more, retaining what failed, and then never again', async () => {
    const failed = { ...branchStack(BRANCH, 'DELETE_FAILED'), StackStatusReason: 'pipeline in use' };
    const token = requestToken('delete-retaining', failed.StackId ?? '');
    describeReturns(branchStack(BRANCH, 'ROLLBACK_COMPLETE'), failed, failed);
    deps = { ...deps, config: { ...CONFIG, stackDeleteWaitSeconds: 7 } };
    await expect(handle(referenceEvent('referenceCreated', BRANCH))).rejects.toThrow(RetryLaterError);
    expect(cloudformation).toHaveReceivedCommandTimes(DeleteStackCommand, 2);
    expect(cloudformation.commandCalls(DeleteStackCommand)[1]?.args[0].input).toMatchObject({
      StackName: failed.StackId,
      ClientRequestToken: token,
      RetainResources: ['Pipeline'],
    });

    // The retaining deletion failed too: its token is in the stack's events. No third DeleteStack, ever.
    cloudformation.on(DescribeStackEventsCommand).resolves({
      StackEvents: [
        {
          StackId: failed.StackId,
          StackName: STACK,
          EventId: 'e',
          Timestamp: new Date(0),
          ClientRequestToken: token,
          ResourceStatus: 'DELETE_FAILED',
        },
      ],
    });
    for (const event of [referenceEvent('referenceCreated', BRANCH), referenceEvent('referenceDeleted', BRANCH)]) {
      describeReturns(failed);
      codecommit.on(GetBranchCommand).resolves({ branch: { branchName: BRANCH, commitId: 'b'.repeat(40) } });
      if (event.detail.event === 'referenceDeleted') codecommit.on(GetBranchCommand).rejects(branchGone());
      await expect(handle(event)).rejects.toThrow(/could not be deleted, even retaining .*needs an operator/);
    }
    expect(cloudformation).toHaveReceivedCommandTimes(DeleteStackCommand, 2);
    expect(cloudformation).not.toHaveReceivedCommand(CreateStackCommand);
    expect(lines.some((l) => l.level === 'ERROR' && String(l.message).includes('needs an operator'))).toBe(true);
  });

  it.each(['DELETE_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS'])(
    'asks to be retried when the stack is in %s, changing nothing',
    async (status) => {
      describeReturns(branchStack(BRANCH, status));
      await expect(handle(referenceEvent('referenceCreated', BRANCH))).rejects.toThrow(RetryLaterError);
      expectNoChange();
    },
  );

  it.each(['UPDATE_ROLLBACK_FAILED', 'IMPORT_ROLLBACK_FAILED'])(
    'leaves a stack in %s to an operator',
    async (status) => {
      describeReturns(branchStack(BRANCH, status));
      await expect(handle(referenceEvent('referenceCreated', BRANCH))).rejects.toThrow(/needs an operator/);
      expect(cloudformation).not.toHaveReceivedCommand(DeleteStackCommand);
    },
  );

  it('lets an unexpected CloudFormation error through', async () => {
    cloudformation.on(CreateStackCommand).rejects(new Error('Rate exceeded'));
    await expect(handle(referenceEvent('referenceCreated', BRANCH))).rejects.toThrow('Rate exceeded');
    expect(lines).toContainEqual(expect.objectContaining({ level: 'ERROR', message: 'event failed', branch: BRANCH }));
  });
});

describe('referenceUpdated', () => {
  it('creates the stack when its create event was lost', async () => {
    describeReturns(missing());
    await expect(handle(referenceEvent('referenceUpdated', BRANCH))).resolves.toEqual({
      action: 'heal',
      branch: BRANCH,
      stack: 'created',
    });
    expect(cloudformation).toHaveReceivedCommandWith(CreateStackCommand, { StackName: STACK });
    expect(codecommit).toHaveReceivedCommandTimes(GetBranchCommand, 1);
  });

  it('does nothing, and asks nothing of CodeCommit, when the stack exists', async () => {
    describeReturns(branchStack(BRANCH, 'UPDATE_COMPLETE'));
    await expect(handle(referenceEvent('referenceUpdated', BRANCH))).resolves.toMatchObject({ stack: 'exists' });
    expectNoChange();
    expect(codecommit).not.toHaveReceivedCommand(GetBranchCommand);
  });

  it('ignores a late push event of a branch deleted since: no stack comes back', async () => {
    codecommit.on(GetBranchCommand).rejects(branchGone());
    await expect(handle(referenceEvent('referenceUpdated', BRANCH))).resolves.toEqual({
      action: 'ignored',
      reason: 'branch no longer exists',
      branch: BRANCH,
    });
    expectNoChange();
    expect(lines).toContainEqual(expect.objectContaining({ message: 'branch no longer exists, ignoring' }));
  });

  it('recreates a stack stuck in ROLLBACK_COMPLETE', async () => {
    describeReturns(branchStack(BRANCH, 'ROLLBACK_COMPLETE'), missing());
    await expect(handle(referenceEvent('referenceUpdated', BRANCH))).resolves.toMatchObject({ stack: 'recreated' });
    expect(cloudformation).toHaveReceivedCommandTimes(DeleteStackCommand, 1);
    expect(cloudformation).toHaveReceivedCommandTimes(CreateStackCommand, 1);
  });

  it('treats a stack created meanwhile by another invocation as existing', async () => {
    describeReturns(missing());
    cloudformation.on(CreateStackCommand).rejects(alreadyExists());
    await expect(handle(referenceEvent('referenceUpdated', BRANCH))).resolves.toMatchObject({ stack: 'exists' });
  });
});

describe('referenceDeleted', () => {
  // The branch is gone, as a delete event says.
  beforeEach(() => {
    codecommit.on(GetBranchCommand).rejects(branchGone());
  });

  it('ignores a late or retried delete event of a branch created again since: nothing deleted', async () => {
    codecommit.on(GetBranchCommand).resolves({ branch: { branchName: BRANCH, commitId: 'b'.repeat(40) } });
    describeReturns(branchStack(BRANCH, 'CREATE_COMPLETE'));

    await expect(handle(referenceEvent('referenceDeleted', BRANCH))).resolves.toEqual({
      action: 'ignored',
      reason: 'branch exists again',
      branch: BRANCH,
    });
    expect(codecommit).toHaveReceivedCommandWith(GetBranchCommand, {
      repositoryName: CONFIG.repositoryName,
      branchName: BRANCH,
    });
    expectNoChange();
  });

  it('lets any other GetBranch error through, deleting nothing', async () => {
    codecommit.on(GetBranchCommand).rejects(new RepositoryDoesNotExistException({ $metadata: {}, message: 'gone' }));
    describeReturns(branchStack(BRANCH, 'CREATE_COMPLETE'));
    await expect(handle(referenceEvent('referenceDeleted', BRANCH))).rejects.toThrow(RepositoryDoesNotExistException);
    expectNoChange();
  });

  it('deletes the branch stack with the role, and the branch’s SageMaker pipeline, and nothing else', async () => {
    const stack = branchStack(BRANCH, 'CREATE_COMPLETE');
    describeReturns(stack);

    await expect(handle(referenceEvent('referenceDeleted', BRANCH))).resolves.toEqual({
      action: 'delete',
      branch: BRANCH,
      stack: 'deleting',
      sageMakerPipeline: 'deleted',
    });
    expect(cloudformation).toHaveReceivedCommandWith(DeleteStackCommand, {
      StackName: stack.StackId,
      RoleARN: CONFIG.cloudFormationRoleArn,
      ClientRequestToken: expect.stringMatching(/^delete-[0-9a-f]{40}$/),
    });
    expect(sagemaker).toHaveReceivedCommandWith(DeletePipelineCommand, {
      PipelineName: sageMakerPipelineName(CONFIG.projectName, BRANCH),
      ClientRequestToken: expect.stringMatching(/^.{32,128}$/),
    });
    expect(sagemaker).toHaveReceivedCommandWith(ListTagsCommand, { ResourceArn: PIPELINE_ARN });
    // Only the pipeline's lookup, its tags and DeletePipeline reached SageMaker: no model package or experiment call.
    expect(sagemaker.calls().map((call) => call.args[0].constructor.name)).toEqual([
      'DescribePipelineCommand',
      'ListTagsCommand',
      'DeletePipelineCommand',
    ]);
    expect(cloudformation).not.toHaveReceivedCommand(CreateStackCommand);
  });

  it('is fine when the stack and the SageMaker pipeline are already gone', async () => {
    describeReturns(missing());
    sagemaker.on(DescribePipelineCommand).rejects(pipelineMissing());
    await expect(handle(referenceEvent('referenceDeleted', BRANCH))).resolves.toMatchObject({
      stack: 'absent',
      sageMakerPipeline: 'absent',
    });
    expect(cloudformation).not.toHaveReceivedCommand(DeleteStackCommand);
    expect(sagemaker).not.toHaveReceivedCommand(DeletePipelineCommand);
  });

  it('is fine when the SageMaker pipeline goes between its lookup and its deletion', async () => {
    describeReturns(branchStack(BRANCH, 'CREATE_COMPLETE'));
    sagemaker.on(DeletePipelineCommand).rejects(pipelineMissing());
    await expect(handle(referenceEvent('referenceDeleted', BRANCH))).resolves.toMatchObject({
      stack: 'deleting',
      sageMakerPipeline: 'absent',
    });
  });

  it.each([
    ['without the project id tag', []],
    ['of another project', [{ Key: 'sagemaker:project-id', Value: 'p-000000000002' }]],
  ])('keeps a SageMaker pipeline %s, with a warning, and deletes the stack', async (_, tags) => {
    describeReturns(branchStack(BRANCH, 'CREATE_COMPLETE'));
    sagemaker.on(ListTagsCommand).resolves({ Tags: tags });

    await expect(handle(referenceEvent('referenceDeleted', BRANCH))).resolves.toMatchObject({
      stack: 'deleting',
      sageMakerPipeline: 'not-ours',
    });
    expect(sagemaker).not.toHaveReceivedCommand(DeletePipelineCommand);
    expect(cloudformation).toHaveReceivedCommandTimes(DeleteStackCommand, 1);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'WARN', message: expect.stringContaining('not this project') }),
    );
  });

  it('reads every page of the SageMaker pipeline’s tags', async () => {
    describeReturns(missing());
    sagemaker
      .on(ListTagsCommand)
      .resolvesOnce({ Tags: [{ Key: 'other', Value: 'x' }], NextToken: 'page-2' })
      .resolvesOnce({ Tags: pipelineTags(BRANCH) });
    await expect(handle(referenceEvent('referenceDeleted', BRANCH))).resolves.toMatchObject({
      sageMakerPipeline: 'deleted',
    });
  });

  it('accepts the "could not find" ValidationException for a missing pipeline', async () => {
    describeReturns(missing());
    sagemaker.on(DescribePipelineCommand).rejects(
      new SageMakerServiceException({
        name: 'ValidationException',
        $fault: 'client',
        $metadata: {},
        message: 'Could not find pipeline with PipelineName fraud-x.',
      }),
    );
    await expect(handle(referenceEvent('referenceDeleted', BRANCH))).resolves.toMatchObject({
      sageMakerPipeline: 'absent',
    });
  });

  it('lets any other SageMaker validation error through', async () => {
    describeReturns(missing());
    sagemaker
      .on(DeletePipelineCommand)
      .rejects(
        new SageMakerServiceException({ name: 'ValidationException', $fault: 'client', $metadata: {}, message: 'bad' }),
      );
    await expect(handle(referenceEvent('referenceDeleted', BRANCH))).rejects.toThrow('bad');
  });

  it('refuses a stack without the project’s tags and touches nothing, not even the SageMaker pipeline', async () => {
    describeReturns(branchStack(BRANCH, 'CREATE_COMPLETE', { tags: {} }));
    await expect(handle(referenceEvent('referenceDeleted', BRANCH))).rejects.toThrow(ConflictError);
    expectNoChange();
  });

  it('does not delete again a stack already being deleted', async () => {
    describeReturns(branchStack(BRANCH, 'DELETE_IN_PROGRESS'));
    await expect(handle(referenceEvent('referenceDeleted', BRANCH))).resolves.toMatchObject({ stack: 'deleting' });
    expect(cloudformation).not.toHaveReceivedCommand(DeleteStackCommand);
    expect(sagemaker).toHaveReceivedCommandTimes(DeletePipelineCommand, 1);
  });

  it('deletes a stack in DELETE_FAILED once more, retaining the resources that failed', async () => {
    const failed = branchStack(BRANCH, 'DELETE_FAILED');
    describeReturns(failed);
    await expect(handle(referenceEvent('referenceDeleted', BRANCH))).resolves.toMatchObject({ stack: 'deleting' });
    expect(cloudformation).toHaveReceivedCommandTimes(DeleteStackCommand, 1);
    expect(cloudformation).toHaveReceivedCommandWith(DeleteStackCommand, {
      RetainResources: ['Pipeline'],
      ClientRequestToken: requestToken('delete-retaining', failed.StackId ?? ''),
    });
  });

  it.each(['CREATE_IN_PROGRESS', 'UPDATE_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS'])(
    'asks to be retried for a stack in %s, after deleting the SageMaker pipeline',
    async (status) => {
      describeReturns(branchStack(BRANCH, status));
      await expect(handle(referenceEvent('referenceDeleted', BRANCH))).rejects.toThrow(RetryLaterError);
      expect(cloudformation).not.toHaveReceivedCommand(DeleteStackCommand);
      expect(sagemaker).toHaveReceivedCommandTimes(DeletePipelineCommand, 1);
    },
  );

  it('treats a repeated delete request as the deletion under way', async () => {
    describeReturns(branchStack(BRANCH, 'CREATE_COMPLETE'));
    cloudformation.on(DeleteStackCommand).rejects(new TokenAlreadyExistsException({ $metadata: {}, message: 'x' }));
    await expect(handle(referenceEvent('referenceDeleted', BRANCH))).resolves.toMatchObject({ stack: 'deleting' });
  });

  it('keeps the stack and asks to be retried while the SageMaker pipeline cannot be deleted (an execution runs)', async () => {
    describeReturns(branchStack(BRANCH, 'CREATE_COMPLETE'));
    sagemaker.on(DeletePipelineCommand).rejects(new ConflictException({ $metadata: {}, message: 'busy' }));
    await expect(handle(referenceEvent('referenceDeleted', BRANCH))).rejects.toThrow(RetryLaterError);
    // The stack stays, so the reconcile finds it as an orphan and tries both again.
    expect(cloudformation).not.toHaveReceivedCommand(DeleteStackCommand);
  });

  it('lets a failed lookup of the SageMaker pipeline through, deleting nothing', async () => {
    describeReturns(branchStack(BRANCH, 'CREATE_COMPLETE'));
    sagemaker.on(ListTagsCommand).rejects(
      new SageMakerServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: {},
        message: 'denied',
      }),
    );
    await expect(handle(referenceEvent('referenceDeleted', BRANCH))).rejects.toThrow('denied');
    expectNoChange();
  });
});

describe('events that change nothing', () => {
  it.each([
    ['another repository', referenceEvent('referenceCreated', BRANCH, { repositoryName: 'other-repo' })],
    ['a branch outside the prefix', referenceEvent('referenceDeleted', 'main')],
    [
      'a tag',
      (() => {
        const event = referenceEvent('referenceDeleted', 'experiment/v1');
        event.detail.referenceType = 'tag';
        event.detail.referenceFullName = 'refs/tags/experiment/v1';
        return event;
      })(),
    ],
  ])('logs and ignores %s', async (_what, event) => {
    await expect(handle(event)).resolves.toMatchObject({ action: 'ignored' });
    expect(cloudformation.calls()).toHaveLength(0);
    expect(sagemaker.calls()).toHaveLength(0);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'INFO', message: 'event ignored' }));
  });

  it('rejects a malformed event with a ValidationError, logged once, and calls nothing', async () => {
    const event = referenceEvent('referenceDeleted', BRANCH);
    delete event.detail.referenceName;
    await expect(handle(event)).rejects.toThrow(ValidationError);
    expect(cloudformation.calls()).toHaveLength(0);
    expect(sagemaker.calls()).toHaveLength(0);
    expect(codecommit.calls()).toHaveLength(0);
    expect(lines.filter((line) => line.level === 'ERROR')).toEqual([
      expect.objectContaining({
        message: 'event rejected',
        error: expect.objectContaining({ name: 'ValidationError' }),
      }),
    ]);
  });

  it('logs the correlation keys of a branch event', async () => {
    await handle(referenceEvent('referenceCreated', BRANCH, { id: 'evt-9' }));
    expect(lines).toContainEqual(
      expect.objectContaining({ eventId: 'evt-9', branch: BRANCH, commit: '3e5983DESTINATION', stackName: STACK }),
    );
  });
});

describe('reconcile', () => {
  const other = (name: string, tags: Record<string, string>): Stack => ({
    ...branchStack('experiment/x', 'CREATE_COMPLETE', { tags }),
    StackName: name,
    StackId: `arn:${name}`,
  });

  it('creates missing stacks, replaces failed ones, deletes orphans, and leaves others’ stacks alone', async () => {
    codecommit
      .on(ListBranchesCommand)
      .resolvesOnce({ branches: ['main', 'experiment/a', 'experiment/b'], nextToken: 'page-2' })
      .resolvesOnce({ branches: ['experiment/c', 'experimental'] });
    const failed = branchStack('experiment/c', 'ROLLBACK_COMPLETE');
    const orphan = branchStack('experiment/gone', 'CREATE_COMPLETE');
    const foreign = other(`mbm-${CONFIG.projectName}-branch-foreign`, {});
    const otherProject = other('mbm-fraud2-branch-experiment--a', {
      'sagemaker:project-name': 'fraud2',
      'sagemaker:project-id': 'p-000000000002',
    });
    cloudformation
      .on(DescribeStacksCommand, {})
      .resolvesOnce({ Stacks: [branchStack('experiment/a', 'CREATE_COMPLETE'), failed, foreign], NextToken: 'n' })
      .resolvesOnce({ Stacks: [orphan, otherProject] });
    cloudformation.on(DescribeStacksCommand, { StackName: failed.StackId }).rejects(missing());
    sagemaker.on(ListTagsCommand).resolves({ Tags: pipelineTags('experiment/gone') });
    codecommit.on(GetBranchCommand, { branchName: 'experiment/gone' }).rejects(branchGone('experiment/gone'));

    const result = await handle({ action: 'reconcile' });

    expect(result).toEqual({
      action: 'reconcile',
      branches: 3,
      created: ['experiment/b'],
      recreated: ['experiment/c'],
      unchanged: ['experiment/a'],
      deleted: [orphan.StackName],
      refused: [],
      kept: [],
      failed: [],
    });
    expect(codecommit).toHaveReceivedCommandWith(ListBranchesCommand, {
      repositoryName: CONFIG.repositoryName,
      nextToken: 'page-2',
    });
    expect(cloudformation).toHaveReceivedCommandWith(DescribeStacksCommand, { NextToken: 'n' });
    const created = cloudformation.commandCalls(CreateStackCommand).map((c) => c.args[0].input.StackName);
    expect(created).toEqual([branchStackName('fraud', 'experiment/b'), branchStackName('fraud', 'experiment/c')]);
    const deleted = cloudformation.commandCalls(DeleteStackCommand).map((c) => c.args[0].input.StackName);
    expect(deleted).toEqual([failed.StackId, orphan.StackId]);
    expect(sagemaker).toHaveReceivedCommandTimes(DeletePipelineCommand, 1);
    expect(sagemaker).toHaveReceivedCommandWith(DeletePipelineCommand, {
      PipelineName: sageMakerPipelineName('fraud', 'experiment/gone'),
    });
    // The branches were just listed: no GetBranch per listed branch; one for the orphan before it is deleted.
    expect(codecommit).toHaveReceivedCommandTimes(GetBranchCommand, 1);
    expect(codecommit).toHaveReceivedCommandWith(GetBranchCommand, { branchName: 'experiment/gone' });
  });

  it('accepts the EventBridge scheduled event', async () => {
    codecommit.on(ListBranchesCommand).resolves({ branches: [] });
    cloudformation.on(DescribeStacksCommand).resolves({ Stacks: [] });
    const scheduled = {
      version: '0',
      id: 'sched-1',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '111111111111',
      time: '2026-01-01T00:00:00Z',
      region: 'us-east-1',
      resources: ['arn:aws:events:us-east-1:111111111111:rule/reconcile'],
      detail: {},
    };
    await expect(handle(scheduled)).resolves.toMatchObject({ action: 'reconcile', branches: 0 });
    expectNoChange();
  });

  it('keeps an orphan stack whose SageMaker pipeline is busy, and deletes both on the next run', async () => {
    codecommit.on(ListBranchesCommand).resolves({ branches: [] });
    const orphan = branchStack('experiment/gone', 'CREATE_COMPLETE');
    cloudformation.on(DescribeStacksCommand).resolves({ Stacks: [orphan] });
    sagemaker.on(ListTagsCommand).resolves({ Tags: pipelineTags('experiment/gone') });
    codecommit.on(GetBranchCommand).rejects(branchGone('experiment/gone'));
    sagemaker
      .on(DeletePipelineCommand)
      .rejectsOnce(new ConflictException({ $metadata: {}, message: 'busy' }))
      .resolves({ PipelineArn: PIPELINE_ARN });

    await expect(handle({ action: 'reconcile' })).rejects.toThrow(RetryLaterError);
    expect(cloudformation).not.toHaveReceivedCommand(DeleteStackCommand);

    await expect(handle({ action: 'reconcile' })).resolves.toMatchObject({ deleted: [orphan.StackName] });
    expect(sagemaker).toHaveReceivedCommandTimes(DeletePipelineCommand, 2);
    expect(cloudformation).toHaveReceivedCommandWith(DeleteStackCommand, { StackName: orphan.StackId });
  });

  it('deletes only the stack of an orphan without a BranchName parameter', async () => {
    codecommit.on(ListBranchesCommand).resolves({ branches: [] });
    const orphan = { ...branchStack('experiment/gone', 'CREATE_COMPLETE'), Parameters: [] };
    cloudformation.on(DescribeStacksCommand).resolves({ Stacks: [orphan] });
    await expect(handle({ action: 'reconcile' })).resolves.toMatchObject({ deleted: [orphan.StackName] });
    expect(cloudformation).toHaveReceivedCommandTimes(DeleteStackCommand, 1);
    expect(sagemaker).not.toHaveReceivedCommand(DeletePipelineCommand);
  });

  it('heals every branch it can and then fails, naming the ones it could not', async () => {
    codecommit.on(ListBranchesCommand).resolves({ branches: ['experiment/a', 'experiment/b'] });
    cloudformation.on(DescribeStacksCommand).resolves({ Stacks: [] });
    cloudformation
      .on(CreateStackCommand, { StackName: branchStackName('fraud', 'experiment/a') })
      .rejects(new Error('Template format error'));

    await expect(handle({ action: 'reconcile' })).rejects.toThrow(
      /could not heal experiment\/a \(Error: Template format error\)/,
    );
    expect(cloudformation).toHaveReceivedCommandWith(CreateStackCommand, {
      StackName: branchStackName('fraud', 'experiment/b'),
    });
  });

  it('asks to be retried when the only problems settle by themselves', async () => {
    codecommit.on(ListBranchesCommand).resolves({ branches: ['experiment/a'] });
    cloudformation.on(DescribeStacksCommand).resolves({ Stacks: [branchStack('experiment/a', 'DELETE_IN_PROGRESS')] });
    await expect(handle({ action: 'reconcile' })).rejects.toThrow(RetryLaterError);
    expectNoChange();
  });

  it('fails without changing anything when the branches cannot be listed', async () => {
    codecommit.on(ListBranchesCommand).rejects(new Error('RepositoryDoesNotExistException'));
    cloudformation.on(DescribeStacksCommand).resolves({ Stacks: [branchStack('experiment/a', 'CREATE_COMPLETE')] });
    await expect(handle({ action: 'reconcile' })).rejects.toThrow('RepositoryDoesNotExistException');
    expectNoChange();
  });
});

describe('issue 10: reconcile, pipeline deletion, hash and branch cap (attacks 11, 12, 13)', () => {
  it('keeps the stack of a branch one stale ListBranches missed: GetBranch decides (attack 11)', async () => {
    codecommit.on(ListBranchesCommand).resolves({ branches: [] });
    const live = branchStack('experiment/live', 'CREATE_COMPLETE');
    cloudformation.on(DescribeStacksCommand).resolves({ Stacks: [live] });
    // GetBranch (the default mock) finds the branch.
    await expect(handle({ action: 'reconcile' })).resolves.toMatchObject({ deleted: [], kept: [live.StackName] });
    expect(codecommit).toHaveReceivedCommandWith(GetBranchCommand, { branchName: 'experiment/live' });
    expectNoChange();
    expect(lines).toContainEqual(expect.objectContaining({ level: 'WARN', message: expect.stringContaining('stale') }));
  });

  it('keeps a SageMaker pipeline of this project that another branch created under the name (attack 12)', async () => {
    describeReturns(branchStack(BRANCH, 'CREATE_COMPLETE'));
    sagemaker.on(ListTagsCommand).resolves({ Tags: pipelineTags('experiment/someone-else') });
    codecommit.on(GetBranchCommand).rejects(branchGone());
    await expect(handle(referenceEvent('referenceDeleted', BRANCH))).resolves.toMatchObject({
      sageMakerPipeline: 'not-ours',
    });
    expect(sagemaker).not.toHaveReceivedCommand(DeletePipelineCommand);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'WARN', message: expect.stringContaining("another branch's") }),
    );
  });

  const hashed = 'experiment/Deeper_Trees';
  const legacy = legacyBranchNames(CONFIG.projectName, hashed)!;

  it('finds, keeps and deletes what a branch got under the 10-digit hash of earlier versions (attack 12)', async () => {
    expect(legacy.stack).not.toBe(branchStackName(CONFIG.projectName, hashed));
    const old = { ...branchStack(hashed, 'CREATE_COMPLETE'), StackName: legacy.stack, StackId: `arn:${legacy.stack}` };
    // The push event: the stack under the old name is the branch's stack; nothing is created.
    cloudformation.on(DescribeStacksCommand).callsFake(async (input: { StackName?: string }) => {
      if (input.StackName === legacy.stack || input.StackName === old.StackId) return { Stacks: [old] };
      if (input.StackName === undefined) return { Stacks: [old] };
      throw missing(input.StackName);
    });
    await expect(handle(referenceEvent('referenceUpdated', hashed))).resolves.toMatchObject({ stack: 'exists' });
    expect(cloudformation).not.toHaveReceivedCommand(CreateStackCommand);
    // The reconcile does not take it for an orphan.
    codecommit.on(ListBranchesCommand).resolves({ branches: [hashed] });
    await expect(handle({ action: 'reconcile' })).resolves.toMatchObject({ unchanged: [hashed], deleted: [] });
    expect(cloudformation).not.toHaveReceivedCommand(DeleteStackCommand);
    // The delete event removes the old stack and the pipeline under its old name, tagged with the old value.
    codecommit.on(GetBranchCommand).rejects(branchGone(hashed));
    sagemaker
      .on(DescribePipelineCommand, { PipelineName: sageMakerPipelineName(CONFIG.projectName, hashed) })
      .rejects(pipelineMissing());
    sagemaker.on(ListTagsCommand).resolves({
      Tags: [
        { Key: 'sagemaker:project-id', Value: CONFIG.projectId },
        { Key: 'multibranch-mlops:branch', Value: legacy.tag },
      ],
    });
    await expect(handle(referenceEvent('referenceDeleted', hashed))).resolves.toMatchObject({
      stack: 'deleting',
      sageMakerPipeline: 'deleted',
    });
    expect(sagemaker).toHaveReceivedCommandWith(DeletePipelineCommand, { PipelineName: legacy.sageMakerPipeline });
    expect(cloudformation).toHaveReceivedCommandWith(DeleteStackCommand, { StackName: old.StackId });
  });

  it('refuses a branch beyond maxBranchPipelines with one clear log line, creating nothing (attack 13)', async () => {
    deps = { ...deps, config: { ...CONFIG, maxBranchPipelines: 2 } };
    listed = [branchStack('experiment/a', 'CREATE_COMPLETE'), branchStack('experiment/b', 'CREATE_COMPLETE')];
    await expect(handle(referenceEvent('referenceCreated', BRANCH))).resolves.toEqual({
      action: 'ignored',
      reason: 'branch pipeline limit 2 reached',
      branch: BRANCH,
    });
    expect(cloudformation).not.toHaveReceivedCommand(CreateStackCommand);
    const refusal = lines.filter((line) => String(line.message).startsWith('branch pipeline refused'));
    expect(refusal).toHaveLength(1);
    expect(refusal[0]).toMatchObject({ branchPipelines: 2, maxBranchPipelines: 2, branch: BRANCH });
    expect(refusal[0]?.message).toMatch(/maxBranchPipelines is 2; delete a finished experiment branch/);
    // Under the cap it creates.
    listed = [branchStack('experiment/a', 'CREATE_COMPLETE')];
    await expect(handle(referenceEvent('referenceCreated', BRANCH))).resolves.toMatchObject({ stack: 'created' });
  });

  it('creates in the reconcile only up to maxBranchPipelines and reports the rest as refused (attack 13)', async () => {
    deps = { ...deps, config: { ...CONFIG, maxBranchPipelines: 2 } };
    codecommit.on(ListBranchesCommand).resolves({ branches: ['experiment/a', 'experiment/b', 'experiment/c'] });
    cloudformation.on(DescribeStacksCommand).resolves({ Stacks: [branchStack('experiment/a', 'CREATE_COMPLETE')] });
    await expect(handle({ action: 'reconcile' })).resolves.toMatchObject({
      unchanged: ['experiment/a'],
      created: ['experiment/b'],
      refused: ['experiment/c'],
    });
    expect(cloudformation).toHaveReceivedCommandTimes(CreateStackCommand, 1);
  });
});
