/**
 * The pull request report (issue 16): a function that keeps one comment current on every pull request into the
 * main branch from an experiment branch, with the branch's training state and its metrics against production's, and
 * the rules that call it:
 * - the repository's pull requests into main from a branch under the prefix, created or source branch updated
 *   (never comment events: the function's own comments cannot call it again);
 * - state changes of model packages in groups named `model-<project>` or `model-<project>-*` (registrations,
 *   approvals);
 * - status changes (Executing, Failed, Stopped) of the project's pipelines (`<project>-*`).
 *
 * The function reads SageMaker and the artifact bucket, and comments through CodeCommit; every permission is
 * scoped to this project's repository, groups, pipelines and bucket, except the two SageMaker list actions that
 * support no resource-level permission. The code checks group membership by the `sagemaker:project-id` tag.
 */
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  PR_REPORT_CODECOMMIT_ACTIONS,
  PR_REPORT_GROUP_ACTIONS,
  PR_REPORT_LIST_ACTIONS,
  PR_REPORT_PACKAGE_ACTIONS,
  PR_REPORT_PIPELINE_ACTIONS,
  PR_REPORT_EXECUTION_ACTIONS,
} from '../../lambda/pr-report/permissions';
import { PULL_REQUEST_EVENTS, REPORTED_EXECUTION_STATUSES } from '../../lambda/pr-report/route';
import { DETAIL_TYPES, EVENT_SOURCES } from '../../contracts/events';
import { ownOrUntagged, ownResource } from './isolation';
import { MonitoredFunction } from './monitored-function';
import { acknowledgeWildcards, nagResource } from './nag';

/**
 * Grants what reading a report needs (lambda/pr-report/collect.ts), read-only and scoped to the project: tags of
 * its model package groups, their versions, its branch pipelines' executions, evaluation reports in its artifact
 * bucket; the two SageMaker list actions that support no resource-level permission. Used by the report function and
 * by the GitHub workflow's report role (lib/constructs/source/external-ci-source.ts), with each wildcard acknowledged.
 */
export function grantReportRead(
  role: iam.Role,
  props: { readonly projectName: string; readonly projectId: string; readonly artifactBucket: s3.IBucket },
): void {
  const stack = Stack.of(role);
  const sageMakerArn = (resource: string, resourceName: string) =>
    stack.formatArn({ service: 'sagemaker', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  const baseGroup = `model-${props.projectName}`;
  const groups = [
    sageMakerArn('model-package-group', baseGroup),
    sageMakerArn('model-package-group', `${baseGroup}-*`),
  ];
  const packages = [sageMakerArn('model-package', `${baseGroup}/*`), sageMakerArn('model-package', `${baseGroup}-*/*`)];
  const pipelines = sageMakerArn('pipeline', `${props.projectName}-*`);
  const executions = sageMakerArn('pipeline', `${props.projectName}-*/execution/*`);
  const statement = (
    sid: string,
    actions: readonly string[],
    resources: string[],
    conditions?: Record<string, Record<string, string>>,
  ) => role.addToPolicy(new iam.PolicyStatement({ sid, actions: [...actions], resources, conditions }));
  // Names `model-<project>-*` and `<project>-*` also match projects "<project>-<more>": the project id tag decides
  // (lib/constructs/isolation.ts). Reads that must answer "not found" allow untagged (not yet existing) resources.
  statement('ReadGroupTags', PR_REPORT_GROUP_ACTIONS, groups, ownOrUntagged(props.projectId));
  statement('ReadModelPackages', PR_REPORT_PACKAGE_ACTIONS, packages, ownResource(props.projectId));
  statement('ListExecutions', PR_REPORT_PIPELINE_ACTIONS, [pipelines], ownOrUntagged(props.projectId));
  // Executions have no condition key (isolation.ts, UNSCOPABLE): read only.
  statement('ReadExecutions', PR_REPORT_EXECUTION_ACTIONS, [executions]);
  // Neither list action supports a resource-level permission.
  statement('ListGroupsAndPackages', PR_REPORT_LIST_ACTIONS, ['*']);
  const reports = props.artifactBucket.arnForObjects('*');
  statement('ReadEvaluationReports', ['s3:GetObject'], [reports]);
  props.artifactBucket.encryptionKey?.grantDecrypt(role);

  acknowledgeWildcards(role, {
    'Resource::*': 'sagemaker:ListModelPackageGroups and ListModelPackages support no resource-level permission.',
    [nagResource(role, groups[1] as string)]:
      "Groups of further models are named model-<project>-<model>; the code accepts only groups tagged with this project's id.",
    [nagResource(role, packages[0] as string)]:
      "Versions are numbered at registration; this project's first group only.",
    [nagResource(role, packages[1] as string)]: "Versions of the project's further groups (model-<project>-<model>).",
    [nagResource(role, pipelines)]: 'One SageMaker pipeline per experiment branch, named <project>-<branch slug>.',
    [nagResource(role, executions)]: "Executions of the project's branch pipelines, created by each push.",
    [nagResource(role, reports)]:
      'Evaluation reports are under per-pipeline, per-execution keys of the project bucket; read-only.',
  });
}

export interface PullRequestReportProps {
  readonly projectName: string;
  readonly projectId: string;
  /** The CodeCommit repository whose pull requests get the report. */
  readonly repository: codecommit.IRepository;
  readonly mainBranch: string;
  readonly branchPrefix: string;
  /** The project's artifact bucket, where evaluation reports are (read-only). */
  readonly artifactBucket: s3.IBucket;
  readonly logRetention: logs.RetentionDays;
  /**
   * The project's alarm topic (contract 6): the function's error and dead-letter alarms notify it.
   * @default - the alarms have no action
   */
  readonly alarmTopic?: sns.ITopic;
}

export class PullRequestReport extends Construct {
  readonly handler: MonitoredFunction;
  readonly pullRequestRule: events.Rule;
  readonly modelPackageRule: events.Rule;
  readonly pipelineRule: events.Rule;

  constructor(scope: Construct, id: string, props: PullRequestReportProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const sageMakerArn = (resource: string, resourceName: string) =>
      stack.formatArn({ service: 'sagemaker', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const baseGroup = `model-${props.projectName}`;

    this.handler = new MonitoredFunction(this, 'Handler', {
      handlerDir: 'pr-report',
      description: `Keeps the model report comment of pull requests into ${props.mainBranch} current in project ${props.projectName}`,
      timeout: Duration.minutes(2),
      logRetention: props.logRetention,
      environment: {
        PROJECT_NAME: props.projectName,
        PROJECT_ID: props.projectId,
        REPOSITORY_NAME: props.repository.repositoryName,
        MAIN_BRANCH: props.mainBranch,
        BRANCH_PREFIX: props.branchPrefix,
        ARTIFACT_BUCKET: props.artifactBucket.bucketName,
      },
    });
    if (props.alarmTopic !== undefined) {
      const action = new cloudwatchActions.SnsAction(props.alarmTopic);
      this.handler.errorsAlarm.addAlarmAction(action);
      this.handler.deadLetterAlarm.addAlarmAction(action);
    }
    const role = this.handler.role;

    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'CommentOnPullRequests',
        actions: [...PR_REPORT_CODECOMMIT_ACTIONS],
        resources: [props.repository.repositoryArn],
      }),
    );
    grantReportRead(role, {
      projectName: props.projectName,
      projectId: props.projectId,
      artifactBucket: props.artifactBucket,
    });

    // One comment per pull request: invocations race only on a pull request's first report, which the post's
    // idempotency token settles (lambda/pr-report/comments.ts); no reserved concurrency is needed.
    const target = () =>
      new targets.LambdaFunction(this.handler.function as lambda.IFunction, {
        deadLetterQueue: this.handler.deadLetterQueue,
        retryAttempts: 4,
        maxEventAge: Duration.hours(2),
      });
    this.pullRequestRule = new events.Rule(this, 'PullRequestRule', {
      description: `Pull requests into ${props.mainBranch} from ${props.branchPrefix}* created or updated`,
      eventPattern: {
        source: [EVENT_SOURCES.codecommit],
        detailType: [DETAIL_TYPES.pullRequestStateChange],
        resources: [props.repository.repositoryArn],
        detail: {
          event: [...PULL_REQUEST_EVENTS],
          destinationReference: [`refs/heads/${props.mainBranch}`],
          sourceReference: [{ prefix: `refs/heads/${props.branchPrefix}` }],
        },
      },
    });
    this.pullRequestRule.addTarget(target());
    this.modelPackageRule = new events.Rule(this, 'ModelPackageRule', {
      description: `Model packages of the groups of project ${props.projectName} changed state`,
      eventPattern: {
        source: [EVENT_SOURCES.sagemaker],
        detailType: [DETAIL_TYPES.modelPackageStateChange],
        detail: { ModelPackageGroupName: [baseGroup, { prefix: `${baseGroup}-` }] },
      },
    });
    this.modelPackageRule.addTarget(target());
    this.pipelineRule = new events.Rule(this, 'PipelineExecutionRule', {
      description: `Pipeline executions of project ${props.projectName} started, failed or stopped`,
      eventPattern: {
        source: [EVENT_SOURCES.sagemaker],
        detailType: [DETAIL_TYPES.pipelineExecutionStatusChange],
        detail: {
          currentPipelineExecutionStatus: [...REPORTED_EXECUTION_STATUSES],
          pipelineArn: [{ prefix: sageMakerArn('pipeline', `${props.projectName}-`) }],
        },
      },
    });
    this.pipelineRule.addTarget(target());
  }
}
