/**
 * Early validation in the constructs that take user input (issue 17): a bad literal throws in the constructor,
 * before anything is created, naming the construct (class and path), the prop, the value and the fix; a token (a
 * CloudFormation parameter) is resolved at deploy time and passes. Dependencies a construct never reaches before it
 * refuses a value are a proxy that throws on any use, so these tests also prove validation comes first.
 */
import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AlarmTopic } from '../../lib/constructs/alarm-topic';
import { BranchAutomation, BranchAutomationProps } from '../../lib/constructs/branch-automation';
import { MainBranchProtection, MainBranchProtectionProps } from '../../lib/constructs/main-branch-protection';
import { MonitoredFunction, MonitoredFunctionProps } from '../../lib/constructs/monitored-function';
import { PullRequestReport, PullRequestReportProps } from '../../lib/constructs/pr-report';
import { ReleaseAutomation, ReleaseAutomationProps } from '../../lib/constructs/release-automation';
import { RetrainSchedule, RetrainScheduleProps } from '../../lib/constructs/retrain-schedule';
import { DeployAutomation, DeployAutomationProps } from '../../lib/constructs/serving/deploy-automation';
import { MultiModelEndpoint, MultiModelEndpointProps } from '../../lib/constructs/serving/multi-model-endpoint';
import { TrainBuildProject, TrainBuildProjectProps } from '../../lib/constructs/train-build-project';
import { z } from 'zod';
import { integerRule, propChecker, PropError } from '../../lib/constructs/validation';
import { NO_CREATION_STACKS } from '../support/creation-stacks';

/** A dependency the constructor must not touch before it validates: any use throws. */
const NOT_REACHED = new Proxy(
  {},
  {
    get: (_target, key) => {
      throw new Error(`a dependency was used before validation (${String(key)})`);
    },
  },
) as never;

const IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';

function newStack(): Stack {
  // No esbuild bundling of the functions: validation tests need none.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...NO_CREATION_STACKS } });
  return new Stack(app, 'S', { env: { account: '111111111111', region: 'us-east-1' } });
}

/** A CloudFormation parameter: a token standing for a number or a string only known at deploy time. */
let parameters = 0;
function numberToken(stack: Stack): number {
  return new CfnParameter(stack, `Number${++parameters}`, { type: 'Number' }).valueAsNumber;
}
function stringToken(stack: Stack): string {
  return new CfnParameter(stack, `Text${++parameters}`).valueAsString;
}

/** The message shape every refusal has: construct, path, prop, value, fix. */
function refusal(construct: string, id: string, prop: string, value: string): RegExp {
  const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return new RegExp(
    `^${construct} at "S/${id}": prop ${escaped(prop)} must be .+, got ${escaped(value)}\\. Fix: .+\\.$`,
  );
}

function thrown(create: () => unknown): Error {
  try {
    create();
  } catch (error) {
    expect(error).toBeInstanceOf(PropError);
    return error as Error;
  }
  throw new Error('expected the constructor to throw');
}

describe('AlarmTopic', () => {
  it('refuses a malformed e-mail address', () => {
    const stack = newStack();
    const error = thrown(() => new AlarmTopic(stack, 'Alarms', { projectName: 'churn', email: 'not-an-address' }));
    expect(error.message).toMatch(refusal('AlarmTopic', 'Alarms', 'email', '"not-an-address"'));
    expect(error.message).toContain('ml-team@example.com');
  });

  it('accepts an address, and a token', () => {
    const stack = newStack();
    expect(() => new AlarmTopic(stack, 'A', { projectName: 'churn', email: 'ml@example.com' })).not.toThrow();
    expect(() => new AlarmTopic(stack, 'B', { projectName: 'churn', email: stringToken(stack) })).not.toThrow();
  });
});

describe('RetrainSchedule', () => {
  const CONFIG = { schedule: 'cron(0 3 1 * ? *)', timeZone: 'UTC', testMode: false, maxParents: 1, windowDays: 30 };
  const props = (stack: Stack, override: Partial<RetrainScheduleProps>): RetrainScheduleProps => ({
    projectName: 'churn',
    projectId: 'p-abc',
    config: CONFIG,
    mainBranch: 'main',
    buildProject: codebuild.Project.fromProjectName(stack, 'Build', 'model-churn-train'),
    buildRole: iam.Role.fromRoleArn(stack, 'BuildRole', 'arn:aws:iam::111111111111:role/build', { mutable: false }),
    repository: codecommit.Repository.fromRepositoryName(stack, 'Repo', 'model-churn-train'),
    ...override,
  });

  it.each([
    ['config.schedule', { ...CONFIG, schedule: 'cron(0 3 * * *)' }, '"cron(0 3 * * *)"'],
    ['config.schedule', { ...CONFIG, schedule: 'rate(1 days)' }, '"rate(1 days)"'],
    ['config.timeZone', { ...CONFIG, timeZone: 'Mars/Olympus' }, '"Mars/Olympus"'],
    ['config.maxParents', { ...CONFIG, maxParents: 6 }, '6'],
    ['config.windowDays', { ...CONFIG, windowDays: 0 }, '0'],
  ])('refuses %s %s', (prop, config, shown) => {
    const stack = newStack();
    expect(thrown(() => new RetrainSchedule(stack, 'Retrain', props(stack, { config }))).message).toMatch(
      refusal('RetrainSchedule', 'Retrain', prop, shown),
    );
  });

  it('refuses a main branch that is no branch name', () => {
    const stack = newStack();
    expect(() => new RetrainSchedule(stack, 'Retrain', props(stack, { mainBranch: 'main/' }))).toThrow(
      refusal('RetrainSchedule', 'Retrain', 'mainBranch', '"main/"'),
    );
  });

  it('accepts rate and cron expressions, and a token for maxParents', () => {
    const stack = newStack();
    const config = { ...CONFIG, schedule: 'rate(7 days)', maxParents: numberToken(stack) };
    expect(() => new RetrainSchedule(stack, 'Retrain', props(stack, { config }))).not.toThrow();
  });
});

describe('MultiModelEndpoint (serving stage instances)', () => {
  const props = (stack: Stack, override: Partial<MultiModelEndpointProps>): MultiModelEndpointProps => ({
    endpointName: 'mbm-sandbox',
    bucket: s3.Bucket.fromBucketName(stack, 'Bucket', 'serving-bucket'),
    prefix: 'served/',
    image: IMAGE,
    instanceType: 'ml.m5.large',
    instanceCount: 1,
    ...override,
  });

  it.each([
    ['instanceType', { instanceType: 'm5.large' }, '"m5.large"'],
    ['instanceCount', { instanceCount: 0 }, '0'],
    ['instanceCount', { instanceCount: 1.5 }, '1.5'],
    ['prefix', { prefix: 'served' }, '"served"'],
  ])('refuses %s %s', (prop, override, shown) => {
    const stack = newStack();
    const create = () => new MultiModelEndpoint(stack, 'Endpoint', { ...props(stack, {}), ...override });
    expect(thrown(create).message).toMatch(refusal('MultiModelEndpoint', 'Endpoint', prop, shown));
  });

  it('accepts a token instance count', () => {
    const stack = newStack();
    const create = () => new MultiModelEndpoint(stack, 'Endpoint', props(stack, { instanceCount: numberToken(stack) }));
    expect(create).not.toThrow();
  });
});

describe('DeployAutomation (serving stage)', () => {
  const PROJECTS = [{ name: 'churn', id: 'p-churn000001' }];
  const props = (override: Partial<DeployAutomationProps>): DeployAutomationProps => ({
    stageName: 'sandbox',
    registryAccount: '111111111111',
    projects: PROJECTS,
    bucket: NOT_REACHED,
    prefix: 'served/',
    delay: Duration.minutes(0),
    retainArtifacts: 5,
    logRetention: logs.RetentionDays.THREE_MONTHS,
    ...override,
  });

  it.each([
    ['stageName', { stageName: 'QA' }, '"QA"'],
    ['stageName', { stageName: 'a-very-long-stage-name' }, '"a-very-long-stage-name"'],
    ['registryAccount', { registryAccount: '1234' }, '"1234"'],
    ['projects', { projects: [] }, '[]'],
    ['delay', { delay: Duration.days(91) }, 'Duration.days(91)'],
    ['retainArtifacts', { retainArtifacts: 1 }, '1'],
  ])('refuses %s %s', (prop, override, shown) => {
    const stack = newStack();
    expect(thrown(() => new DeployAutomation(stack, 'Deploy', props(override))).message).toMatch(
      refusal('DeployAutomation', 'Deploy', prop, shown),
    );
  });

  it('accepts a token stage count of artifacts', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Bucket', 'serving-bucket');
    const create = () => new DeployAutomation(stack, 'Deploy', props({ bucket, retainArtifacts: numberToken(stack) }));
    expect(create).not.toThrow();
  });
});

describe('TrainBuildProject', () => {
  const props = (stack: Stack, override: Partial<TrainBuildProjectProps>): TrainBuildProjectProps => ({
    projectName: 'churn',
    projectId: 'p-abc',
    artifactBucket: new s3.Bucket(stack, 'Artifacts'),
    modelPackageGroupName: 'model-churn',
    sageMakerExecutionRole: iam.Role.fromRoleArn(stack, 'Exec', 'arn:aws:iam::111111111111:role/exec'),
    logRetention: logs.RetentionDays.THREE_MONTHS,
    ...override,
  });

  it.each([
    ['concurrentBuildLimit', { concurrentBuildLimit: 0 }, '0'],
    ['concurrentBuildLimit', { concurrentBuildLimit: 101 }, '101'],
    ['logRetention', { logRetention: 42 as logs.RetentionDays }, '42'],
  ])('refuses %s %s', (prop, override, shown) => {
    const stack = newStack();
    expect(thrown(() => new TrainBuildProject(stack, 'Train', props(stack, override))).message).toMatch(
      refusal('TrainBuildProject', 'Train', prop, shown),
    );
  });

  it('accepts a token build limit', () => {
    const stack = newStack();
    const create = () =>
      new TrainBuildProject(stack, 'Train', props(stack, { concurrentBuildLimit: numberToken(stack) }));
    expect(create).not.toThrow();
  });
});

describe('BranchAutomation', () => {
  const props = (override: Partial<BranchAutomationProps>): BranchAutomationProps => ({
    projectName: 'churn',
    projectId: 'p-abc',
    source: NOT_REACHED,
    branchPrefix: 'experiment/',
    templateFile: 'not-reached.json',
    roles: NOT_REACHED,
    buildProject: NOT_REACHED,
    artifactBucket: NOT_REACHED,
    reconcileInterval: Duration.hours(1),
    maxBranchPipelines: 25,
    logRetention: logs.RetentionDays.THREE_MONTHS,
    ...override,
  });

  it.each([
    ['maxBranchPipelines', { maxBranchPipelines: 501 }, '501'],
    ['reconcileInterval', { reconcileInterval: Duration.minutes(1) }, 'Duration.minutes(1)'],
    ['branchPrefix', { branchPrefix: 'experiment' }, '"experiment"'],
  ])('refuses %s %s', (prop, override, shown) => {
    const stack = newStack();
    expect(thrown(() => new BranchAutomation(stack, 'Branches', props(override))).message).toMatch(
      refusal('BranchAutomation', 'Branches', prop, shown),
    );
  });
});

describe('ReleaseAutomation', () => {
  const props = (override: Partial<ReleaseAutomationProps>): ReleaseAutomationProps => ({
    projectName: 'churn',
    repositoryName: 'model-churn-train',
    mainBranch: 'main',
    modelPackageGroupName: 'model-churn',
    intentTtlDays: 14,
    logRetention: logs.RetentionDays.THREE_MONTHS,
    projectId: 'p-abc',
    artifactBucket: NOT_REACHED,
    ...override,
  });

  it.each([
    ['intentTtlDays', { intentTtlDays: 0 }, '0'],
    ['intentTtlDays', { intentTtlDays: 366 }, '366'],
    ['mainBranch', { mainBranch: 'a..b' }, '"a..b"'],
  ])('refuses %s %s', (prop, override, shown) => {
    const stack = newStack();
    expect(thrown(() => new ReleaseAutomation(stack, 'Release', props(override))).message).toMatch(
      refusal('ReleaseAutomation', 'Release', prop, shown),
    );
  });
});

describe('MainBranchProtection', () => {
  const props = (stack: Stack, override: Partial<MainBranchProtectionProps>): MainBranchProtectionProps => ({
    projectName: 'churn',
    projectId: 'p-abc',
    repository: codecommit.Repository.fromRepositoryName(stack, 'Repo', 'model-churn-train'),
    mainBranch: 'main',
    approvers: [],
    approvalsRequired: 1,
    modelPackageGroupName: 'model-churn',
    ...override,
  });

  it.each([
    ['approvers', { approvers: ['bob'] }, '["bob"]'],
    ['approvalsRequired', { approvalsRequired: 11 }, '11'],
    ['mainBranch', { mainBranch: 'main.lock' }, '"main.lock"'],
  ])('refuses %s %s', (prop, override, shown) => {
    const stack = newStack();
    expect(thrown(() => new MainBranchProtection(stack, 'Protection', props(stack, override))).message).toMatch(
      refusal('MainBranchProtection', 'Protection', prop, shown),
    );
  });

  it('accepts approvers and a token among them, and a token approval count', () => {
    const stack = newStack();
    const approvers = ['arn:aws:sts::111111111111:assumed-role/Reviewers/*', stringToken(stack)];
    const create = () =>
      new MainBranchProtection(stack, 'Protection', props(stack, { approvers, approvalsRequired: numberToken(stack) }));
    expect(create).not.toThrow();
  });
});

describe('MonitoredFunction', () => {
  const props = (override: Partial<MonitoredFunctionProps>): MonitoredFunctionProps => ({
    handlerDir: 'pr-report',
    description: 'test',
    environment: {},
    logRetention: logs.RetentionDays.THREE_MONTHS,
    ...override,
  });

  it.each([
    ['logRetention', { logRetention: 42 as logs.RetentionDays }, '42'],
    ['memorySize', { memorySize: 64 }, '64'],
    ['handlerDir', { handlerDir: '../pr-report' }, '"../pr-report"'],
  ])('refuses %s %s', (prop, override, shown) => {
    const stack = newStack();
    expect(thrown(() => new MonitoredFunction(stack, 'Fn', props(override))).message).toMatch(
      refusal('MonitoredFunction', 'Fn', prop, shown),
    );
  });
});

describe('PullRequestReport', () => {
  it('refuses a branch prefix without a separator', () => {
    const stack = newStack();
    const props: PullRequestReportProps = {
      projectName: 'churn',
      projectId: 'p-abc',
      repository: NOT_REACHED,
      mainBranch: 'main',
      branchPrefix: 'experiment',
      artifactBucket: NOT_REACHED,
      logRetention: logs.RetentionDays.THREE_MONTHS,
    };
    expect(thrown(() => new PullRequestReport(stack, 'Report', props)).message).toMatch(
      refusal('PullRequestReport', 'Report', 'branchPrefix', '"experiment"'),
    );
  });
});

describe('propChecker', () => {
  it('checks the literal items of a list and passes its token items', () => {
    const stack = newStack();
    const list = { schema: z.array(z.number().max(3)), what: 'numbers up to 3', fix: 'use smaller numbers' };
    const validate = propChecker<{ counts: number[] }>('Widget', { counts: list });
    expect(validate(stack, 'W', { counts: [1, numberToken(stack), 3] })).toBe('W');
    expect(() => validate(stack, 'W', { counts: [1, numberToken(stack), 4] })).toThrow(PropError);
  });

  it('names the construct, its path, the prop of a nested object, the value and the fix', () => {
    const validate = propChecker<{ config: { count: number } }>('Widget', {
      config: { count: integerRule(1, 3, 'use 1 to 3') },
    });
    expect(() => validate(newStack(), 'W', { config: { count: 4 } })).toThrow(
      /^Widget at "S\/W": prop config\.count must be an integer from 1 to 3, got 4\. Fix: use 1 to 3\.$/,
    );
  });
});
