/**
 * Releases the model of a commit once it is on the main branch: the release Lambda, named
 * `release-model-package-<project>` so that people and Jenkins can invoke it by name, its DynamoDB table of release
 * intents (a merge may arrive before its model package exists), and the rules that call it: the source's "merged
 * into main" and "main updated" events, and state changes of model packages in the project's group.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ProjectSource } from './codecommit-source';
import { MonitoredFunction } from './monitored-function';
import { acknowledgeWildcards, nagResource } from './nag';

export const MODEL_PACKAGE_STATE_CHANGE = 'SageMaker Model Package State Change';

export interface ReleaseAutomationProps {
  readonly projectName: string;
  /**
   * The source whose merges and pushes to main call the function.
   * @default - no source events: CI invokes the function directly (source provider `jenkins`)
   */
  readonly source?: ProjectSource;
  readonly mainBranch: string;
  readonly modelPackageGroupName: string;
  readonly intentTtlDays: number;
  readonly logRetention: logs.RetentionDays;
}

/** The release function's promised name. */
export function releaseFunctionName(projectName: string): string {
  return `release-model-package-${projectName}`;
}

export class ReleaseAutomation extends Construct {
  readonly handler: MonitoredFunction;
  readonly intentTable: dynamodb.Table;
  readonly modelPackageRule: events.Rule;

  constructor(scope: Construct, id: string, props: ReleaseAutomationProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const sageMakerArn = (resource: string, resourceName: string) =>
      stack.formatArn({ service: 'sagemaker', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });

    this.intentTable = new dynamodb.Table(this, 'IntentTable', {
      partitionKey: { name: 'commitId', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.handler = new MonitoredFunction(this, 'Handler', {
      handlerDir: 'release-model',
      functionName: releaseFunctionName(props.projectName),
      description: `Approves the model package of a commit merged into ${props.mainBranch} in project ${props.projectName}`,
      timeout: Duration.minutes(1),
      logRetention: props.logRetention,
      environment: {
        PROJECT_NAME: props.projectName,
        // The promised repository name; with a `jenkins` source no CodeCommit event names it, so nothing matches it.
        REPOSITORY_NAME: props.source?.repository.repositoryName ?? `model-${props.projectName}-train`,
        MAIN_BRANCH: props.mainBranch,
        MODEL_PACKAGE_GROUP_NAME: props.modelPackageGroupName,
        INTENT_TABLE_NAME: this.intentTable.tableName,
        INTENT_TTL_DAYS: String(props.intentTtlDays),
      },
    });
    const role = this.handler.role;
    const modelPackages = sageMakerArn('model-package', `${props.modelPackageGroupName}/*`);
    acknowledgeWildcards(role, {
      'Resource::*': 'sagemaker:ListModelPackages supports no resource-level permission.',
      [nagResource(this, modelPackages)]:
        "Model package versions are numbered at registration; the wildcard covers versions of this project's group only.",
    });

    // lambda/release-model/intents.ts reads, records and marks intents by key; it never queries, scans or deletes.
    this.intentTable.grant(role, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem');
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ApproveModelPackages',
        actions: ['sagemaker:DescribeModelPackage', 'sagemaker:UpdateModelPackage'],
        resources: [modelPackages],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ListModelPackages',
        // ListModelPackages supports no resource-level permission.
        actions: ['sagemaker:ListModelPackages'],
        resources: ['*'],
      }),
    );

    props.source?.addReleaseTarget(
      new targets.LambdaFunction(this.handler.function, {
        deadLetterQueue: this.handler.deadLetterQueue,
        retryAttempts: 4,
        maxEventAge: Duration.hours(2),
      }),
    );
    this.modelPackageRule = new events.Rule(this, 'ModelPackageRule', {
      description: `Model packages of group ${props.modelPackageGroupName} changed state`,
      eventPattern: {
        source: ['aws.sagemaker'],
        detailType: [MODEL_PACKAGE_STATE_CHANGE],
        detail: { ModelPackageGroupName: [props.modelPackageGroupName] },
      },
    });
    this.modelPackageRule.addTarget(
      new targets.LambdaFunction(this.handler.function, {
        deadLetterQueue: this.handler.deadLetterQueue,
        retryAttempts: 4,
        maxEventAge: Duration.hours(2),
      }),
    );
  }
}
