/**
 * Releases the model of a commit once it is on the main branch: the release Lambda, named
 * `release-model-package-<project>` so that people and Jenkins can invoke it by name, its DynamoDB table of release
 * intents (a merge may arrive before its model package exists), and the rules that call it: the source's "merged
 * into main" and "main updated" events, and state changes of model packages in the project's group.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { APPROVED_ARTIFACT_PREFIX } from '../../lambda/release-model/config';
import { ARTIFACT_COPY_ACTIONS } from '../../lambda/release-model/artifact';
import { COMMIT_INDEX_ACTIONS } from '../../lambda/release-model/commit-index';
import { PROVENANCE_ACTIONS } from '../../lambda/release-model/provenance';
import { VERIFY_MERGE_ACTIONS } from '../../lambda/release-model/pull-request';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { restrictPrefixToWriter } from './artifact-bucket';
import { MonitoredFunction } from './monitored-function';
import { ownOrUntagged, ownResource } from './isolation';
import { acknowledgeWildcards, nagResource } from './nag';
import type { ReleaseEventSource } from './source/project-source';
import { DETAIL_TYPES, EVENT_SOURCES } from '../../contracts/events';

export interface ReleaseAutomationProps {
  readonly projectName: string;
  /**
   * The project's repository name (`model-<project>-train`), which the function matches source events on; with an
   * external CI no CodeCommit event names it, so nothing matches it.
   */
  readonly repositoryName: string;
  /**
   * The source whose merges and pushes to main call the function, and whose repository it verifies merges with.
   * @default - no source events: CI invokes the function directly (source provider `external-ci`)
   */
  readonly releaseEvents?: ReleaseEventSource;
  readonly mainBranch: string;
  readonly modelPackageGroupName: string;
  readonly intentTtlDays: number;
  readonly logRetention: logs.RetentionDays;
  /** The SageMaker project id: groups count only with this `sagemaker:project-id` tag. */
  readonly projectId: string;
  /** The artifact bucket: approved artifacts are copied under `approved-artifacts/`, which only this function writes. */
  readonly artifactBucket: s3.IBucket;
  /**
   * Whether a push to main approves its head (context `approveOnPushToMain`).
   * @default false - only a pull request merge confirmed with CodeCommit approves
   */
  readonly approveOnPushToMain?: boolean;
}

/** The release function's promised name. */
export function releaseFunctionName(projectName: string): string {
  return `release-model-package-${projectName}`;
}

export class ReleaseAutomation extends Construct {
  readonly handler: MonitoredFunction;
  readonly intentTable: dynamodb.Table;
  /** Commit → model versions, written by the release function only, after it verified each version's provenance. */
  readonly commitIndexTable: dynamodb.Table;
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

    this.commitIndexTable = new dynamodb.Table(this, 'CommitIndexTable', {
      partitionKey: { name: 'commitId', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'modelPackageArn', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // The index is rebuilt from registration events and the fallback; the model versions themselves are retained.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.handler = new MonitoredFunction(this, 'Handler', {
      handlerDir: 'release-model',
      functionName: releaseFunctionName(props.projectName),
      description: `Approves the model package of a commit merged into ${props.mainBranch} in project ${props.projectName}`,
      // Copying and hashing an approved artifact (up to CopyObject's 5 GB) takes longer than a lookup.
      timeout: Duration.minutes(5),
      logRetention: props.logRetention,
      environment: {
        PROJECT_NAME: props.projectName,
        REPOSITORY_NAME: props.repositoryName,
        MAIN_BRANCH: props.mainBranch,
        MODEL_PACKAGE_GROUP_NAME: props.modelPackageGroupName,
        INTENT_TABLE_NAME: this.intentTable.tableName,
        INTENT_TTL_DAYS: String(props.intentTtlDays),
        PROJECT_ID: props.projectId,
        COMMIT_INDEX_TABLE_NAME: this.commitIndexTable.tableName,
        APPROVE_ON_PUSH_TO_MAIN: String(props.approveOnPushToMain ?? false),
        ARTIFACT_BUCKET_NAME: props.artifactBucket.bucketName,
      },
    });
    const role = this.handler.role;
    const modelPackages = sageMakerArn('model-package', `${props.modelPackageGroupName}/*`);
    // Groups `model-<project>-<name>` (contract 1); membership is checked by the project id tag before any use.
    const furtherModelPackages = sageMakerArn('model-package', `${props.modelPackageGroupName}-*/*`);
    const groups = [
      sageMakerArn('model-package-group', props.modelPackageGroupName),
      sageMakerArn('model-package-group', `${props.modelPackageGroupName}-*`),
    ];
    const pipelines = sageMakerArn('pipeline', `${props.projectName}-*`);
    const executions = sageMakerArn('pipeline', `${props.projectName}-*/execution/*`);
    const approvedObjects = props.artifactBucket.arnForObjects(`${APPROVED_ARTIFACT_PREFIX}*`);
    const allObjects = props.artifactBucket.arnForObjects('*');
    acknowledgeWildcards(role, {
      'Resource::*': 'sagemaker:ListModelPackages supports no resource-level permission.',
      [nagResource(this, modelPackages)]:
        "Model package versions are numbered at registration; the wildcard covers versions of this project's group only.",
      [nagResource(this, furtherModelPackages)]:
        "Versions of the project's further groups model-<project>-<name>; each group's project id tag is checked first.",
      [nagResource(this, groups[1] as string)]:
        "The project's further groups model-<project>-<name>, read for their project id tag only (ListTags).",
      [nagResource(this, pipelines)]: "The project's branch pipelines, read for their project id tag only (ListTags).",
      [nagResource(this, executions)]:
        'Executions of the branch pipelines, read (Describe, ListSteps) to prove which one registered a version.',
      [nagResource(this, approvedObjects)]:
        'Approved artifacts: one key per group and version under approved-artifacts/.',
      [nagResource(this, allObjects)]: 'Model artifacts are read from wherever the pipeline wrote them in this bucket.',
    });
    this.commitIndexTable.grant(role, ...COMMIT_INDEX_ACTIONS);
    // The index is a record of verified facts: no other principal may write it, whatever its identity policy says.
    this.commitIndexTable.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyTheReleaseFunctionWritesTheIndex',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
        resources: ['*'],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': role.roleArn } },
      }),
    );
    restrictPrefixToWriter(props.artifactBucket, APPROVED_ARTIFACT_PREFIX, role);
    // Each action on its own resource type. Tags are read only on the project's groups and pipelines (or untagged
    // ones, which then fail the check): another project's, named `<project>-…` too, are refused (isolation.ts).
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'VerifyProvenanceTags',
        actions: PROVENANCE_ACTIONS.tags,
        resources: [...groups, pipelines],
        conditions: ownOrUntagged(props.projectId),
      }),
    );
    // Executions have no condition key (isolation.ts, UNSCOPABLE): read only, and the pipeline's tag decides.
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'VerifyProvenanceExecutions',
        actions: PROVENANCE_ACTIONS.executions,
        resources: [executions],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'CopyApprovedArtifacts',
        actions: ARTIFACT_COPY_ACTIONS.write,
        resources: [approvedObjects],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadModelArtifacts',
        actions: ARTIFACT_COPY_ACTIONS.read,
        resources: [allObjects],
      }),
    );
    props.artifactBucket.encryptionKey?.grantEncryptDecrypt(role);
    if (props.releaseEvents !== undefined) {
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'VerifyMergesWithCodeCommit',
          actions: VERIFY_MERGE_ACTIONS,
          resources: [props.releaseEvents.repository.repositoryArn],
        }),
      );
    }

    // lambda/release-model/intents.ts reads, records and marks intents by key; it never queries, scans or deletes.
    this.intentTable.grant(role, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem');
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ApproveModelPackages',
        actions: ['sagemaker:DescribeModelPackage', 'sagemaker:UpdateModelPackage'],
        resources: [modelPackages, furtherModelPackages],
        // Versions are tagged with the project id by the definition's RegisterModel steps.
        conditions: ownResource(props.projectId),
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

    props.releaseEvents?.addReleaseTarget(
      new targets.LambdaFunction(this.handler.function, {
        deadLetterQueue: this.handler.deadLetterQueue,
        retryAttempts: 4,
        maxEventAge: Duration.hours(2),
      }),
    );
    this.modelPackageRule = new events.Rule(this, 'ModelPackageRule', {
      description: `Model packages of the groups of project ${props.projectName} changed state`,
      eventPattern: {
        source: [EVENT_SOURCES.sagemaker],
        detailType: [DETAIL_TYPES.modelPackageStateChange],
        // Every group of the project by name; the function keeps only groups tagged with the project id.
        detail: {
          ModelPackageGroupName: [props.modelPackageGroupName, { prefix: `${props.modelPackageGroupName}-` }],
        },
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
