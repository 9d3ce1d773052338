/**
 * Scheduled retraining of the main branch (docs/retraining.md): an EventBridge Scheduler schedule starts the
 * project's train build on the head of the main branch, the same build and `run.js` a push runs (one code path),
 * with `TRIGGER=schedule`. The build is a CodePipeline project (its source is the branch pipeline's artifact), so the
 * schedule overrides the source with the CodeCommit repository at the main branch and turns off the artifacts.
 *
 * - The scheduler's role may start that one build project, nothing else; only this schedule can assume it.
 * - The build role may pull the repository (CodeCommit source) and read the model registry and tuning jobs it needs
 *   to choose warm-start parents (`RETRAIN_PERMISSIONS`, the calls sagemaker-pipeline/src/retrain.ts makes).
 * - With `alarmTopic`, a failed execution of the main pipeline (every model failed its gate, or a step failed) is
 *   published to it.
 */
import { ArnFormat, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { PROJECT_NAME_MAX_LENGTH, branchSlug } from '../../contracts/naming';
import { RETRAIN_PERMISSIONS } from '../../sagemaker-pipeline/src/retrain';
import type { RetrainConfig } from '../config';
import { ROLE_PATH } from './monitored-function';
import { ownOrUntagged, ownResource } from './isolation';
import { acknowledgeWildcards, nagResource } from './nag';
import { DETAIL_TYPES, EVENT_SOURCES } from '../../contracts/events';

/**
 * `mainPipelineName(projectName, mainBranch)` while the project name is a CloudFormation parameter: `<project>-` and
 * the branch slug, which does not depend on the project name for main branches of at most 100 characters (what
 * lib/config.ts allows; a test checks the two agree).
 */
export function mainPipelineNameFor(projectName: string, mainBranch: string): string {
  return `${projectName}-${branchSlug(mainBranch, 256 - PROJECT_NAME_MAX_LENGTH - 1)}`;
}

export interface RetrainScheduleProps {
  /** The SageMaker project's name (a CloudFormation parameter in the product stack). */
  readonly projectName: string;
  /** The SageMaker project id: the build reads only groups, versions and tuning jobs tagged with it. */
  readonly projectId: string;
  readonly config: RetrainConfig;
  readonly mainBranch: string;
  readonly buildProject: codebuild.IProject;
  /** The build project's role: it gets GitPull on the repository and read access to the registry. */
  readonly buildRole: iam.IRole;
  /** The project's CodeCommit repository (`CodeCommitSource.repository`): the build pulls the head of main from it. */
  readonly repository: codecommit.IRepository;
  /**
   * The project's alarm topic (contract 6): a failed execution of the main pipeline is published to it.
   * @default - no alarm
   */
  readonly alarmTopic?: sns.ITopic;
}

export class RetrainSchedule extends Construct {
  readonly schedule: scheduler.Schedule;
  readonly role: iam.Role;
  /** The main branch's SageMaker pipeline, `<project>-main`. */
  readonly pipelineName: string;
  readonly failedRunRule?: events.Rule;

  constructor(scope: Construct, id: string, props: RetrainScheduleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { config } = props;
    const scheduleName = `model-${props.projectName}-retrain`;
    this.pipelineName = mainPipelineNameFor(props.projectName, props.mainBranch);

    // Only this schedule (default group) in this account can assume the role (confused-deputy conditions).
    const scheduleArn = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `default/${scheduleName}`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    this.role = new iam.Role(this, 'Role', {
      path: ROLE_PATH,
      description: `Starts the scheduled retraining build of project ${props.projectName}`,
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account, 'aws:SourceArn': scheduleArn } },
      }),
    });

    const env = (name: string, value: string) => ({ name, value, type: 'PLAINTEXT' });
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      scheduleName,
      description: `Retrains the head of ${props.mainBranch} of project ${props.projectName} (docs/retraining.md)`,
      schedule: scheduler.ScheduleExpression.expression(config.schedule, TimeZone.of(config.timeZone)),
      timeWindow: scheduler.TimeWindow.off(),
      // The target adds codebuild:StartBuild on this project to the role: the only action it has.
      target: new schedulerTargets.CodeBuildStartBuild(props.buildProject, {
        role: this.role,
        // Retries are safe: run.js starts at most one execution per schedule slot (SCHEDULED_TIME).
        retryAttempts: 20,
        maxEventAge: Duration.hours(6),
        input: scheduler.ScheduleTargetInput.fromObject({
          sourceTypeOverride: 'CODECOMMIT',
          sourceLocationOverride: props.repository.repositoryCloneUrlHttp,
          sourceVersion: props.mainBranch,
          artifactsOverride: { type: 'NO_ARTIFACTS' },
          buildspecOverride: 'buildspec.yml',
          idempotencyToken: `retrain-${scheduler.ContextAttribute.scheduledTime}`,
          environmentVariablesOverride: [
            env('BRANCH_NAME', props.mainBranch),
            env('TRIGGER', 'schedule'),
            env('TEST_MODE', String(config.testMode)),
            env('SCHEDULED_TIME', scheduler.ContextAttribute.scheduledTime),
            env('RETRAIN_TIME_ZONE', config.timeZone),
            env('RETRAIN_MAX_PARENTS', String(config.maxParents)),
            env('RETRAIN_WINDOW_DAYS', String(config.windowDays)),
          ],
        }),
      }),
    });

    // A CodeCommit source: the build clones the repository itself (a pipeline build gets an artifact instead).
    props.repository.grantPull(props.buildRole);
    const groupArn = stack.formatArn({
      service: 'sagemaker',
      resource: 'model-package-group',
      resourceName: `model-${props.projectName}*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    const packageArn = stack.formatArn({
      service: 'sagemaker',
      resource: 'model-package',
      resourceName: `model-${props.projectName}*/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    const tuningJobArn = stack.formatArn({
      service: 'sagemaker',
      resource: 'hyper-parameter-tuning-job',
      resourceName: '*',
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    // `model-<project>*` also names the groups of project "<project>-<more>" and tuning jobs carry no project in
    // their names: the project id tag decides (lib/constructs/isolation.ts). Groups may not exist yet (first run:
    // "not found"), so their reads also allow untagged resources; versions and tuning jobs must be the project's.
    const statements = [
      { sid: 'RetrainListVersions', actions: RETRAIN_PERMISSIONS.list, resources: ['*'] },
      {
        sid: 'RetrainReadGroups',
        actions: RETRAIN_PERMISSIONS.group,
        resources: [groupArn],
        conditions: ownOrUntagged(props.projectId),
      },
      {
        sid: 'RetrainReadVersions',
        actions: RETRAIN_PERMISSIONS.version,
        resources: [packageArn],
        conditions: ownResource(props.projectId),
      },
      {
        sid: 'RetrainReadTuningJobs',
        actions: RETRAIN_PERMISSIONS.tuningJob,
        resources: [tuningJobArn],
        conditions: ownResource(props.projectId),
      },
    ];
    for (const s of statements) {
      props.buildRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: s.sid,
          actions: [...s.actions],
          resources: s.resources,
          conditions: s.conditions,
        }),
      );
    }
    acknowledgeWildcards(props.buildRole, {
      'Resource::*':
        'sagemaker:ListModelPackages has no resource-level permissions (Service Authorization Reference); the ' +
        'versions it lists are read only through the group-scoped DescribeModelPackage statement.',
      [nagResource(this, groupArn)]:
        'The project\'s model package groups: "model-<project>" and "model-<project>-<model>" (contract 1); the run ' +
        "command also checks each group's sagemaker:project-id tag before it trusts a version.",
      [nagResource(this, packageArn)]: "Versions of the project's model package groups get numbers at run time.",
      [nagResource(this, tuningJobArn)]:
        'Tuning jobs started by pipeline Tuning steps get generated names; read-only Describe of the job a version ' +
        'of the project records as its tuning_job, to check it can warm-start.',
    });

    if (props.alarmTopic !== undefined) {
      const pipelineArn = stack.formatArn({
        service: 'sagemaker',
        resource: 'pipeline',
        resourceName: this.pipelineName,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      });
      this.failedRunRule = new events.Rule(this, 'FailedRunRule', {
        description: `Failed executions of ${props.mainBranch}'s SageMaker pipeline (scheduled retraining)`,
        eventPattern: {
          source: [EVENT_SOURCES.sagemaker],
          detailType: [DETAIL_TYPES.pipelineExecutionStatusChange],
          detail: { pipelineArn: [pipelineArn], currentPipelineExecutionStatus: ['Failed'] },
        },
      });
      this.failedRunRule.addTarget(
        new eventsTargets.SnsTopic(props.alarmTopic, {
          message: events.RuleTargetInput.fromText(
            `Retraining of project ${props.projectName} failed: execution ` +
              `${events.EventField.fromPath('$.detail.pipelineExecutionArn')} (` +
              `${events.EventField.fromPath('$.detail.pipelineExecutionDisplayName')}) ended ` +
              `${events.EventField.fromPath('$.detail.currentPipelineExecutionStatus')}: a model failed its gate or a ` +
              'step failed, so this run may have registered no new version. See the execution in SageMaker Studio.',
          ),
        }),
      );
    }
  }
}
