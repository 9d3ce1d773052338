/**
 * The deploy-time IAM oracle: would CloudFormation, running with a given role, be allowed to create, update,
 * delete and read every resource of a template?
 *
 * For each resource, the actions come from AWS's published handler permissions
 * (`../shared/data/cfn-handler-permissions.json`, README beside it), or, for legacy types without handlers, from
 * the hand-written lists in {@link LEGACY_TYPES} (each with its source). Each action is checked with
 * {@link isAllowed} on the resource IAM authorizes it against: the resource itself, or what the action really
 * touches (the role a `iam:PassRole` passes, with `iam:PassedToService`; the code object a function reads; the role
 * an `AWS::IAM::Policy` attaches to; `*` for actions without resource-level permissions). A handler's list is a
 * superset of what one request calls: an action is excused only by an {@link Exception} that names the optional
 * property it serves, and only while the resource does not set that property. An action the rules below do not
 * place is an error, so a new type or a new published action cannot pass unexamined.
 *
 * Stack tags: Service Catalog (the project's tags) and the branch Lambda tag their stacks, and CloudFormation
 * propagates stack tags to every resource that takes tags, so tagging actions are never excused.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DeployedTemplate } from './cfn-template';
import { SHARED_DIR } from './fixtures';
import { evaluate, PolicyDocument, RequestContext } from './iam-policy';

export const HANDLER_PERMISSIONS_PATH = path.join(SHARED_DIR, 'data', 'cfn-handler-permissions.json');

export type Handler = 'create' | 'read' | 'update' | 'delete';
export const HANDLERS: readonly Handler[] = ['create', 'read', 'update', 'delete'];

interface HandlerPermissionsFile {
  readonly types: Record<string, { handlers: Partial<Record<Handler | 'list', string[]>> | null; source: string }>;
}

let cachedPermissions: HandlerPermissionsFile | undefined;
export function handlerPermissions(): HandlerPermissionsFile {
  if (!cachedPermissions) {
    if (!fs.existsSync(HANDLER_PERMISSIONS_PATH)) {
      throw new Error(`missing ${HANDLER_PERMISSIONS_PATH}: the checkout needs shared/ beside it`);
    }
    cachedPermissions = JSON.parse(fs.readFileSync(HANDLER_PERMISSIONS_PATH, 'utf8')) as HandlerPermissionsFile;
  }
  return cachedPermissions;
}

/** One request CloudFormation's handler makes: the action, on what, with which condition keys. */
export interface Target {
  readonly resource: string;
  readonly context?: RequestContext;
}

/** An action of a handler that this resource does not need, and why. */
export interface Exception {
  readonly actions: readonly string[];
  /** Properties (top-level, or dotted paths) that make the action needed; the exception holds while all are unset. */
  readonly unlessSet: readonly string[];
  readonly reason: string;
  /** Handlers it applies to. @default all */
  readonly handlers?: readonly Handler[];
}

/** Where the actions of one resource type go. */
export interface TypeRules {
  /** Actions on something other than the resource itself: the targets, given the resource. */
  readonly targets?: Record<string, (r: ResourceView) => Target[]>;
  readonly exceptions?: readonly Exception[];
  /** The resource IAM authorizes the type's own actions on. @default the resource's ARN */
  readonly self?: (r: ResourceView) => string;
  /** The condition keys of a request on the resource itself (its tags, see {@link tagContext}). @default none */
  readonly selfContext?: (r: ResourceView, handler: Handler, action: string) => RequestContext;
  /** For legacy types (`handlers: null`): the API calls, by hand, with their source. */
  readonly legacy?: { readonly source: string; readonly handlers: Record<Handler, readonly string[]> };
}

export interface ResourceView {
  readonly logicalId: string;
  readonly type: string;
  readonly stack: DeployedTemplate;
  /** Resolved properties. */
  readonly props: Record<string, unknown>;
  readonly arn: () => string;
}

/** The values at a dotted path of the properties; `*` walks every element of a list. */
export function valuesAt(props: unknown, dotted: string): unknown[] {
  const walk = (value: unknown, keys: string[]): unknown[] => {
    if (keys.length === 0) return value === undefined ? [] : [value];
    const [key, ...rest] = keys;
    if (key === '*') return Array.isArray(value) ? value.flatMap((v) => walk(v, rest)) : [];
    return value && typeof value === 'object' ? walk((value as Record<string, unknown>)[key ?? ''], rest) : [];
  };
  return walk(props, dotted.split('.'));
}
const get = (object: unknown, dotted: string): unknown => valuesAt(object, dotted)[0];

const star = (): Target[] => [{ resource: '*' }];
const passRole =
  (service: string, ...rolePaths: string[]) =>
  (r: ResourceView): Target[] =>
    rolePaths
      .flatMap((p) => valuesAt(r.props, p))
      .filter((arn): arn is string => typeof arn === 'string')
      .map((arn) => ({ resource: arn, context: { 'iam:PassedToService': service } }));
/** The ARNs at the given property paths (a role, a key). */
const roleArns =
  (...rolePaths: string[]) =>
  (r: ResourceView): Target[] =>
    rolePaths
      .flatMap((p) => valuesAt(r.props, p))
      .filter((arn): arn is string => typeof arn === 'string')
      .map((arn) => ({ resource: arn }));
const functionArn = (r: ResourceView, property = 'FunctionName'): string => {
  const name = String(r.props[property]);
  return name.startsWith('arn:') ? name : `arn:aws:lambda:${r.stack.region}:${r.stack.account}:function:${name}`;
};
const bucketArn = (r: ResourceView, property = 'Bucket'): string => `arn:aws:s3:::${String(r.props[property])}`;
const queueArnOfUrl = (url: string): string => {
  const match = /^https:\/\/sqs\.([^.]+)\.amazonaws\.com\/(\d{12})\/(.+)$/.exec(url);
  if (!match) throw new Error(`${url} is not an SQS queue URL`);
  return `arn:aws:sqs:${match[1]}:${match[2]}:${match[3]}`;
};
const unless = (unlessSet: string[], actions: string[], reason: string, handlers?: Handler[]): Exception => ({
  unlessSet,
  actions,
  reason,
  handlers,
});
const KMS = [
  'kms:CreateGrant',
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:ListAliases',
  'kms:RevokeGrant',
];

/**
 * The tag condition keys of a request on the resource itself. The resource's `Tags` travel in its create request
 * (`aws:RequestTag/*`, also on a later `TagResource`), and every other request meets them on the resource
 * (`aws:ResourceTag/*`), with the system tag CloudFormation adds to every resource that takes tags
 * (`aws:cloudformation:stack-name`; not counted as a request tag: the template does not send it). A create request
 * meets no resource tags: the resource does not exist yet. What it cannot prove: tags of Service Catalog's stack
 * (propagated by CloudFormation) are not modelled, so a policy relying on them fails here.
 */
export function tagContext(r: ResourceView, handler: Handler, action: string): RequestContext {
  const tags = valuesAt(r.props, 'Tags.*')
    .filter((t): t is { Key: string; Value: string } => !!t && typeof t === 'object' && 'Key' in t)
    .map((t) => [String(t.Key), String(t.Value)] as const);
  const creating = handler === 'create' && /:Create/.test(action);
  const context: Record<string, string> = {};
  if (!creating) {
    for (const [key, value] of [...tags, ['aws:cloudformation:stack-name', r.stack.stackName] as const])
      context[`aws:ResourceTag/${key}`] = value;
  }
  if (creating || /:TagResource$/.test(action))
    for (const [key, value] of tags) context[`aws:RequestTag/${key}`] = value;
  return context;
}

/** A custom resource: CloudFormation invokes its ServiceToken function with the caller's credentials. */
const CUSTOM_RESOURCE: TypeRules = {
  self: (r) => String(r.props.ServiceToken),
  targets: { 'lambda:InvokeFunction': (r) => [{ resource: String(r.props.ServiceToken) }] },
  legacy: {
    source:
      'CloudFormation User Guide, "Lambda-backed custom resources": CloudFormation invokes the ServiceToken function',
    handlers: {
      create: ['lambda:InvokeFunction'],
      read: [],
      update: ['lambda:InvokeFunction'],
      delete: ['lambda:InvokeFunction'],
    },
  },
};

/** The rules per resource type. Sources of the legacy lists: the service's API reference and CloudFormation's page. */
export const TYPE_RULES: Record<string, TypeRules> = {
  'AWS::CloudWatch::Alarm': {
    targets: { 'cloudwatch:DescribeAlarms': star },
  },
  'AWS::CodePipeline::Pipeline': {
    selfContext: tagContext,
    targets: {
      'iam:PassRole': passRole('codepipeline.amazonaws.com', 'RoleArn'),
      'iam:GetRole': roleArns('RoleArn'),
    },
    exceptions: [
      unless(
        ['Stages.*.Actions.*.Configuration.ConnectionArn'],
        ['codestar-connections:PassConnection'],
        'only for a CodeStar Connections source action; the source is CodeCommit',
      ),
      unless(
        ['DisableInboundStageTransitions'],
        ['codepipeline:DisableStageTransition', 'codepipeline:EnableStageTransition'],
        'only for DisableInboundStageTransitions, which the template does not set',
      ),
      unless(
        ['RestartExecutionOnUpdate=true'],
        ['codepipeline:StartPipelineExecution'],
        'only when RestartExecutionOnUpdate is true; the template sets it false',
      ),
    ],
  },
  'AWS::DynamoDB::Table': {
    targets: Object.fromEntries(KMS.map((action) => [action, roleArns('SSESpecification.KMSMasterKeyId')])),
    exceptions: [
      unless(
        ['ImportSourceSpecification'],
        [
          'dynamodb:BatchWriteItem',
          'dynamodb:DeleteItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
          'dynamodb:Scan',
          'dynamodb:UpdateItem',
          'dynamodb:ImportTable',
          'dynamodb:DescribeImport',
          's3:GetObject',
          's3:GetObjectMetadata',
          's3:ListBucket',
          'logs:CreateLogGroup',
          'logs:CreateLogStream',
          'logs:DescribeLogGroups',
          'logs:DescribeLogStreams',
          'logs:PutLogEvents',
          'logs:PutRetentionPolicy',
        ],
        'item and import actions serve ImportSourceSpecification (import from S3, logged to CloudWatch Logs), unset',
      ),
      unless(
        ['KinesisStreamSpecification'],
        [
          'kinesis:DescribeStream',
          'kinesis:PutRecords',
          'dynamodb:EnableKinesisStreamingDestination',
          'dynamodb:DisableKinesisStreamingDestination',
          'dynamodb:UpdateKinesisStreamingDestination',
        ],
        'only for KinesisStreamSpecification, unset',
      ),
      unless(
        ['ContributorInsightsSpecification'],
        ['dynamodb:UpdateContributorInsights'],
        'only for ContributorInsightsSpecification, unset',
      ),
      unless(
        ['ContributorInsightsSpecification', 'KinesisStreamSpecification', 'Replicas'],
        ['iam:CreateServiceLinkedRole'],
        'service-linked roles of Contributor Insights, Kinesis streaming and replicas; none is set',
      ),
      unless(
        ['Replicas'],
        ['dynamodb:AssociateTableReplica', 'dynamodb:CreateTableReplica'],
        'only for replicas, unset',
      ),
      unless(
        ['ResourcePolicy'],
        ['dynamodb:PutResourcePolicy', 'dynamodb:DeleteResourcePolicy'],
        'only for ResourcePolicy, unset',
      ),
      unless(
        ['SSESpecification.KMSMasterKeyId'],
        KMS,
        'only for a customer managed key (SSESpecification.KMSMasterKeyId); the table uses the AWS managed key',
      ),
    ],
  },
  'AWS::Events::Rule': {
    targets: { 'iam:PassRole': passRole('events.amazonaws.com', 'RoleArn', 'Targets.*.RoleArn') },
    exceptions: [
      unless(['RoleArn', 'Targets.*.RoleArn'], ['iam:PassRole'], 'neither the rule nor a target has a RoleArn'),
    ],
  },
  'AWS::IAM::Policy': {
    targets: Object.fromEntries(
      ['iam:GetRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy'].map((a) => [a, rolesOfPolicy]),
    ),
    exceptions: [
      unless(
        ['Groups'],
        ['iam:GetGroupPolicy', 'iam:PutGroupPolicy', 'iam:DeleteGroupPolicy'],
        'the policy attaches to no group',
      ),
      unless(
        ['Users'],
        ['iam:GetUserPolicy', 'iam:PutUserPolicy', 'iam:DeleteUserPolicy'],
        'the policy attaches to no user',
      ),
    ],
  },
  'AWS::IAM::Role': {
    exceptions: [
      unless(
        ['ManagedPolicyArns'],
        ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'],
        'no managed policy: the delete handler detaches only what ListAttachedRolePolicies returns (nothing)',
      ),
      unless(
        ['PermissionsBoundary'],
        ['iam:PutRolePermissionsBoundary', 'iam:DeleteRolePermissionsBoundary'],
        'only for PermissionsBoundary, unset',
      ),
    ],
  },
  'AWS::Lambda::EventInvokeConfig': { self: (r) => functionArn(r) },
  'AWS::Lambda::Function': {
    targets: {
      'iam:PassRole': passRole('lambda.amazonaws.com', 'Role'),
      's3:GetObject': (r) => [
        { resource: `arn:aws:s3:::${String(get(r.props, 'Code.S3Bucket'))}/${String(get(r.props, 'Code.S3Key'))}` },
      ],
      ...Object.fromEntries(KMS.map((action) => [action, roleArns('KmsKeyArn')])),
      's3:GetObjectVersion': (r) => [
        { resource: `arn:aws:s3:::${String(get(r.props, 'Code.S3Bucket'))}/${String(get(r.props, 'Code.S3Key'))}` },
      ],
    },
    exceptions: [
      unless(['KmsKeyArn'], KMS, 'only for a customer managed key (KmsKeyArn), unset'),
      unless(
        ['VpcConfig'],
        ['ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs', 'ec2:DescribeNetworkInterfaces'],
        'only for VpcConfig, unset',
      ),
      unless(
        ['FileSystemConfigs'],
        ['elasticfilesystem:DescribeMountTargets', 's3files:ListMountTargets'],
        'only for FileSystemConfigs, unset',
      ),
      unless(['Code.S3ObjectVersion'], ['s3:GetObjectVersion'], 'only for Code.S3ObjectVersion, unset'),
      unless(
        ['CodeSigningConfigArn'],
        [
          'lambda:GetCodeSigningConfig',
          'lambda:PutFunctionCodeSigningConfig',
          'lambda:DeleteFunctionCodeSigningConfig',
        ],
        'only for CodeSigningConfigArn, unset',
      ),
      unless(['Layers'], ['lambda:GetLayerVersion'], 'only for Layers, unset'),
      unless(
        ['CapacityProviderConfig'],
        ['lambda:PassCapacityProvider', 'lambda:PutFunctionScalingConfig'],
        'only for CapacityProviderConfig (Lambda managed instances), unset',
      ),
      unless(
        ['ReservedConcurrentExecutions'],
        ['lambda:PutFunctionConcurrency', 'lambda:DeleteFunctionConcurrency'],
        'only for ReservedConcurrentExecutions, unset',
      ),
      unless(['RecursiveLoop'], ['lambda:PutFunctionRecursionConfig'], 'only for RecursiveLoop, unset'),
      unless(
        ['RuntimeManagementConfig'],
        ['lambda:PutRuntimeManagementConfig'],
        'only for RuntimeManagementConfig, unset',
      ),
      unless(
        ['SnapStart', 'CapacityProviderConfig'],
        ['lambda:PublishVersion'],
        'a version is published only for SnapStart or a capacity provider; neither is set',
      ),
    ],
  },
  'AWS::Lambda::Permission': { self: (r) => functionArn(r) },
  'AWS::Logs::LogGroup': {
    targets: { 'logs:DescribeLogGroups': star, 'logs:DescribeResourcePolicies': star },
    exceptions: [
      unless(
        ['LogGroupClass=DELIVERY', 'DataProtectionPolicy'],
        ['firehose:TagDeliveryStream', 'logs:CreateLogDelivery'],
        'only for a DELIVERY class log group or data protection findings delivery; neither is set',
      ),
      unless(
        ['DataProtectionPolicy'],
        ['logs:PutDataProtectionPolicy', 'logs:DeleteDataProtectionPolicy'],
        'only for DataProtectionPolicy, unset',
      ),
      unless(
        ['FieldIndexPolicies'],
        ['logs:PutIndexPolicy', 'logs:DeleteIndexPolicy'],
        'only for FieldIndexPolicies, unset',
      ),
      unless(
        ['ResourcePolicyDocument'],
        ['logs:PutResourcePolicy', 'logs:DeleteResourcePolicy'],
        'only for ResourcePolicyDocument, unset',
      ),
      unless(['KmsKeyId'], ['logs:AssociateKmsKey', 'logs:DisassociateKmsKey'], 'only for KmsKeyId, unset'),
      unless(
        ['BearerTokenAuthenticationEnabled'],
        ['logs:PutBearerTokenAuthentication'],
        'only for BearerTokenAuthenticationEnabled, unset',
      ),
      unless(
        ['DeletionProtectionEnabled'],
        ['logs:PutLogGroupDeletionProtection'],
        'only for DeletionProtectionEnabled, unset',
      ),
    ],
  },
  'AWS::IAM::ManagedPolicy': {
    targets: Object.fromEntries(['iam:AttachRolePolicy', 'iam:DetachRolePolicy'].map((a) => [a, rolesOfPolicy])),
    exceptions: [
      unless(['Groups'], ['iam:AttachGroupPolicy', 'iam:DetachGroupPolicy'], 'the policy attaches to no group'),
      unless(['Users'], ['iam:AttachUserPolicy', 'iam:DetachUserPolicy'], 'the policy attaches to no user'),
      unless(
        ['Roles'],
        ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'],
        'the policy attaches to no role (people attach it outside the template)',
      ),
    ],
  },
  'AWS::KMS::Key': {
    // Key ids are generated: a policy can only tell a stack's keys by their tags.
    selfContext: tagContext,
    targets: { 'kms:CreateKey': star },
  },
  'AWS::SNS::Topic': {
    targets: {
      'iam:PassRole': passRole(
        'sns.amazonaws.com',
        'DeliveryStatusLogging.*.SuccessFeedbackRoleArn',
        'DeliveryStatusLogging.*.FailureFeedbackRoleArn',
      ),
      'iam:GetRole': roleArns(
        'DeliveryStatusLogging.*.SuccessFeedbackRoleArn',
        'DeliveryStatusLogging.*.FailureFeedbackRoleArn',
      ),
    },
    exceptions: [
      unless(
        ['DeliveryStatusLogging'],
        ['iam:GetRole', 'iam:PassRole'],
        'only for the feedback roles of DeliveryStatusLogging, unset',
      ),
      unless(['DataProtectionPolicy'], ['sns:PutDataProtectionPolicy'], 'only for DataProtectionPolicy, unset'),
    ],
  },
  'AWS::Scheduler::Schedule': {
    self: (r) =>
      `arn:aws:scheduler:${r.stack.region}:${r.stack.account}:schedule/${String(r.props.GroupName ?? 'default')}/${String(r.props.Name)}`,
    targets: { 'iam:PassRole': passRole('scheduler.amazonaws.com', 'Target.RoleArn') },
  },
  'AWS::SNS::TopicPolicy': {
    targets: Object.fromEntries(
      ['sns:SetTopicAttributes', 'sns:GetTopicAttributes'].map((a) => [
        a,
        (r: ResourceView) =>
          ((r.props.Topics as string[] | undefined) ?? []).map((topic) => ({ resource: String(topic) })),
      ]),
    ),
    legacy: {
      source:
        'Not in the published handler file; SNS API Reference: SetTopicAttributes (the Policy attribute; the delete handler resets it), GetTopicAttributes; CloudFormation User Guide, AWS::SNS::TopicPolicy (Topics are topic ARNs)',
      handlers: {
        create: ['sns:SetTopicAttributes'],
        read: ['sns:GetTopicAttributes'],
        update: ['sns:SetTopicAttributes'],
        delete: ['sns:SetTopicAttributes'],
      },
    },
  },
  'AWS::S3::Bucket': {
    targets: { 'iam:PassRole': passRole('s3.amazonaws.com', 'ReplicationConfiguration.Role') },
    exceptions: [
      unless(
        ['ReplicationConfiguration'],
        ['iam:PassRole', 's3:PutReplicationConfiguration', 's3:PutBucketReplication', 's3:DeleteBucketReplication'],
        'only for ReplicationConfiguration, unset',
      ),
      unless(
        ['MetadataTableConfiguration', 'MetadataConfiguration'],
        [
          's3:CreateBucketMetadataTableConfiguration',
          's3:DeleteBucketMetadataTableConfiguration',
          's3:UpdateBucketMetadataAnnotationTableConfiguration',
          's3:UpdateBucketMetadataInventoryTableConfiguration',
          's3:UpdateBucketMetadataJournalTableConfiguration',
          's3tables:CreateNamespace',
          's3tables:CreateTable',
          's3tables:CreateTableBucket',
          's3tables:GetTable',
          's3tables:GetTableMetadataLocation',
          's3tables:PutTableBucketPolicy',
          's3tables:PutTableEncryption',
          's3tables:PutTablePolicy',
          's3tables:UpdateTableMetadataLocation',
        ],
        'only for S3 Metadata tables (MetadataTableConfiguration / MetadataConfiguration), unset',
      ),
      unless(['AccelerateConfiguration'], ['s3:PutAccelerateConfiguration'], 'only for AccelerateConfiguration, unset'),
      unless(
        ['AnalyticsConfigurations'],
        ['s3:PutAnalyticsConfiguration', 's3:DeleteBucketAnalyticsConfiguration'],
        'only for AnalyticsConfigurations, unset',
      ),
      unless(['AbacStatus'], ['s3:PutBucketAbac'], 'only for AbacStatus, unset'),
      unless(['CorsConfiguration'], ['s3:PutBucketCORS', 's3:DeleteBucketCors'], 'only for CorsConfiguration, unset'),
      unless(['LoggingConfiguration'], ['s3:PutBucketLogging'], 'only for LoggingConfiguration, unset'),
      unless(['NotificationConfiguration'], ['s3:PutBucketNotification'], 'only for NotificationConfiguration, unset'),
      unless(
        ['ObjectLockEnabled', 'ObjectLockConfiguration'],
        ['s3:PutBucketObjectLockConfiguration', 's3:PutObjectLockConfiguration'],
        'only for object lock, unset',
      ),
      unless(
        ['IntelligentTieringConfigurations'],
        ['s3:PutIntelligentTieringConfiguration'],
        'only for IntelligentTieringConfigurations, unset',
      ),
      unless(['InventoryConfigurations'], ['s3:PutInventoryConfiguration'], 'only for InventoryConfigurations, unset'),
      unless(
        ['MetricsConfigurations'],
        ['s3:PutMetricsConfiguration', 's3:DeleteBucketMetricsConfiguration'],
        'only for MetricsConfigurations, unset',
      ),
      unless(
        ['WebsiteConfiguration'],
        ['s3:PutBucketWebsite', 's3:DeleteBucketWebsite'],
        'only for WebsiteConfiguration, unset',
      ),
      unless(
        ['AccessControl'],
        ['s3:PutBucketAcl', 's3:PutObjectAcl', 's3:GetBucketAcl', 's3:DeleteObject'],
        'ACL and object calls of the published lists go with the legacy AccessControl canned ACL; the bucket sets none and enforces BucketOwnerEnforced, so no ACL or object is written (the published list does not name the property: not verified beyond that)',
      ),
      unless(
        ['BucketEncryption=none'],
        ['s3:DeleteBucketEncryption'],
        'only when BucketEncryption is removed; the bucket keeps it',
      ),
      unless(
        ['LifecycleConfiguration=none'],
        ['s3:DeleteBucketLifecycle'],
        'only when LifecycleConfiguration is removed; the bucket keeps it',
      ),
    ],
  },
  'AWS::S3::BucketPolicy': { self: (r) => bucketArn(r) },
  'AWS::SQS::Queue': {},
  'AWS::SQS::QueuePolicy': {
    targets: {
      'sqs:SetQueueAttributes': (r) =>
        ((r.props.Queues as string[] | undefined) ?? []).map((url) => ({ resource: queueArnOfUrl(url) })),
    },
  },
  'AWS::SageMaker::ModelPackageGroup': {
    exceptions: [
      unless(
        ['ModelPackageGroupPolicy'],
        ['sagemaker:PutModelPackageGroupPolicy', 'sagemaker:DeleteModelPackageGroupPolicy'],
        'only for ModelPackageGroupPolicy, unset',
      ),
    ],
  },
  'AWS::CodeBuild::Project': {
    targets: { 'iam:PassRole': passRole('codebuild.amazonaws.com', 'ServiceRole') },
    legacy: {
      source:
        'CodeBuild API Reference: CreateProject, UpdateProject, DeleteProject, BatchGetProjects (tags travel in CreateProject/UpdateProject: CodeBuild has no TagResource); CloudFormation User Guide, AWS::CodeBuild::Project (ServiceRole is passed to CodeBuild)',
      handlers: {
        create: ['codebuild:CreateProject', 'codebuild:BatchGetProjects', 'iam:PassRole'],
        read: ['codebuild:BatchGetProjects'],
        update: ['codebuild:UpdateProject', 'codebuild:BatchGetProjects', 'iam:PassRole'],
        delete: ['codebuild:DeleteProject'],
      },
    },
  },
  'AWS::CodeCommit::Repository': {
    targets: {
      's3:GetObject': (r) => [
        { resource: `arn:aws:s3:::${String(get(r.props, 'Code.S3.Bucket'))}/${String(get(r.props, 'Code.S3.Key'))}` },
      ],
    },
    legacy: {
      source:
        'CodeCommit API Reference: CreateRepository (tags need codecommit:TagResource), GetRepository, UpdateRepositoryName, UpdateRepositoryDescription, TagResource, UntagResource, ListTagsForResource, DeleteRepository; CloudFormation User Guide, AWS::CodeCommit::Repository Code (the initial commit is read from the S3 object)',
      handlers: {
        create: ['codecommit:CreateRepository', 'codecommit:GetRepository', 'codecommit:TagResource', 's3:GetObject'],
        read: ['codecommit:GetRepository', 'codecommit:ListTagsForResource'],
        update: [
          'codecommit:UpdateRepositoryName',
          'codecommit:UpdateRepositoryDescription',
          'codecommit:TagResource',
          'codecommit:UntagResource',
        ],
        delete: ['codecommit:DeleteRepository'],
      },
    },
  },
  // Baseline types (checked against the deployer's policy, docs/deployer-policy.json): resources whose ids
  // CloudFormation or the service generates are authorized on '*' here.
  'AWS::ECR::Repository': {
    self: () => '*',
    legacy: {
      source:
        'Not in the published handler file; ECR API Reference: CreateRepository (tags need ecr:TagResource), DescribeRepositories, PutLifecyclePolicy, GetLifecyclePolicy, PutImageScanningConfiguration, PutImageTagMutability, ListTagsForResource, UntagResource, DeleteLifecyclePolicy, DeleteRepository',
      handlers: {
        create: ['ecr:CreateRepository', 'ecr:TagResource', 'ecr:PutLifecyclePolicy', 'ecr:DescribeRepositories'],
        read: ['ecr:DescribeRepositories', 'ecr:GetLifecyclePolicy', 'ecr:ListTagsForResource'],
        update: [
          'ecr:PutLifecyclePolicy',
          'ecr:PutImageScanningConfiguration',
          'ecr:PutImageTagMutability',
          'ecr:TagResource',
          'ecr:UntagResource',
        ],
        delete: ['ecr:DeleteRepository'],
      },
    },
  },
  'AWS::Lambda::LayerVersion': {
    self: () => '*',
    targets: {
      's3:GetObject': (r) => [
        {
          resource: `arn:aws:s3:::${String(get(r.props, 'Content.S3Bucket'))}/${String(get(r.props, 'Content.S3Key'))}`,
        },
      ],
    },
    legacy: {
      source: 'Lambda API Reference: PublishLayerVersion (reads Content from S3), GetLayerVersion, DeleteLayerVersion',
      handlers: {
        create: ['lambda:PublishLayerVersion', 's3:GetObject'],
        read: ['lambda:GetLayerVersion'],
        update: ['lambda:PublishLayerVersion', 's3:GetObject'],
        delete: ['lambda:DeleteLayerVersion'],
      },
    },
  },
  'Custom::CDKBucketDeployment': CUSTOM_RESOURCE,
  'AWS::CloudFormation::CustomResource': CUSTOM_RESOURCE,
  'Custom::AWS': CUSTOM_RESOURCE,
  'AWS::ServiceCatalog::Portfolio': {
    self: () => '*',
    legacy: {
      source:
        'Service Catalog API Reference: CreatePortfolio (tags), DescribePortfolio, UpdatePortfolio, DeletePortfolio',
      handlers: {
        create: ['servicecatalog:CreatePortfolio', 'servicecatalog:TagResource', 'servicecatalog:DescribePortfolio'],
        read: ['servicecatalog:DescribePortfolio'],
        update: ['servicecatalog:UpdatePortfolio'],
        delete: ['servicecatalog:DeletePortfolio'],
      },
    },
  },
  'AWS::ServiceCatalog::CloudFormationProduct': {
    self: () => '*',
    legacy: {
      source:
        'Service Catalog API Reference: CreateProduct, DescribeProductAsAdmin, UpdateProduct, DeleteProduct, CreateProvisioningArtifact, UpdateProvisioningArtifact, DeleteProvisioningArtifact, ListProvisioningArtifacts (the template is read from its S3 URL, and validated: cloudformation:ValidateTemplate)',
      handlers: {
        create: [
          'servicecatalog:CreateProduct',
          'servicecatalog:DescribeProductAsAdmin',
          'servicecatalog:TagResource',
          's3:GetObject',
          'cloudformation:ValidateTemplate',
        ],
        read: ['servicecatalog:DescribeProductAsAdmin', 'servicecatalog:ListProvisioningArtifacts'],
        update: [
          'servicecatalog:UpdateProduct',
          'servicecatalog:CreateProvisioningArtifact',
          'servicecatalog:UpdateProvisioningArtifact',
          'servicecatalog:DeleteProvisioningArtifact',
          'servicecatalog:ListProvisioningArtifacts',
          's3:GetObject',
          'cloudformation:ValidateTemplate',
        ],
        delete: [
          'servicecatalog:DeleteProduct',
          'servicecatalog:DeleteProvisioningArtifact',
          'servicecatalog:ListProvisioningArtifacts',
        ],
      },
    },
    targets: {
      // The template of each version, read from its S3 URL (https://s3.<region>.amazonaws.com/<bucket>/<key>).
      's3:GetObject': (r) =>
        valuesAt(r.props, 'ProvisioningArtifactParameters.*.Info.LoadTemplateFromURL').map((url) => ({
          resource: `arn:aws:s3:::${String(url).replace(/^https:\/\/s3\.[^/]+\//, '')}`,
        })),
      'cloudformation:ValidateTemplate': () => [{ resource: '*' }],
    },
  },
  'AWS::ServiceCatalog::PortfolioProductAssociation': {
    self: () => '*',
    legacy: {
      source:
        'Service Catalog API Reference: AssociateProductWithPortfolio, DisassociateProductFromPortfolio, ListPortfoliosForProduct',
      handlers: {
        create: ['servicecatalog:AssociateProductWithPortfolio'],
        read: ['servicecatalog:ListPortfoliosForProduct'],
        update: [],
        delete: ['servicecatalog:DisassociateProductFromPortfolio'],
      },
    },
  },
  'AWS::ServiceCatalog::PortfolioPrincipalAssociation': {
    self: () => '*',
    legacy: {
      source:
        'Service Catalog API Reference: AssociatePrincipalWithPortfolio, DisassociatePrincipalFromPortfolio, ListPrincipalsForPortfolio',
      handlers: {
        create: ['servicecatalog:AssociatePrincipalWithPortfolio'],
        read: ['servicecatalog:ListPrincipalsForPortfolio'],
        update: [],
        delete: ['servicecatalog:DisassociatePrincipalFromPortfolio'],
      },
    },
  },
  'AWS::ServiceCatalog::LaunchRoleConstraint': {
    self: () => '*',
    targets: { 'iam:PassRole': passRole('servicecatalog.amazonaws.com', 'RoleArn') },
    legacy: {
      source:
        'Service Catalog API Reference: CreateConstraint (a LAUNCH constraint passes its role), DescribeConstraint, UpdateConstraint, DeleteConstraint',
      handlers: {
        create: ['servicecatalog:CreateConstraint', 'iam:PassRole'],
        read: ['servicecatalog:DescribeConstraint'],
        update: ['servicecatalog:UpdateConstraint', 'iam:PassRole'],
        delete: ['servicecatalog:DeleteConstraint'],
      },
    },
  },
  'AWS::SageMaker::CodeRepository': {
    legacy: {
      source:
        'SageMaker API Reference: CreateCodeRepository (Tags need sagemaker:AddTags), DescribeCodeRepository, UpdateCodeRepository, DeleteCodeRepository, AddTags, DeleteTags, ListTags',
      handlers: {
        create: ['sagemaker:CreateCodeRepository', 'sagemaker:AddTags', 'sagemaker:DescribeCodeRepository'],
        read: ['sagemaker:DescribeCodeRepository', 'sagemaker:ListTags'],
        update: ['sagemaker:UpdateCodeRepository', 'sagemaker:AddTags', 'sagemaker:DeleteTags'],
        delete: ['sagemaker:DeleteCodeRepository'],
      },
    },
  },
};

function rolesOfPolicy(r: ResourceView): Target[] {
  const roles = (r.props.Roles as string[] | undefined) ?? [];
  return roles.map((name) => {
    const local = Object.keys(r.stack.template.Resources).find(
      (id) => r.stack.resource(id).Type === 'AWS::IAM::Role' && r.stack.physicalName(id) === name,
    );
    return { resource: local ? r.stack.arn(local) : `arn:aws:iam::${r.stack.account}:role/${name}` };
  });
}

/** Whether a property (dotted path, `*` for any list element, `=value` to compare) is set on the resource. */
function isSet(props: Record<string, unknown>, spec: string): boolean {
  const [pathText, expected] = spec.split('=');
  const values = valuesAt(props, pathText ?? '');
  if (expected === undefined) return values.length > 0;
  if (expected === 'none') return values.length === 0;
  return values.some((v) => String(v) === expected);
}

export interface ActionCheck {
  readonly logicalId: string;
  readonly type: string;
  readonly handler: Handler;
  readonly action: string;
  readonly resource: string;
  readonly context?: RequestContext;
  readonly allowed: boolean;
}

export interface ExceptionUse {
  readonly logicalId: string;
  readonly type: string;
  readonly handler: Handler;
  readonly action: string;
  readonly reason: string;
}

export interface OracleResult {
  readonly resources: number;
  readonly checks: readonly ActionCheck[];
  readonly exceptions: readonly ExceptionUse[];
  /** Actions the rules cannot place (a new type, a new published action): each is a failure. */
  readonly unplaced: readonly string[];
}

/** The handler actions of a type: published, or the legacy list. */
export function typeActions(type: string): Record<Handler, readonly string[]> | undefined {
  const published = handlerPermissions().types[type];
  const rules = TYPE_RULES[type];
  if (published?.handlers) {
    return {
      create: published.handlers.create ?? [],
      read: published.handlers.read ?? [],
      update: published.handlers.update ?? [],
      delete: published.handlers.delete ?? [],
    };
  }
  return rules?.legacy?.handlers;
}

/**
 * Checks every resource of `stack` (except `skip`) against `policies`, the identity policies of the role
 * CloudFormation uses.
 */
export function checkTemplate(
  stack: DeployedTemplate,
  policies: readonly PolicyDocument[],
  options: { readonly skip?: (logicalId: string, type: string) => boolean } = {},
): OracleResult {
  const checks: ActionCheck[] = [];
  const exceptions: ExceptionUse[] = [];
  const unplaced: string[] = [];
  let resources = 0;
  for (const [logicalId, resource] of Object.entries(stack.template.Resources)) {
    if (options.skip?.(logicalId, resource.Type)) continue;
    resources++;
    const rules = TYPE_RULES[resource.Type];
    const actions = typeActions(resource.Type);
    if (!rules || !actions) {
      unplaced.push(`${logicalId}: type ${resource.Type} has no rules in test/support/deploy-oracle.ts`);
      continue;
    }
    const view: ResourceView = {
      logicalId,
      type: resource.Type,
      stack,
      props: stack.properties(logicalId),
      arn: () => stack.arn(logicalId),
    };
    const ownService = resource.Type.split('::')[1]?.toLowerCase();
    for (const handler of HANDLERS) {
      for (const action of actions[handler]) {
        const exception = rules.exceptions?.find(
          (e) =>
            e.actions.includes(action) &&
            (e.handlers ?? HANDLERS).includes(handler) &&
            !e.unlessSet.some((spec) => isSet(view.props, spec)),
        );
        if (exception) {
          exceptions.push({ logicalId, type: resource.Type, handler, action, reason: exception.reason });
          continue;
        }
        let targets: Target[];
        const placed = rules.targets?.[action];
        if (placed) targets = placed(view);
        else if (action.split(':')[0] === ownService)
          targets = [
            {
              resource: rules.self ? rules.self(view) : view.arn(),
              ...(rules.selfContext ? { context: rules.selfContext(view, handler, action) } : {}),
            },
          ];
        else {
          unplaced.push(`${logicalId} (${resource.Type}) ${handler}: ${action} is on no known resource`);
          continue;
        }
        if (targets.length === 0) unplaced.push(`${logicalId} (${resource.Type}) ${handler}: ${action} has no target`);
        for (const target of targets) {
          const allowed = evaluate(policies, action, target.resource, target.context ?? {}).decision === 'allowed';
          checks.push({ logicalId, type: resource.Type, handler, action, ...target, allowed });
        }
      }
    }
  }
  return { resources, checks, exceptions, unplaced };
}

/** The denied checks, one line each, for a failure message. */
export function denials(result: OracleResult): string[] {
  return result.checks
    .filter((c) => !c.allowed)
    .map(
      (c) =>
        `${c.logicalId} (${c.type}) ${c.handler}: ${c.action} on ${c.resource}` +
        (c.context ? ` with ${JSON.stringify(c.context)}` : ''),
    );
}

/** Figures for the report: resources, distinct (action, resource) requests required and granted, exceptions. */
export function summary(result: OracleResult): {
  resources: number;
  required: number;
  granted: number;
  exceptions: number;
} {
  const key = (c: ActionCheck) => `${c.action} ${c.resource} ${JSON.stringify(c.context ?? {})}`;
  const required = new Set(result.checks.map(key));
  const granted = new Set(result.checks.filter((c) => c.allowed).map(key));
  const exceptions = new Set(result.exceptions.map((e) => `${e.logicalId} ${e.action}`));
  return { resources: result.resources, required: required.size, granted: granted.size, exceptions: exceptions.size };
}
