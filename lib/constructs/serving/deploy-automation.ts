/**
 * The deploy function of a serving stage and what calls it: a rule on the stage's default bus for the served projects'
 * model package events (Approved or Rejected; forwarded from the registry account when the stage is in another), and,
 * for a stage with a delay, a state machine that waits before the function re-resolves an Approved version (a
 * Rejected one goes through at once, so a rollback never waits).
 */
import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { DEPLOY_PERMISSIONS } from '../../../lambda/deploy-model/permissions';
import { DETAIL_TYPES, EVENT_SOURCES } from '../../../contracts/events';
import { TAG_PROJECT_ID } from '../../../contracts/naming';
import { deployFunctionName, servingParameterPrefix } from '../../../contracts/serving';
import type { ServedProjectConfig } from '../../config';
import { MonitoredFunction } from '../monitored-function';
import { acknowledgeWildcards, nagResource } from '../nag';
import * as rules from '../validation';

/** What DeployAutomation checks before it creates anything. */
const validate = rules.propChecker<DeployAutomationProps>('DeployAutomation', {
  stageName: rules.STAGE_NAME_RULE,
  registryAccount: rules.REGISTRY_ACCOUNT_RULE,
  projects: rules.SERVED_PROJECTS_RULE,
  delay: rules.durationRule('days', 0, 90, 'set serving.stages[].delayMinutes to 0 to 129600'),
  retainArtifacts: rules.integerRule(2, 100, 'set serving.retainArtifacts to 2 to 100'),
});

/** Margin added to the stage delay: the Wait starts when the event arrives, a little after LastModifiedTime. */
export const DELAY_MARGIN_SECONDS = 60;
export interface DeployAutomationProps {
  /** The stage's name (context `serving.stages[].name`, lower-case letters and digits, at most 16). */
  readonly stageName: string;
  /** The 12-digit account of the model registry (context `serving.registryAccount`). */
  readonly registryAccount: string;
  /** The projects whose approved versions this stage serves (at least one). */
  readonly projects: readonly ServedProjectConfig[];
  /** The serving bucket: the function copies approved artifacts under `prefix`. */
  readonly bucket: s3.IBucket;
  /** Key prefix of the served artifacts in `bucket`, ending with `/`. */
  readonly prefix: string;
  /** How long a version must have stayed Approved before this stage serves it: 0 (at once) to 90 days. */
  readonly delay: Duration;
  /** Served artifacts kept per model, the current one included (context `serving.retainArtifacts`): 2 to 100. */
  readonly retainArtifacts: number;
  /** Retention of the function's log group (context `logRetentionDays`): a value CloudWatch Logs accepts. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Receives the function's and the state machine's alarms (contract 6).
   * @default - alarms without actions
   */
  readonly alarmTopic?: sns.ITopic;
}

export class DeployAutomation extends Construct {
  readonly handler: MonitoredFunction;
  readonly rule: events.Rule;
  /** Only for a stage with a delay. */
  readonly stateMachine?: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: DeployAutomationProps) {
    super(scope, validate(scope, id, props));
    const stack = Stack.of(this);
    const sameAccount = props.registryAccount === stack.account;
    const parameterPrefix = servingParameterPrefix(props.stageName);

    this.handler = new MonitoredFunction(this, 'Handler', {
      handlerDir: 'deploy-model',
      functionName: deployFunctionName(props.stageName),
      description: `Serves the current approved model versions on the ${props.stageName} multi-model endpoint`,
      timeout: Duration.minutes(5),
      memorySize: 256,
      logRetention: props.logRetention,
      environment: {
        STAGE_NAME: props.stageName,
        REGISTRY_ACCOUNT: props.registryAccount,
        OWN_ACCOUNT: stack.account,
        SERVED_PROJECTS: JSON.stringify(props.projects.map((p) => ({ name: p.name, id: p.id }))),
        SERVING_BUCKET: props.bucket.bucketName,
        SERVING_PREFIX: props.prefix,
        PARAMETER_PREFIX: parameterPrefix,
        DELAY_SECONDS: String(props.delay.toSeconds()),
        RETAIN_ARTIFACTS: String(props.retainArtifacts),
      },
    });
    // One event at a time: each run re-reads the registry and writes the parameter, so runs never interleave.
    (this.handler.function.node.defaultChild as lambda.CfnFunction).reservedConcurrentExecutions = 1;
    const role = this.handler.role;

    const registryArn = (resource: string, name: string) =>
      `arn:${Aws.PARTITION}:sagemaker:${stack.region}:${props.registryAccount}:${resource}/${name}`;
    const groups = props.projects.map((p) => registryArn('model-package-group', `model-${p.name}*`));
    const packages = props.projects.map((p) => registryArn('model-package', `model-${p.name}*/*`));
    // `model-<project>*` also names the groups of project "<project>-<more>". In the registry's own account the
    // versions' project id tag (set by the definition's RegisterModel steps) must be a served project's; across
    // accounts the registry's group policy already shares exactly `model-<project>` (registry-access.ts).
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadApprovedVersions',
        actions: [...DEPLOY_PERMISSIONS.readVersions],
        resources: packages,
        conditions: sameAccount
          ? { StringEquals: { [`aws:ResourceTag/${TAG_PROJECT_ID}`]: props.projects.map((p) => p.id) } }
          : undefined,
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ListVersions',
        // ListModelPackages supports no resource-level permission.
        actions: [...DEPLOY_PERMISSIONS.listVersions],
        resources: ['*'],
      }),
    );
    if (sameAccount) {
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'ReadGroupTags',
          actions: [...DEPLOY_PERMISSIONS.groupTags],
          resources: groups,
        }),
      );
    }
    // A project without a configured artifact bucket: any bucket of the registry account (s3:ResourceAccount).
    const anyBucket = props.projects.some((p) => p.artifactBucket === undefined);
    const artifactBuckets = props.projects.map((p) => `arn:${Aws.PARTITION}:s3:::${p.artifactBucket ?? '*'}/*`);
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadApprovedArtifacts',
        // CopyObject reads the source (a pinned version when recorded); tags are not copied (TaggingDirective REPLACE).
        actions: [...DEPLOY_PERMISSIONS.readArtifacts],
        resources: anyBucket ? [`arn:${Aws.PARTITION}:s3:::*/*`] : [...new Set(artifactBuckets)],
        conditions: { StringEquals: { 's3:ResourceAccount': props.registryAccount } },
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DecryptApprovedArtifacts',
        actions: [...DEPLOY_PERMISSIONS.decryptArtifacts],
        resources: [`arn:${Aws.PARTITION}:kms:${stack.region}:${props.registryAccount}:key/*`],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteServedArtifacts',
        actions: [...DEPLOY_PERMISSIONS.writeServed],
        resources: [props.bucket.arnForObjects(`${props.prefix}*`)],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ListServedArtifacts',
        actions: [...DEPLOY_PERMISSIONS.listServed],
        resources: [props.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${props.prefix}*`] } },
      }),
    );
    const parameters = `arn:${Aws.PARTITION}:ssm:${stack.region}:${stack.account}:parameter${parameterPrefix}*`;
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'CurrentModelParameters',
        actions: [...DEPLOY_PERMISSIONS.parameters],
        resources: [parameters],
      }),
    );
    acknowledgeWildcards(role, {
      'Resource::*': 'sagemaker:ListModelPackages supports no resource-level permission.',
      ...Object.fromEntries(
        [...groups, ...packages].map((arn) => [
          nagResource(this, arn),
          'Groups of a served project are model-<project> and model-<project>-<model> (contract 1); the tag check in the function decides membership.',
        ]),
      ),
      ...(anyBucket
        ? {
            [nagResource(this, `arn:${Aws.PARTITION}:s3:::*/*`)]:
              'No artifactBucket configured for a served project: reads objects of the registry account only (s3:ResourceAccount); set artifactBucket to narrow it.',
          }
        : Object.fromEntries(
            artifactBuckets.map((arn) => [
              nagResource(this, arn),
              "Approved artifacts have run-time keys; read-only, in the served project's artifact bucket.",
            ]),
          )),
      [nagResource(this, `arn:${Aws.PARTITION}:kms:${stack.region}:${props.registryAccount}:key/*`)]:
        "The registry's artifact key id is not known to the stage; decrypt only, only through S3 (kms:ViaService).",
      [nagResource(this, props.bucket.arnForObjects(`${props.prefix}*`))]:
        'Served keys are <project>/<group>/v<version>.tar.gz, chosen at run time; only under the serving prefix.',
      [nagResource(this, parameters)]:
        "One parameter per served model, created at run time; only under this stage's path.",
    });

    const [source, detailType] = [EVENT_SOURCES.sagemaker, DETAIL_TYPES.modelPackageStateChange];
    const eventPattern: events.EventPattern = {
      source: [source],
      detailType: [detailType],
      account: [props.registryAccount],
      detail: {
        ModelPackageGroupName: props.projects.flatMap((p) => [`model-${p.name}`, { prefix: `model-${p.name}-` }]),
        ModelApprovalStatus: ['Approved', 'Rejected'],
      },
    };
    this.rule = new events.Rule(this, 'StateChangeRule', {
      description: `Model versions of the projects served by stage ${props.stageName} were approved or rejected`,
      eventPattern,
    });

    const alarms: cloudwatch.Alarm[] = [this.handler.errorsAlarm, this.handler.deadLetterAlarm];
    if (props.delay.toSeconds() === 0) {
      this.rule.addTarget(
        new targets.LambdaFunction(this.handler.function, {
          deadLetterQueue: this.handler.deadLetterQueue,
          retryAttempts: 4,
          maxEventAge: Duration.hours(2),
        }),
      );
    } else {
      const invoke = (name: string) =>
        new tasks.LambdaInvoke(this, name, {
          lambdaFunction: this.handler.function,
          payload: sfn.TaskInput.fromJsonPathAt('$'),
          payloadResponseOnly: true,
          retryOnServiceExceptions: true,
        }).addRetry({ errors: ['States.ALL'], interval: Duration.minutes(1), maxAttempts: 5, backoffRate: 2 });
      const wait = new sfn.Wait(this, 'StayApproved', {
        comment: 'A version is promoted only after it stayed Approved for the stage delay',
        time: sfn.WaitTime.duration(props.delay.plus(Duration.seconds(DELAY_MARGIN_SECONDS))),
      });
      const definition = new sfn.Choice(this, 'ApprovedOrRejected')
        .when(
          sfn.Condition.stringEquals('$.detail.ModelApprovalStatus', 'Approved'),
          wait.next(invoke('ResolveAfterDelay')),
        )
        .otherwise(invoke('ResolveNow'));
      const logGroup = new logs.LogGroup(this, 'StateMachineLogs', {
        retention: props.logRetention,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      this.stateMachine = new sfn.StateMachine(this, 'DelayedPromotion', {
        comment: `Promotes approved versions to stage ${props.stageName} after ${props.delay.toHumanString()}`,
        definitionBody: sfn.DefinitionBody.fromChainable(definition),
        timeout: props.delay.plus(Duration.hours(2)),
        tracingEnabled: true,
        logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      });
      this.rule.addTarget(
        new targets.SfnStateMachine(this.stateMachine, {
          deadLetterQueue: this.handler.deadLetterQueue,
          retryAttempts: 4,
          maxEventAge: Duration.hours(2),
        }),
      );
      alarms.push(
        new cloudwatch.Alarm(this, 'PromotionFailedAlarm', {
          alarmDescription: `Delayed promotions of stage ${props.stageName} failed`,
          metric: this.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
      acknowledgeWildcards(this.stateMachine, {
        [`Resource::<${stack.getLogicalId(this.handler.function.node.defaultChild as lambda.CfnFunction)}.Arn>:*`]:
          'The state machine invokes the deploy function (any of its versions), nothing else.',
        'Resource::*':
          'X-Ray tracing and log delivery (CloudWatch Logs vended delivery) support no resource-level permission.',
      });
    }
    if (props.alarmTopic !== undefined) {
      for (const alarm of alarms) alarm.addAlarmAction(new cwActions.SnsAction(props.alarmTopic));
    }

    if (!sameAccount) {
      // The registry account's project template forwards its groups' state changes to this bus.
      new events.CfnEventBusPolicy(this, 'RegistryForwarding', {
        statementId: `multibranch-mlops-${props.stageName}-from-${props.registryAccount}`,
        eventBusName: 'default',
        statement: {
          Effect: 'Allow',
          Principal: { AWS: `arn:${Aws.PARTITION}:iam::${props.registryAccount}:root` },
          Action: 'events:PutEvents',
          Resource: `arn:${Aws.PARTITION}:events:${stack.region}:${stack.account}:event-bus/default`,
          Condition: { StringEquals: { 'events:source': source, 'events:detail-type': detailType } },
        },
      });
    }
  }
}
