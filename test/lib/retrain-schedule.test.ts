/**
 * Scheduled retraining in the synthesized templates: off by default; when configured, an EventBridge Scheduler
 * schedule that starts the project's train build on main's head (input overrides), with a role that may start only
 * that build and only this schedule can assume; cdk-nag and cfn-lint clean. Configuration errors name the key.
 *
 * What these tests cannot prove: that Scheduler substitutes <aws.scheduler.scheduled-time> in a templated CodeBuild
 * target's input, and that CodeBuild accepts the CODECOMMIT source override on a CODEPIPELINE project (documented
 * behaviour, not emulated here).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ConfigError, RetrainConfig, readConfig } from '../../lib/config';
import { RetrainSchedule } from '../../lib/constructs/retrain-schedule';
import { appTemplates, BuiltTemplates, removeApp } from '../support/app';
import { cfnLint } from '../support/cfn-lint';
import { NO_CREATION_STACKS } from '../support/creation-stacks';

const RETRAIN = { schedule: 'cron(0 3 1 * ? *)', timeZone: 'Europe/Paris', testMode: true, maxParents: 3 };

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

/** A string or `Fn::Join` of strings and `Fn::GetAtt`s, parsed as JSON with each GetAtt as `<Id.Attribute>`. */
function renderJoin(value: unknown): unknown {
  if (typeof value === 'string') return JSON.parse(value);
  const join = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  const text = join[1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const getAtt = (part as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt'];
      if (getAtt === undefined) throw new Error(`unexpected part ${JSON.stringify(part)}`);
      return `<${getAtt.join('.')}>`;
    })
    .join(join[0]);
  return JSON.parse(text);
}

function only<T>(record: Record<string, T>): [string, T] {
  const entries = Object.entries(record);
  expect(entries).toHaveLength(1);
  return entries[0] as [string, T];
}

describe('retraining in the product template', () => {
  let off: BuiltTemplates;
  let on: BuiltTemplates;

  beforeAll(() => {
    off = appTemplates();
    // With cdk-nag: synthesis fails on any unacknowledged finding.
    on = appTemplates({ nag: true, context: { retrain: RETRAIN } });
  });
  afterAll(() => {
    removeApp(off);
    removeApp(on);
  });

  it('is off by default: no schedule, no GitPull for the build', () => {
    off.productTemplate.resourceCountIs('AWS::Scheduler::Schedule', 0);
    expect(JSON.stringify(off.productTemplate.toJSON())).not.toContain('codecommit:GitPull');
  });

  it('schedules the train build on main with the source and environment overrides', () => {
    const [, schedule] = only(resourcesOf(on.productTemplate, 'AWS::Scheduler::Schedule'));
    const props = schedule.Properties as {
      ScheduleExpression: string;
      ScheduleExpressionTimezone: string;
      State: string;
      FlexibleTimeWindow: { Mode: string };
      Target: { Arn: unknown; RoleArn: unknown; Input: string };
    };
    expect(props.ScheduleExpression).toBe('cron(0 3 1 * ? *)');
    expect(props.ScheduleExpressionTimezone).toBe('Europe/Paris');
    expect(props.State).toBe('ENABLED');
    expect(props.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
    const [projectId] = only(resourcesOf(on.productTemplate, 'AWS::CodeBuild::Project'));
    expect(props.Target.Arn).toEqual({ 'Fn::GetAtt': [projectId, 'Arn'] });

    // The input is a JSON string; the repository's clone URL is a token, so CloudFormation joins it in.
    const [repositoryId] = only(resourcesOf(on.productTemplate, 'AWS::CodeCommit::Repository'));
    expect(renderJoin(props.Target.Input)).toEqual({
      sourceTypeOverride: 'CODECOMMIT',
      sourceLocationOverride: `<${repositoryId}.CloneUrlHttp>`,
      sourceVersion: 'main',
      artifactsOverride: { type: 'NO_ARTIFACTS' },
      buildspecOverride: 'buildspec.yml',
      idempotencyToken: 'retrain-<aws.scheduler.scheduled-time>',
      environmentVariablesOverride: [
        { name: 'BRANCH_NAME', value: 'main', type: 'PLAINTEXT' },
        { name: 'TRIGGER', value: 'schedule', type: 'PLAINTEXT' },
        { name: 'TEST_MODE', value: 'true', type: 'PLAINTEXT' },
        { name: 'SCHEDULED_TIME', value: '<aws.scheduler.scheduled-time>', type: 'PLAINTEXT' },
        { name: 'RETRAIN_TIME_ZONE', value: 'Europe/Paris', type: 'PLAINTEXT' },
        { name: 'RETRAIN_MAX_PARENTS', value: '3', type: 'PLAINTEXT' },
        { name: 'RETRAIN_WINDOW_DAYS', value: '30', type: 'PLAINTEXT' },
      ],
    });
  });

  it('gives the schedule a role that may only start that build, assumable only by this schedule', () => {
    const [, schedule] = only(resourcesOf(on.productTemplate, 'AWS::Scheduler::Schedule'));
    const roleRef = (schedule.Properties.Target as { RoleArn: { 'Fn::GetAtt': [string, string] } }).RoleArn;
    const roleId = roleRef['Fn::GetAtt'][0];
    const role = on.productTemplate.toJSON().Resources[roleId] as { Properties: Record<string, unknown> };
    const trust = JSON.stringify(role.Properties.AssumeRolePolicyDocument);
    expect(trust).toContain('scheduler.amazonaws.com');
    expect(trust).toContain('aws:SourceArn');
    expect(trust).toContain(':schedule/default/model-');
    expect(trust).toContain('aws:SourceAccount');

    const policies = Object.values(resourcesOf(on.productTemplate, 'AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.Roles).includes(roleId),
    );
    const statements = policies.flatMap(
      (p) => (p.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement,
    );
    const [projectId] = only(resourcesOf(on.productTemplate, 'AWS::CodeBuild::Project'));
    expect(statements).toEqual([
      { Action: 'codebuild:StartBuild', Effect: 'Allow', Resource: { 'Fn::GetAtt': [projectId, 'Arn'] } },
    ]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toBeUndefined();
  });

  it('lets the build pull the repository and read the registry it chooses parents from', () => {
    const [projectId, project] = only(resourcesOf(on.productTemplate, 'AWS::CodeBuild::Project'));
    expect(projectId).toBeDefined();
    const buildRoleId = (project.Properties.ServiceRole as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const statements = Object.values(resourcesOf(on.productTemplate, 'AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(buildRoleId))
      .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement);
    const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(actions).toEqual(
      expect.arrayContaining([
        'codecommit:GitPull',
        'sagemaker:ListModelPackages',
        'sagemaker:DescribeModelPackage',
        'sagemaker:DescribeModelPackageGroup',
        'sagemaker:ListTags',
        'sagemaker:DescribeHyperParameterTuningJob',
      ]),
    );
    expect(actions.filter((a) => String(a).includes('*'))).toEqual([]);
    const pull = statements.find((s) => s.Action === 'codecommit:GitPull');
    const [repositoryId] = only(resourcesOf(on.productTemplate, 'AWS::CodeCommit::Repository'));
    expect(pull?.Resource).toEqual({ 'Fn::GetAtt': [repositoryId, 'Arn'] });
  });

  it('passes cfn-lint with zero errors', async () => {
    const { errors, warnings } = await cfnLint(on.templateFiles);
    expect(errors).toEqual([]);
    expect(warnings.filter((id) => id !== 'W3005')).toEqual([]);
  });
});

describe('RetrainSchedule alarm (contract 6: optional alarmTopic)', () => {
  function stackWith(alarm: boolean) {
    const app = new App({ context: NO_CREATION_STACKS });
    const stack = new Stack(app, 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    const project = new codebuild.PipelineProject(stack, 'Build');
    const repository = new codecommit.Repository(stack, 'Repo', { repositoryName: 'model-demo-train' });
    const topic = alarm ? new sns.Topic(stack, 'Alarms') : undefined;
    const config: RetrainConfig = {
      schedule: 'rate(7 days)',
      timeZone: 'UTC',
      testMode: false,
      maxParents: 1,
      windowDays: 30,
    };
    new RetrainSchedule(stack, 'Retrain', {
      projectName: 'demo',
      projectId: 'p-demo00000001',
      config,
      mainBranch: 'main',
      buildProject: project,
      buildRole: project.role as iam.IRole,
      repository,
      alarmTopic: topic,
    });
    return Template.fromStack(stack);
  }

  it('publishes failed executions of <project>-main to the alarm topic', () => {
    const template = stackWith(true);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.sagemaker'],
        'detail-type': ['SageMaker Model Building Pipeline Execution Status Change'],
        detail: {
          pipelineArn: [
            {
              'Fn::Join': [
                '',
                ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:eu-west-1:111111111111:pipeline/demo-main'],
              ],
            },
          ],
          currentPipelineExecutionStatus: ['Failed'],
        },
      },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^Alarms') } })],
    });
  });

  it('adds no rule without a topic', () => {
    stackWith(false).resourceCountIs('AWS::Events::Rule', 0);
  });
});

describe('context retrain', () => {
  const base = { account: '111111111111', region: 'us-east-1' };
  const read = (context: Record<string, unknown>) => (key: string) => context[key];
  const errorOf = (retrain: unknown, extra: Record<string, unknown> = {}): string => {
    try {
      readConfig(read({ ...base, ...extra, retrain }), {});
    } catch (error) {
      if (error instanceof ConfigError) return error.message;
      throw error;
    }
    throw new Error('expected a ConfigError');
  };

  it('is off when absent or false, with defaults otherwise', () => {
    expect(readConfig(read(base), {}).retrain).toBeUndefined();
    expect(readConfig(read({ ...base, retrain: false }), {}).retrain).toBeUndefined();
    expect(readConfig(read({ ...base, retrain: '{"schedule":"rate(30 days)"}' }), {}).retrain).toEqual({
      schedule: 'rate(30 days)',
      timeZone: 'UTC',
      testMode: false,
      maxParents: 1,
      windowDays: 30,
    });
  });

  it.each([
    [{ schedule: 'cron(0 3 1 * *)' }, /retrain\.schedule" must have 6 cron fields/],
    [{ schedule: 'cron(0 3 1 * 1 *)' }, /"\?" in exactly one of day-of-month and day-of-week/],
    [{ schedule: 'at(2026-12-01T00:00:00)' }, /recurring .*one-time "at\(\.\.\.\)"/],
    [{ schedule: 'cron(0 3 1 * ? $)' }, /cron field with characters other than/],
    [{ schedule: 'rate(0 days)' }, /rate of at least 1/],
    [{ schedule: 'rate(1 days)' }, /singular unit with 1/],
    [{ schedule: 'rate(2 day)' }, /plural unit with 2/],
    [{}, /retrain\.schedule" is required/],
    [{ schedule: 'rate(1 day)', timeZone: 'Mars/Olympus' }, /retrain\.timeZone" must be an IANA time zone/],
    [{ schedule: 'rate(1 day)', maxParents: 6 }, /retrain\.maxParents" must be an integer from 1 to 5, got 6/],
    [{ schedule: 'rate(1 day)', testMode: 'yes' }, /retrain\.testMode" must be true or false/],
    [{ schedule: 'rate(1 day)', schedul: 'x' }, /unknown key "schedul"/],
    ['cron(', /must be a JSON object/],
    [[1], /must be an object/],
  ])('refuses %j', (retrain, message) => {
    expect(errorOf(retrain)).toMatch(message);
  });

  it('refuses retraining with the external-ci source provider, saying why', () => {
    expect(errorOf({ schedule: 'rate(1 day)' }, { sourceProvider: 'external-ci' })).toMatch(
      /context key "retrain" needs sourceProvider "codecommit".*not supported yet/,
    );
  });
});
