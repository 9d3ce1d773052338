/**
 * The Service Catalog launch role: what CloudFormation runs with when SageMaker provisions (updates, terminates)
 * a project from the product. It may do exactly what the project template needs, on resources named like the
 * template names them:
 * - stacks Service Catalog creates (`SC-<account>-pp-*`) and resources CloudFormation names after them (`SC-*`);
 * - the promised names: repository and build project `model-<project>-train`, model package group `model-<project>`,
 *   release function `release-model-package-<project>`;
 * - IAM roles under the product's role path only, passed only to the services that use them;
 * - the product's assets (templates, Lambda code, seed code) in the asset bucket, read only.
 */
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { SourceProvider } from '../config';
import { EVENT_RULE_ACTIONS } from './iam';
import { ROLE_PATH } from './monitored-function';
import { acknowledgeWildcards, nagResource } from './nag';

export interface LaunchRoleProps {
  /** The bucket that holds the product's assets. */
  readonly assetBucket: s3.IBucket;
  /**
   * What the project template creates for the code: a CodeCommit repository, or (`external-ci`) the Studio association
   * of an outside repository.
   * @default 'codecommit'
   */
  readonly sourceProvider?: SourceProvider;
  /**
   * Whether the project template shares its registry with serving stages in other accounts (RegistryAccess: a KMS
   * key, the model package group's resource policy, a forwarding rule with a role).
   * @default false
   */
  readonly servingAccess?: boolean;
  /**
   * Whether the project template schedules retraining of the main branch (RetrainSchedule: an EventBridge Scheduler
   * schedule named "model-<project>-retrain" in the default group, with a role it passes to the scheduler).
   * @default false
   */
  readonly retrainSchedule?: boolean;
}

/** `arn:<partition>:<service>:<region>:<account>:<resource>`, with pseudo parameters so the policy is portable. */
/** The bucket configuration the `AWS::S3::Bucket` read handler reads back. */
const S3_BUCKET_READ_ACTIONS = [
  's3:GetAccelerateConfiguration',
  's3:GetAnalyticsConfiguration',
  's3:GetBucketAbac',
  's3:GetBucketCORS',
  's3:GetBucketLogging',
  's3:GetBucketMetadataTableConfiguration',
  's3:GetBucketNotification',
  's3:GetBucketObjectLockConfiguration',
  's3:GetBucketWebsite',
  's3:GetIntelligentTieringConfiguration',
  's3:GetInventoryConfiguration',
  's3:GetMetricsConfiguration',
  's3:GetReplicationConfiguration',
];

function arn(service: string, resource: string): string {
  return `arn:${Aws.PARTITION}:${service}:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
}

export class LaunchRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: LaunchRoleProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('servicecatalog.amazonaws.com'),
      description: 'Service Catalog launch role of the multibranch-mlops SageMaker project product',
    });
    /** Adds a statement; a resource with a wildcard needs the reason, which acknowledges its cdk-nag finding. */
    const allow = (
      sid: string,
      actions: string[],
      resources: string[],
      reason?: string,
      conditions?: Record<string, unknown>,
    ) => {
      this.role.addToPolicy(new iam.PolicyStatement({ sid, actions, resources, conditions }));
      for (const resource of resources.filter((r) => nagResource(this, r).includes('*'))) {
        if (reason === undefined)
          throw new Error(`statement ${sid}: resource ${resource} has a wildcard and no reason`);
        acknowledgeWildcards(this.role, { [resource === '*' ? 'Resource::*' : nagResource(this, resource)]: reason });
      }
    };
    const SC_NAMED = 'CloudFormation names these resources after the Service Catalog stack ("SC-<account>-pp-<id>").';

    const projectRoles = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role${ROLE_PATH}*`;

    allow(
      'ProvisionProjectStacks',
      [
        'cloudformation:CreateStack',
        'cloudformation:UpdateStack',
        'cloudformation:DeleteStack',
        'cloudformation:DescribeStacks',
        'cloudformation:DescribeStackEvents',
        'cloudformation:SetStackPolicy',
        'cloudformation:TagResource',
        'cloudformation:UntagResource',
        'cloudformation:CreateChangeSet',
        'cloudformation:DescribeChangeSet',
        'cloudformation:ExecuteChangeSet',
        'cloudformation:DeleteChangeSet',
      ],
      [arn('cloudformation', 'stack/SC-*/*'), arn('cloudformation', 'changeSet/*/*')],
      'Service Catalog names provisioned stacks "SC-<account>-pp-<id>" and their change sets at run time.',
    );
    allow(
      'ReadTemplates',
      ['cloudformation:GetTemplateSummary', 'cloudformation:ValidateTemplate'],
      ['*'],
      'GetTemplateSummary, ValidateTemplate, DescribeAlarms and DescribeLogGroups support no resource-level permission.',
    );
    allow(
      'ReadProductAssets',
      ['s3:GetObject'],
      [props.assetBucket.arnForObjects('*')],
      'Read-only access to the product assets (templates, Lambda code, seed code), whose keys are content hashes.',
    );
    // Service Catalog copies the product template into a bucket of its own and provisions from there; the launch
    // role reads that copy (Service Catalog Administrator Guide, "AWS Service Catalog launch constraints").
    allow(
      'ReadServiceCatalogTemplateCopy',
      ['s3:GetObject'],
      ['*'],
      "Service Catalog's copy of the product template lives in a bucket Service Catalog owns and names; only objects it tagged servicecatalog:provisioning=true.",
      { StringEquals: { 's3:ExistingObjectTag/servicecatalog:provisioning': 'true' } },
    );

    allow(
      'ProjectRoles',
      [
        'iam:CreateRole',
        'iam:DeleteRole',
        'iam:GetRole',
        'iam:UpdateRole',
        'iam:UpdateRoleDescription',
        'iam:UpdateAssumeRolePolicy',
        'iam:PutRolePolicy',
        'iam:DeleteRolePolicy',
        'iam:GetRolePolicy',
        'iam:ListRolePolicies',
        'iam:ListAttachedRolePolicies',
        'iam:TagRole',
        'iam:UntagRole',
      ],
      [projectRoles],
      'Roles of a project are created at provisioning, with generated names, under the product role path only.',
    );
    allow(
      'ProjectPolicies',
      [
        'iam:CreatePolicy',
        'iam:DeletePolicy',
        'iam:GetPolicy',
        'iam:GetPolicyVersion',
        'iam:CreatePolicyVersion',
        'iam:DeletePolicyVersion',
        'iam:ListPolicyVersions',
        'iam:ListEntitiesForPolicy',
        'iam:TagPolicy',
        'iam:UntagPolicy',
      ],
      [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:policy${ROLE_PATH}*`],
      'Managed policies of a project (main branch protection, model approvers) have generated names under the product path.',
    );
    allow(
      'PassProjectRoles',
      ['iam:PassRole'],
      [projectRoles],
      'Roles of a project have generated names under the product role path; passed to Lambda and CodeBuild only.',
      { StringEquals: { 'iam:PassedToService': ['lambda.amazonaws.com', 'codebuild.amazonaws.com'] } },
    );

    if (props.sourceProvider === 'external-ci') {
      allow(
        'StudioCodeRepository',
        [
          'sagemaker:CreateCodeRepository',
          'sagemaker:DeleteCodeRepository',
          'sagemaker:DescribeCodeRepository',
          'sagemaker:UpdateCodeRepository',
          'sagemaker:AddTags',
          'sagemaker:DeleteTags',
          'sagemaker:ListTags',
        ],
        [arn('sagemaker', 'code-repository/model-*-train')],
        'The Studio code repository of a project is named "model-<project>-train", the project name known at provisioning only.',
      );
    } else {
      allow(
        'Repository',
        [
          'codecommit:CreateRepository',
          'codecommit:DeleteRepository',
          'codecommit:GetRepository',
          'codecommit:UpdateRepositoryDescription',
          'codecommit:UpdateRepositoryName',
          'codecommit:TagResource',
          'codecommit:UntagResource',
          'codecommit:ListTagsForResource',
          'codecommit:CreateCommit',
          'codecommit:GitPush',
        ],
        [arn('codecommit', 'model-*-train')],
        'The repository of a project is named "model-<project>-train", the project name known at provisioning only.',
      );
    }
    allow(
      'TrainBuildProject',
      ['codebuild:CreateProject', 'codebuild:UpdateProject', 'codebuild:DeleteProject', 'codebuild:BatchGetProjects'],
      [arn('codebuild', 'project/model-*-train')],
      'The build project of a project is named "model-<project>-train", the project name known at provisioning only.',
    );
    allow(
      'ModelPackageGroup',
      [
        'sagemaker:CreateModelPackageGroup',
        'sagemaker:DeleteModelPackageGroup',
        'sagemaker:DescribeModelPackageGroup',
        'sagemaker:GetModelPackageGroupPolicy',
        'sagemaker:AddTags',
        'sagemaker:DeleteTags',
        'sagemaker:ListTags',
      ],
      [arn('sagemaker', 'model-package-group/model-*')],
      'The model package group of a project is named "model-<project>", the project name known at provisioning only.',
    );
    allow(
      'ArtifactBucket',
      [
        's3:CreateBucket',
        's3:DeleteBucket',
        's3:GetBucketPolicy',
        's3:PutBucketPolicy',
        's3:DeleteBucketPolicy',
        's3:PutBucketTagging',
        's3:GetBucketTagging',
        's3:PutEncryptionConfiguration',
        's3:GetEncryptionConfiguration',
        's3:PutBucketVersioning',
        's3:GetBucketVersioning',
        's3:PutBucketPublicAccessBlock',
        's3:GetBucketPublicAccessBlock',
        's3:PutBucketOwnershipControls',
        's3:GetBucketOwnershipControls',
        's3:PutLifecycleConfiguration',
        's3:GetLifecycleConfiguration',
        's3:TagResource',
        's3:UntagResource',
        's3:ListTagsForResource',
        's3:ListBucket',
        // What the read handler reads back (AWS::S3::Bucket published handler permissions); read-only.
        ...S3_BUCKET_READ_ACTIONS,
      ],
      // CloudFormation names the bucket after the (lower-cased) Service Catalog stack.
      [`arn:${Aws.PARTITION}:s3:::sc-*`],
      SC_NAMED,
    );
    allow(
      'Functions',
      [
        'lambda:CreateFunction',
        'lambda:DeleteFunction',
        'lambda:GetFunction',
        'lambda:GetFunctionConfiguration',
        'lambda:GetFunctionCodeSigningConfig',
        'lambda:GetFunctionRecursionConfig',
        'lambda:GetFunctionScalingConfig',
        'lambda:GetRuntimeManagementConfig',
        'lambda:GetPolicy',
        'lambda:UpdateFunctionCode',
        'lambda:UpdateFunctionConfiguration',
        'lambda:AddPermission',
        'lambda:RemovePermission',
        'lambda:PutFunctionEventInvokeConfig',
        'lambda:UpdateFunctionEventInvokeConfig',
        'lambda:DeleteFunctionEventInvokeConfig',
        'lambda:GetFunctionEventInvokeConfig',
        'lambda:TagResource',
        'lambda:UntagResource',
        'lambda:ListTags',
        // CloudFormation invokes a custom resource's function with the caller's (this role's) credentials.
        'lambda:InvokeFunction',
      ],
      [arn('lambda', 'function:SC-*'), arn('lambda', 'function:release-model-package-*')],
      `${SC_NAMED} The release function is named "release-model-package-<project>".`,
    );
    allow('Rules', [...EVENT_RULE_ACTIONS], [arn('events', 'rule/SC-*')], SC_NAMED);
    allow(
      'Queues',
      [
        'sqs:CreateQueue',
        'sqs:DeleteQueue',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ListQueueTags',
        'sqs:SetQueueAttributes',
        'sqs:TagQueue',
        'sqs:UntagQueue',
      ],
      [arn('sqs', 'SC-*')],
      SC_NAMED,
    );
    allow(
      'Alarms',
      [
        'cloudwatch:PutMetricAlarm',
        'cloudwatch:DeleteAlarms',
        'cloudwatch:TagResource',
        'cloudwatch:UntagResource',
        'cloudwatch:ListTagsForResource',
      ],
      [arn('cloudwatch', 'alarm:SC-*')],
      SC_NAMED,
    );
    allow(
      'DescribeAlarms',
      ['cloudwatch:DescribeAlarms'],
      ['*'],
      'DescribeAlarms supports no resource-level permission.',
    );
    allow(
      'LogGroups',
      [
        'logs:CreateLogGroup',
        'logs:DeleteLogGroup',
        'logs:PutRetentionPolicy',
        'logs:DeleteRetentionPolicy',
        'logs:TagResource',
        'logs:UntagResource',
        'logs:TagLogGroup',
        'logs:UntagLogGroup',
        'logs:ListTagsForResource',
        'logs:DescribeIndexPolicies',
        'logs:GetDataProtectionPolicy',
      ],
      [arn('logs', 'log-group:SC-*')],
      SC_NAMED,
    );
    allow(
      'DescribeLogGroups',
      ['logs:DescribeLogGroups', 'logs:DescribeResourcePolicies'],
      ['*'],
      'DescribeLogGroups and DescribeResourcePolicies support no resource-level permission.',
    );
    allow(
      'AlarmTopic',
      [
        'sns:CreateTopic',
        'sns:DeleteTopic',
        'sns:GetTopicAttributes',
        'sns:SetTopicAttributes',
        'sns:Subscribe',
        'sns:Unsubscribe',
        'sns:ListSubscriptionsByTopic',
        'sns:GetDataProtectionPolicy',
        'sns:TagResource',
        'sns:UntagResource',
        'sns:ListTagsForResource',
      ],
      [arn('sns', 'SC-*')],
      SC_NAMED,
    );
    // The project's keys: the alarm topic's, and (servingAccess) the artifact key shared with serving stages.
    allow(
      'CreateProjectKeys',
      ['kms:CreateKey'],
      ['*'],
      'kms:CreateKey supports no resource-level permission (the key id does not exist yet); the key it creates is tagged with the provisioned stack.',
    );
    allow(
      'ProjectKeys',
      [
        // The AWS::KMS::Key handler permissions (create, read, update, delete), less kms:CreateKey.
        'kms:DescribeKey',
        'kms:GetKeyPolicy',
        'kms:PutKeyPolicy',
        'kms:GetKeyRotationStatus',
        'kms:EnableKeyRotation',
        'kms:DisableKeyRotation',
        'kms:EnableKey',
        'kms:DisableKey',
        'kms:ListResourceTags',
        'kms:TagResource',
        'kms:UntagResource',
        'kms:UpdateKeyDescription',
        'kms:ScheduleKeyDeletion',
      ],
      [arn('kms', 'key/*')],
      'Key ids are generated; only keys of stacks Service Catalog provisioned (their aws:cloudformation:stack-name tag).',
      { StringLike: { 'aws:ResourceTag/aws:cloudformation:stack-name': 'SC-*' } },
    );
    allow(
      'IntentTable',
      [
        'dynamodb:CreateTable',
        'dynamodb:DeleteTable',
        'dynamodb:DescribeTable',
        'dynamodb:UpdateTable',
        'dynamodb:UpdateTimeToLive',
        'dynamodb:DescribeTimeToLive',
        'dynamodb:UpdateContinuousBackups',
        'dynamodb:DescribeContinuousBackups',
        'dynamodb:DescribeContributorInsights',
        'dynamodb:DescribeKinesisStreamingDestination',
        'dynamodb:GetResourcePolicy',
        // The release function's commit index table has a resource policy (only the release function writes it).
        'dynamodb:PutResourcePolicy',
        'dynamodb:DeleteResourcePolicy',
        'dynamodb:TagResource',
        'dynamodb:UntagResource',
        'dynamodb:ListTagsOfResource',
      ],
      [arn('dynamodb', 'table/SC-*')],
      SC_NAMED,
    );

    if (props.retrainSchedule === true) {
      allow(
        'RetrainSchedule',
        ['scheduler:CreateSchedule', 'scheduler:GetSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'],
        [arn('scheduler', 'schedule/default/model-*-retrain')],
        'The retrain schedule of a project is named "model-<project>-retrain", the project name known at provisioning only.',
      );
      allow(
        'PassRetrainScheduleRole',
        ['iam:PassRole'],
        [projectRoles],
        "The schedule's role has a generated name under the product role path; passed to EventBridge Scheduler only.",
        { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      );
    }

    if (props.servingAccess === true) {
      allow(
        'ServingAccessGroupPolicy',
        [
          'sagemaker:PutModelPackageGroupPolicy',
          'sagemaker:GetModelPackageGroupPolicy',
          'sagemaker:DeleteModelPackageGroupPolicy',
        ],
        [arn('sagemaker', 'model-package-group/model-*')],
        'The model package group of a project is named "model-<project>", the project name known at provisioning only.',
      );
      allow(
        'ServingAccessPassForwardRole',
        ['iam:PassRole'],
        [projectRoles],
        'The forwarding role of a project has a generated name under the product role path; passed to EventBridge only.',
        { StringEquals: { 'iam:PassedToService': 'events.amazonaws.com' } },
      );
    }
  }
}
