/**
 * The states moto cannot play (it reports every execution Succeeded and lacks ListPipelineExecutionSteps): running,
 * failed at the gate, failed at another step, stopped. SageMaker and S3 are mocked (aws-sdk-client-mock) with the
 * SDK's own output types; the definition is the seed's real `buildDefinition` output, so the gate, its metric,
 * threshold and evaluation report location are read from what the seed really deploys.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeModelPackageCommand,
  DescribePipelineDefinitionForExecutionCommand,
  ListModelPackageGroupsCommand,
  ListModelPackagesCommand,
  ListPipelineExecutionsCommand,
  ListPipelineExecutionStepsCommand,
  ListTagsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { collectReport, ReportTarget } from '../../../lambda/pr-report/collect';
import { analyzeDefinition } from '../../../lambda/pr-report/definition';
import { sageMakerPipelineName } from '../../../contracts/naming';
import * as path from 'node:path';
import { SEED_SOURCE_DIR } from '../../../lib/seed-code';
import { loadPipelineFile } from '../../../sagemaker-pipeline/src/pipeline-file';
import { buildDefinition } from '../../../sagemaker-pipeline/src/definition';

const HEAD = 'a'.repeat(40);
const target: ReportTarget = {
  projectName: 'demo',
  projectId: 'p-1',
  region: 'us-east-1',
  branch: 'experiment/x',
  headCommit: HEAD,
  artifactBucket: 'demo-artifacts',
};
const PIPELINE = sageMakerPipelineName('demo', 'experiment/x');
const EXEC_ID = 'exec0123abcd';
const EXEC = `arn:aws:sagemaker:us-east-1:123456789012:pipeline/${PIPELINE}/execution/${EXEC_ID}`;
const GROUP_ARN = 'arn:aws:sagemaker:us-east-1:123456789012:model-package-group/model-demo';

function seedDefinition(): string {
  const config = loadPipelineFile(path.join(SEED_SOURCE_DIR, 'pipeline.yaml'), SEED_SOURCE_DIR);
  return JSON.stringify(
    buildDefinition(config, {
      projectName: 'demo',
      branch: 'experiment/x',
      commit: HEAD,
      region: 'us-east-1',
      roleArn: 'arn:aws:iam::123456789012:role/sagemaker',
      bucket: 'demo-artifacts',
      pipelineName: PIPELINE,
      modelPackageGroupName: 'model-demo',
    }),
  );
}

const sagemaker = mockClient(SageMakerClient);
const s3 = mockClient(S3Client);

function setUp(status: string, failedSteps: { StepName: string; FailureReason?: string }[] = []) {
  sagemaker.reset();
  s3.reset();
  sagemaker.on(ListModelPackageGroupsCommand).resolves({
    ModelPackageGroupSummaryList: [
      {
        ModelPackageGroupName: 'model-demo',
        ModelPackageGroupArn: GROUP_ARN,
        CreationTime: new Date(0),
        ModelPackageGroupStatus: 'Completed',
      },
    ],
  });
  sagemaker.on(ListTagsCommand).resolves({ Tags: [{ Key: 'sagemaker:project-id', Value: 'p-1' }] });
  sagemaker.on(ListPipelineExecutionsCommand).resolves({
    PipelineExecutionSummaries: [
      {
        PipelineExecutionArn: EXEC,
        PipelineExecutionDisplayName: `commit-${HEAD}`,
        PipelineExecutionStatus: status as never,
      },
    ],
  });
  sagemaker.on(DescribePipelineDefinitionForExecutionCommand).resolves({ PipelineDefinition: seedDefinition() });
  sagemaker.on(ListPipelineExecutionStepsCommand).resolves({
    PipelineExecutionSteps: failedSteps.map((s) => ({ ...s, StepStatus: 'Failed' })),
  });
  sagemaker.on(ListModelPackagesCommand).resolves({ ModelPackageSummaryList: [] });
  sagemaker.on(DescribeModelPackageCommand).rejects(new Error('not expected'));
  s3.on(GetObjectCommand, {
    Bucket: 'demo-artifacts',
    Key: `${PIPELINE}/${EXEC_ID}/EvaluateModel/evaluation/evaluation.json`,
  }).resolves({
    // What the report reads of a body: transformToString (the SDK's stream mixin).
    Body: { transformToString: async () => JSON.stringify({ regression_metrics: { mse: { value: 7.25 } } }) } as never,
  });
}

describe('groups of another project named model-<project>-…', () => {
  it("are left out when IAM refuses their tags (the role reads only its own project's)", async () => {
    setUp('Executing');
    const other = 'arn:aws:sagemaker:us-east-1:123456789012:model-package-group/model-demo-v2';
    sagemaker.on(ListModelPackageGroupsCommand).resolves({
      ModelPackageGroupSummaryList: [
        { ModelPackageGroupName: 'model-demo', ModelPackageGroupArn: GROUP_ARN, CreationTime: new Date(0) },
        { ModelPackageGroupName: 'model-demo-v2', ModelPackageGroupArn: other, CreationTime: new Date(0) },
      ],
    } as never);
    sagemaker
      .on(ListTagsCommand, { ResourceArn: other })
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    const report = await collectReport({ sagemaker: new SageMakerClient({}), s3: new S3Client({}) }, target);
    expect(report.models.map((m) => m.group)).toEqual(['model-demo']);
    expect(sagemaker.commandCalls(ListTagsCommand).map((c) => c.args[0].input.ResourceArn)).toContain(other);
  });
});

const collect = () =>
  collectReport({ sagemaker: new SageMakerClient({}), s3: new S3Client({}) }, target).then((r) => r.models[0]?.state);

describe('collectReport training states', () => {
  it("reads the seed definition's gate: metric, comparison, threshold, evaluation report location", () => {
    const facts = analyzeDefinition(seedDefinition());
    expect(facts.registers).toEqual([{ step: 'RegisterModel', group: 'model-demo', modelName: 'abalone' }]);
    const [gate] = facts.gates;
    expect(gate).toMatchObject({
      step: 'CheckMetric',
      metric: 'mse',
      comparison: '<=',
      threshold: 6,
      groups: ['model-demo'],
    });
    expect(gate?.failSteps).toEqual(['GateFailed']);
    expect(gate?.reportUri?.({ id: EXEC_ID, arn: EXEC, pipelineName: PIPELINE })).toBe(
      `s3://demo-artifacts/${PIPELINE}/${EXEC_ID}/EvaluateModel/evaluation/evaluation.json`,
    );
  });

  it('running: the execution link', async () => {
    setUp('Executing');
    await expect(collect()).resolves.toEqual({ kind: 'running', executionArn: EXEC });
  });

  it("failed at the gate: metric, threshold and the model's value from its evaluation report", async () => {
    setUp('Failed', [{ StepName: 'GateFailed', FailureReason: 'Quality gate failed' }]);
    await expect(collect()).resolves.toEqual({
      kind: 'failed-gate',
      executionArn: EXEC,
      metric: 'mse',
      comparison: '<=',
      threshold: 6,
      value: 7.25,
    });
  });

  it('failed elsewhere: the failed step and its reason', async () => {
    setUp('Failed', [{ StepName: 'TrainModel', FailureReason: 'ClientError: instance limit' }]);
    await expect(collect()).resolves.toEqual({
      kind: 'failed-step',
      executionArn: EXEC,
      step: 'TrainModel',
      reason: 'ClientError: instance limit',
    });
  });

  it('stopped', async () => {
    setUp('Stopped');
    await expect(collect()).resolves.toEqual({ kind: 'stopped', executionArn: EXEC });
  });

  it('says when the branch version search stopped short of older versions', async () => {
    setUp('Executing');
    sagemaker.on(ListModelPackagesCommand).resolves({
      ModelPackageSummaryList: Array.from({ length: 25 }, (_, i) => ({
        ModelPackageArn: `arn:aws:sagemaker:us-east-1:123456789012:model-package/model-demo/${i + 1}`,
        ModelPackageDescription: `commit ${'b'.repeat(40)} on branch experiment/other`,
        ModelPackageStatus: 'Completed',
        CreationTime: new Date(0),
      })),
    });
    sagemaker
      .on(ListModelPackagesCommand, { ModelApprovalStatus: 'Approved' })
      .resolves({ ModelPackageSummaryList: [] });
    sagemaker.on(DescribeModelPackageCommand).resolves({ CustomerMetadataProperties: { branch: 'experiment/other' } });
    const report = await collectReport({ sagemaker: new SageMakerClient({}), s3: new S3Client({}) }, target);
    expect(sagemaker.commandCalls(DescribeModelPackageCommand)).toHaveLength(20);
    expect(report.notes).toEqual([
      'No version of this branch among the 20 newest versions of model-demo; older ones were not searched.',
    ]);
  });

  it('ignores a group without the project id tag', async () => {
    setUp('Executing');
    sagemaker.on(ListTagsCommand).resolves({ Tags: [{ Key: 'sagemaker:project-id', Value: 'p-other' }] });
    const report = await collectReport({ sagemaker: new SageMakerClient({}), s3: new S3Client({}) }, target);
    expect(report.models).toEqual([]);
  });
});
