/**
 * The PullRequestReport construct in a small stack (repository, bucket, topic stand for the project's): its rules
 * match AWS's documented sample events (adapted to the project) and nothing of other repositories, projects or
 * comment events; its policy is scoped to the project; cdk-nag passes with named acknowledgements; cfn-lint finds
 * no error; the optional alarm topic gets both alarms.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PullRequestReport } from '../../lib/constructs/pr-report';
import { matchesEventPattern } from '../e2e/support/event-pattern';
import { cfnLint } from '../support/cfn-lint';
import { NO_CREATION_STACKS } from '../support/creation-stacks';
import { awsEvent } from '../support/fixtures';

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown };

function build(options: { alarmTopic?: boolean; extend?: (r: PullRequestReport) => void } = {}) {
  process.env.CDK_VALIDATION = 'false';
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pr-report-'));
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [], ...NO_CREATION_STACKS } });
  const stack = new Stack(app, 'Test', { env: { account: '123456789012', region: 'us-east-1' } });
  const bucket = new s3.Bucket(stack, 'Artifacts', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  });
  const repository = codecommit.Repository.fromRepositoryName(stack, 'Repo', 'model-demo-train');
  const topic = options.alarmTopic ? new sns.Topic(stack, 'Alarms', { enforceSSL: true }) : undefined;
  const report = new PullRequestReport(stack, 'PullRequestReport', {
    projectName: 'demo',
    projectId: 'p-demo12345',
    repository,
    mainBranch: 'main',
    branchPrefix: 'experiment/',
    artifactBucket: bucket,
    logRetention: logs.RetentionDays.ONE_MONTH,
    alarmTopic: topic,
  });
  options.extend?.(report);
  for (const id of ['AwsSolutions-S1', 'AwsSolutions-SNS2']) {
    Validations.of(stack).acknowledge({ id, reason: 'test fixture standing in for the project resources' });
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const assembly = app.synth();
  const file = path.join(assembly.directory, stack.templateFile);
  return { template: Template.fromStack(stack), file, outdir };
}

/** Resolves the pseudo parameters and joins the stack's env leaves in a pattern (account and region are literal). */
function resolveIntrinsics(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolveIntrinsics);
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  if (record.Ref === 'AWS::Partition') return 'aws';
  const join = record['Fn::Join'] as [string, unknown[]] | undefined;
  if (join !== undefined) return join[1].map(resolveIntrinsics).join(join[0]);
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, resolveIntrinsics(v)]));
}

function rulePatterns(template: Template): Record<string, unknown> {
  const rules = template.findResources('AWS::Events::Rule') as Record<
    string,
    { Properties: { EventPattern: unknown } }
  >;
  return Object.fromEntries(
    Object.entries(rules).map(([id, r]) => [
      id.replace(/PullRequestReport|[0-9A-F]{8}$/g, ''),
      resolveIntrinsics(r.Properties.EventPattern),
    ]),
  );
}

function statements(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
  );
}

const PR = (file: string, detail: Record<string, unknown> = {}) => {
  const event = awsEvent<{ detail: Record<string, unknown>; resources: string[] }>(file);
  event.resources = ['arn:aws:codecommit:us-east-1:123456789012:model-demo-train'];
  Object.assign(event.detail, {
    repositoryNames: ['model-demo-train'],
    sourceReference: 'refs/heads/experiment/deeper-trees',
    ...detail,
  });
  return event;
};

describe('PullRequestReport', () => {
  let built: ReturnType<typeof build>;
  let patterns: Record<string, unknown>;
  beforeAll(() => {
    built = build();
    patterns = rulePatterns(built.template);
  });
  afterAll(() => fs.rmSync(built.outdir, { recursive: true, force: true }));

  const matches = (event: unknown) => Object.keys(patterns).filter((id) => matchesEventPattern(patterns[id], event));

  it('calls the function on pull requests into main from an experiment branch, created or updated', () => {
    expect(matches(PR('codecommit-pullRequestCreated.json'))).toEqual(['PullRequestRule']);
    expect(matches(PR('codecommit-pullRequestSourceBranchUpdated.json'))).toEqual(['PullRequestRule']);
  });

  it('never on comments, merges, other repositories, other targets or other source branches', () => {
    expect(
      matches({ ...PR('codecommit-pullRequestCreated.json'), 'detail-type': 'CodeCommit Comment on Pull Request' }),
    ).toEqual([]);
    expect(matches(PR('codecommit-pullRequestMergeStatusUpdated.json'))).toEqual([]);
    expect(
      matches({
        ...PR('codecommit-pullRequestCreated.json'),
        resources: ['arn:aws:codecommit:us-east-1:123456789012:other'],
      }),
    ).toEqual([]);
    expect(matches(PR('codecommit-pullRequestCreated.json', { destinationReference: 'refs/heads/dev' }))).toEqual([]);
    expect(matches(PR('codecommit-pullRequestCreated.json', { sourceReference: 'refs/heads/feature/x' }))).toEqual([]);
  });

  it("calls it on model package state changes of the project's groups only", () => {
    const event = awsEvent<{ detail: Record<string, unknown> }>('sagemaker-model-package-state-change.json');
    for (const [group, expected] of [
      ['model-demo', ['ModelPackageRule']],
      ['model-demo-ranker', ['ModelPackageRule']],
      ['model-demox', []],
      ['versionedmp-p-idy6c3e1fiqj', []],
    ] as const) {
      event.detail.ModelPackageGroupName = group;
      expect([group, matches(event)]).toEqual([group, expected]);
    }
  });

  it("calls it on started, failed or stopped executions of the project's pipelines", () => {
    const event = awsEvent<{ detail: Record<string, unknown> }>('sagemaker-pipeline-execution-status-change.json');
    event.detail.pipelineArn = 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/demo-experiment--x';
    for (const [status, expected] of [
      ['Executing', ['PipelineExecutionRule']],
      ['Failed', ['PipelineExecutionRule']],
      ['Stopped', ['PipelineExecutionRule']],
      ['Succeeded', []],
    ] as const) {
      event.detail.currentPipelineExecutionStatus = status;
      expect([status, matches(event)]).toEqual([status, expected]);
    }
    event.detail.currentPipelineExecutionStatus = 'Failed';
    event.detail.pipelineArn = 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/other-experiment--x';
    expect(matches(event)).toEqual([]);
  });

  it("grants no '*' action and scopes every resource to the project, except the two list actions", () => {
    const all = statements(built.template);
    expect(all.flatMap((s) => [s.Action].flat()).filter((a) => a.includes('*'))).toEqual([]);
    const bySid = Object.fromEntries(all.filter((s) => s.Sid !== undefined).map((s) => [s.Sid, s]));
    expect(bySid.ListGroupsAndPackages).toMatchObject({
      Action: ['sagemaker:ListModelPackageGroups', 'sagemaker:ListModelPackages'],
      Resource: '*',
    });
    const text = (sid: string) => JSON.stringify(bySid[sid]?.Resource);
    expect(text('CommentOnPullRequests')).toContain(':codecommit:us-east-1:123456789012:model-demo-train');
    expect(text('ReadGroupTags')).toContain('model-package-group/model-demo-*');
    expect(text('ReadModelPackages')).toContain('model-package/model-demo-*/*');
    expect(text('ListExecutions')).toContain('pipeline/demo-*');
    expect(text('ReadExecutions')).toContain('pipeline/demo-*/execution/*');
    expect(bySid.ReadEvaluationReports?.Action).toBe('s3:GetObject');
    expect(all.filter((s) => Object.is(s.Resource, '*')).map((s) => s.Sid)).toEqual(['ListGroupsAndPackages']);
  });

  it('passes cdk-nag (synthesis would throw), and cdk-nag still catches a new wildcard', () => {
    expect(() =>
      build({
        extend: (r) =>
          r.handler.role.addToPolicy(new iam.PolicyStatement({ actions: ['sagemaker:*'], resources: ['*'] })),
      }),
    ).toThrow(/AwsSolutions-IAM5\[Action::sagemaker:\*\]/);
  });

  it('synthesizes a template cfn-lint finds no error in', async () => {
    // A missing cfn-lint or a crash fails here too (test/support/cfn-lint.ts).
    expect((await cfnLint([built.file])).errors).toEqual([]);
  });

  it('sends both alarms to the alarm topic when one is given, and has no alarm action otherwise', () => {
    const alarms = (t: Template) =>
      Object.values(t.findResources('AWS::CloudWatch::Alarm')).map(
        (a) => (a as { Properties: { AlarmActions?: unknown[] } }).Properties.AlarmActions,
      );
    expect(alarms(built.template)).toEqual([undefined, undefined]);
    const withTopic = build({ alarmTopic: true });
    expect(alarms(withTopic.template).map((a) => a?.length)).toEqual([1, 1]);
    fs.rmSync(withTopic.outdir, { recursive: true, force: true });
  });
});
