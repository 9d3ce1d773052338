/**
 * What the Service Catalog launch role may do on the resources the project template creates (its build project,
 * model package group, artifact bucket, functions, rules, queues, alarms, log groups, alarm topic, keys, tables),
 * named after the Service Catalog stack or with the promised names. Part of lib/constructs/launch-role.ts.
 */
import { Aws } from 'aws-cdk-lib';
import { EVENT_RULE_ACTIONS } from './iam';
import { arn, LaunchStatement, namedAtProvisioning, SC_NAMED, statementList } from './launch-role-statements';

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

/** The statements on the resources of a project, in policy order (after provisioning, before the optional parts). */
export function projectResourceStatements(): LaunchStatement[] {
  const { statements, add } = statementList();
  add(
    'TrainBuildProject',
    ['codebuild:CreateProject', 'codebuild:UpdateProject', 'codebuild:DeleteProject', 'codebuild:BatchGetProjects'],
    [arn('codebuild', 'project/model-*-train')],
    namedAtProvisioning('build project', 'model-<project>-train'),
  );
  add(
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
    namedAtProvisioning('model package group', 'model-<project>'),
  );
  add(
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
  add(
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
  add('Rules', [...EVENT_RULE_ACTIONS], [arn('events', 'rule/SC-*')], SC_NAMED);
  add(
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
  add(
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
  add('DescribeAlarms', ['cloudwatch:DescribeAlarms'], ['*'], 'DescribeAlarms supports no resource-level permission.');
  add(
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
  add(
    'DescribeLogGroups',
    ['logs:DescribeLogGroups', 'logs:DescribeResourcePolicies'],
    ['*'],
    'DescribeLogGroups and DescribeResourcePolicies support no resource-level permission.',
  );
  add(
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
  add(
    'CreateProjectKeys',
    ['kms:CreateKey'],
    ['*'],
    'kms:CreateKey supports no resource-level permission (the key id does not exist yet); the key it creates is tagged with the provisioned stack.',
  );
  add(
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
  add(
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
  return statements;
}
