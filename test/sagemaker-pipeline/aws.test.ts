/** Unit tests (mocked SDK clients) for the run command's AWS paths that moto cannot produce. */
import {
  CreateModelPackageGroupCommand,
  CreatePipelineCommand,
  DescribeModelPackageGroupCommand,
  DescribePipelineCommand,
  DescribePipelineExecutionCommand,
  ListPipelineExecutionStepsCommand,
  ListPipelineExecutionsCommand,
  ListTagsCommand,
  SageMakerClient,
  StartPipelineExecutionCommand,
  UpdatePipelineCommand,
} from '@aws-sdk/client-sagemaker';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import * as path from 'node:path';
import { SEED_SOURCE_DIR } from '../../lib/seed-code';
import { main } from '../../sagemaker-pipeline/src/cli';
import { RUN_COMMAND_PERMISSIONS } from '../../sagemaker-pipeline/src/permissions';
import {
  consoleLink,
  ensureModelPackageGroup,
  executionToken,
  startExecutionOnce,
  upsertPipeline,
  waitForExecution,
} from '../../sagemaker-pipeline/src/aws';

const sagemaker = mockClient(SageMakerClient);
const s3 = mockClient(S3Client);
const client = new SageMakerClient({ region: 'us-east-1' });
const spec = { name: 'p-main', definition: '{}', roleArn: 'arn:aws:iam::1:role/r', description: 'd', tags: [] };
const COMMIT = 'c'.repeat(40);
/** What the CodeBuild project and the branch pipeline give the build. */
const BUILD_ENV = {
  BRANCH_NAME: 'main',
  COMMIT_HASH: COMMIT,
  PROJECT_NAME: 'abalone',
  PROJECT_ID: 'p-1',
  ARTIFACT_BUCKET: 'bucket-1',
  SAGEMAKER_PIPELINE_ROLE_ARN: 'arn:aws:iam::123456789012:role/r',
  AWS_REGION: 'eu-west-1',
};

function error(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

describe('run command AWS calls', () => {
  beforeEach(() => {
    sagemaker.reset();
    s3.reset();
  });

  it('--dry-run prints the definition and sends no request to AWS, even with every variable set', async () => {
    const out: string[] = [];
    const code = await main(
      ['--dry-run'],
      {
        BRANCH_NAME: 'main',
        COMMIT_HASH: COMMIT,
        PROJECT_NAME: 'abalone',
        PROJECT_ID: 'p-1',
        ARTIFACT_BUCKET: 'bucket-1',
        SAGEMAKER_PIPELINE_ROLE_ARN: 'arn:aws:iam::123456789012:role/r',
        AWS_REGION: 'eu-west-1',
      },
      SEED_SOURCE_DIR,
      { out: (l) => out.push(l), err: (l) => out.push(l) },
    );
    expect(code).toBe(0);
    expect(JSON.parse(out.join('\n')).Version).toBe('2020-12-01');
    expect(sagemaker.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });

  it('updates instead when a concurrent build created the pipeline first', async () => {
    sagemaker.on(DescribePipelineCommand).rejects(error('ResourceNotFound', 'Pipeline p-main does not exist'));
    sagemaker
      .on(CreatePipelineCommand)
      .rejects(error('ValidationException', 'Pipeline with name (p-main) already exists.'));
    sagemaker.on(UpdatePipelineCommand).resolves({ PipelineArn: 'arn:p' });
    await expect(upsertPipeline(client, spec)).resolves.toEqual({ action: 'updated', arn: 'arn:p' });
    expect(sagemaker).toHaveReceivedCommandWith(UpdatePipelineCommand, {
      PipelineName: 'p-main',
      PipelineDefinition: '{}',
    });
  });

  it('passes other DescribePipeline errors through and changes nothing', async () => {
    sagemaker.on(DescribePipelineCommand).rejects(error('AccessDeniedException', 'not allowed'));
    await expect(upsertPipeline(client, spec)).rejects.toThrow('not allowed');
    expect(sagemaker).not.toHaveReceivedCommand(CreatePipelineCommand);
    expect(sagemaker).not.toHaveReceivedCommand(UpdatePipelineCommand);
  });

  it('starts with a client token derived from pipeline and commit, the same on a retry', async () => {
    sagemaker.on(ListPipelineExecutionsCommand).resolves({ PipelineExecutionSummaries: [] });
    sagemaker.on(StartPipelineExecutionCommand).resolves({ PipelineExecutionArn: 'arn:e' });
    const input = { pipelineName: 'p-main', commit: COMMIT, branch: 'main', parameters: { CommitId: COMMIT } };
    await startExecutionOnce(client, input);
    await startExecutionOnce(client, input);
    const tokens = sagemaker.commandCalls(StartPipelineExecutionCommand).map((c) => c.args[0].input.ClientRequestToken);
    expect(tokens).toEqual([executionToken('p-main', COMMIT), executionToken('p-main', COMMIT)]);
    expect(tokens[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(executionToken('p-other', COMMIT)).not.toBe(tokens[0]);
  });

  it('finds the execution of the commit on a later page of the listing', async () => {
    sagemaker
      .on(ListPipelineExecutionsCommand)
      .resolvesOnce({
        PipelineExecutionSummaries: [{ PipelineExecutionArn: 'arn:other', PipelineExecutionDisplayName: 'commit-x' }],
        NextToken: 'page2',
      })
      .resolvesOnce({
        PipelineExecutionSummaries: [
          {
            PipelineExecutionArn: 'arn:mine',
            PipelineExecutionDisplayName: `commit-${COMMIT}`,
            PipelineExecutionStatus: 'Executing',
          },
        ],
      });
    const result = await startExecutionOnce(client, {
      pipelineName: 'p-main',
      commit: COMMIT,
      branch: 'main',
      parameters: {},
    });
    expect(result).toEqual({ arn: 'arn:mine', started: false, status: 'Executing' });
    expect(sagemaker).not.toHaveReceivedCommand(StartPipelineExecutionCommand);
  });

  it('waits until the execution ends and reports a failure with its reason', async () => {
    sagemaker
      .on(DescribePipelineExecutionCommand)
      .resolvesOnce({ PipelineExecutionStatus: 'Executing' })
      .resolvesOnce({ PipelineExecutionStatus: 'Failed', FailureReason: 'Step GateFailed failed' });
    const seen: string[] = [];
    const result = await waitForExecution(client, 'arn:e', {
      intervalMs: 1,
      timeoutMs: 5000,
      onStatus: (s) => seen.push(s),
    });
    expect(result).toEqual({ status: 'Failed', failureReason: 'Step GateFailed failed' });
    expect(seen).toEqual(['Executing', 'Failed']);
  });

  it('gives up waiting after the timeout', async () => {
    sagemaker.on(DescribePipelineExecutionCommand).resolves({ PipelineExecutionStatus: 'Executing' });
    await expect(waitForExecution(client, 'arn:e', { intervalMs: 1, timeoutMs: 5 })).rejects.toThrow('still Executing');
  });

  it('links to the console of the region, in the China partition too', () => {
    const arn = 'arn:aws-cn:sagemaker:cn-north-1:1:pipeline/p-main/execution/abc123';
    expect(consoleLink('cn-north-1', 'p-main', arn)).toBe(
      'https://cn-north-1.console.amazonaws.cn/sagemaker/home?region=cn-north-1#/pipelines/p-main/executions/abc123',
    );
  });

  it('sends only requests that the documented permissions allow, creating then starting with --wait', async () => {
    sagemaker.on(DescribePipelineCommand).rejects(error('ValidationException', 'Could not find pipeline p.'));
    sagemaker.on(CreatePipelineCommand).resolves({ PipelineArn: 'arn:p' });
    sagemaker.on(ListPipelineExecutionsCommand).resolves({ PipelineExecutionSummaries: [] });
    sagemaker.on(StartPipelineExecutionCommand).resolves({ PipelineExecutionArn: 'arn:e/execution/x' });
    sagemaker
      .on(DescribePipelineExecutionCommand)
      .resolves({ PipelineExecutionStatus: 'Failed', FailureReason: 'gate' });
    s3.resolves({});
    const err: string[] = [];
    const code = await main(['--wait'], BUILD_ENV, SEED_SOURCE_DIR, { out: () => undefined, err: (l) => err.push(l) });
    expect(code).toBe(1);
    expect(err).toContain('execution ended Failed: gate');
    const actions = [
      ...sagemaker.calls().map((c) => `sagemaker:${c.args[0].constructor.name.replace(/Command$/, '')}`),
      ...s3.calls().map((c) => `s3:${c.args[0].constructor.name.replace(/Command$/, '')}`),
    ];
    const allowed: string[] = [...RUN_COMMAND_PERMISSIONS.s3, ...RUN_COMMAND_PERMISSIONS.sagemaker];
    expect([...new Set(actions)].filter((a) => !allowed.includes(a))).toEqual([]);
    expect(new Set(actions)).toEqual(
      new Set([
        's3:PutObject',
        'sagemaker:DescribePipeline',
        'sagemaker:CreatePipeline',
        'sagemaker:ListPipelineExecutions',
        'sagemaker:StartPipelineExecution',
        'sagemaker:DescribePipelineExecution',
      ]),
    );
  });
});

describe('run command with several models (mocked SDK)', () => {
  const env = BUILD_ENV;
  const twoModels = path.join(SEED_SOURCE_DIR, 'examples', 'two-models.yaml');

  beforeEach(() => {
    sagemaker.reset();
    s3.reset();
    s3.resolves({});
    sagemaker.on(DescribePipelineCommand).resolves({ PipelineArn: 'arn:p' });
    sagemaker.on(UpdatePipelineCommand).resolves({ PipelineArn: 'arn:p' });
    sagemaker.on(ListPipelineExecutionsCommand).resolves({ PipelineExecutionSummaries: [] });
    sagemaker.on(StartPipelineExecutionCommand).resolves({ PipelineExecutionArn: 'arn:e/execution/x' });
    sagemaker.on(DescribePipelineExecutionCommand).resolves({ PipelineExecutionStatus: 'Succeeded' });
    sagemaker
      .on(DescribeModelPackageGroupCommand)
      .rejectsOnce(error('ValidationException', 'ModelPackageGroup model-abalone-forest does not exist.'))
      .resolves({ ModelPackageGroupArn: 'arn:g' });
    sagemaker.on(CreateModelPackageGroupCommand).resolves({ ModelPackageGroupArn: 'arn:g' });
    sagemaker.on(ListTagsCommand).resolves({ Tags: [{ Key: 'sagemaker:project-id', Value: 'p-1' }] });
  });

  it("--wait reports each model's gate and exits 1 when one failed, though the execution succeeded", async () => {
    sagemaker.on(ListPipelineExecutionStepsCommand).resolves({
      PipelineExecutionSteps: [
        { StepName: 'CheckMetric-abalone', Metadata: { Condition: { Outcome: 'True' } } },
        { StepName: 'CheckMetric-forest', Metadata: { Condition: { Outcome: 'False' } } },
        { StepName: 'TrainModel-forest', Metadata: {} },
      ],
    });
    const err: string[] = [];
    const code = await main(['--wait', '--config', twoModels], env, SEED_SOURCE_DIR, {
      out: () => undefined,
      err: (l) => err.push(l),
    });
    expect(code).toBe(1);
    expect(err).toEqual(
      expect.arrayContaining([
        'model package group model-abalone-forest created',
        'model abalone: gate passed, registered in model-abalone',
        'model forest: gate failed, not registered in model-abalone-forest',
      ]),
    );
    expect(sagemaker.commandCalls(CreateModelPackageGroupCommand)[0]?.args[0].input).toEqual({
      ModelPackageGroupName: 'model-abalone-forest',
      ModelPackageGroupDescription: 'Model forest of project abalone',
      Tags: [
        { Key: 'sagemaker:project-name', Value: 'abalone' },
        { Key: 'sagemaker:project-id', Value: 'p-1' },
      ],
    });
    // Only the documented permissions: the run command's, and the group permissions for models after the first.
    const actions = sagemaker.calls().map((c) => `sagemaker:${c.args[0].constructor.name.replace(/Command$/, '')}`);
    const allowed: string[] = [...RUN_COMMAND_PERMISSIONS.sagemaker, ...RUN_COMMAND_PERMISSIONS.modelPackageGroups];
    expect([...new Set(actions)].filter((a) => !allowed.includes(a))).toEqual([]);
    expect(actions).toEqual(
      expect.arrayContaining([
        'sagemaker:CreateModelPackageGroup',
        'sagemaker:DescribeModelPackageGroup',
        'sagemaker:ListPipelineExecutionSteps',
      ]),
    );
  });

  it('--wait exits 0 when every gate passed', async () => {
    sagemaker.on(ListPipelineExecutionStepsCommand).resolves({
      PipelineExecutionSteps: [
        { StepName: 'CheckMetric-abalone', Metadata: { Condition: { Outcome: 'True' } } },
        { StepName: 'CheckMetric-forest', Metadata: { Condition: { Outcome: 'True' } } },
      ],
    });
    const code = await main(['--wait', '--config', twoModels], env, SEED_SOURCE_DIR, {
      out: () => undefined,
      err: () => undefined,
    });
    expect(code).toBe(0);
  });
});

describe('ensureModelPackageGroup and a group of another project', () => {
  it('refuses, naming the group and the fix, when IAM refuses to describe it (tagged with another id)', async () => {
    sagemaker.reset();
    sagemaker
      .on(DescribeModelPackageGroupCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    const input = { name: 'model-churn-v2', description: 'd', projectName: 'churn', projectId: 'p-churn0000001' };
    await expect(ensureModelPackageGroup(new SageMakerClient({}), input)).rejects.toThrow(
      'model package group model-churn-v2 exists but belongs to another project (access denied to this project), ' +
        'not this project (p-churn0000001); rename the model in pipeline.yaml',
    );
    expect(sagemaker.commandCalls(CreateModelPackageGroupCommand)).toHaveLength(0);
  });
});
