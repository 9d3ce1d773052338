/**
 * What the Service Catalog launch role may do (lib/constructs/launch-role.ts), as data: provisioning (stacks,
 * templates, assets, the project's IAM roles and its code repository) and the optional parts (retraining, serving
 * access); the resources the project template creates are in launch-role-resources.ts. Statements whose resources
 * have a wildcard carry the reason, which acknowledges their cdk-nag finding.
 */
import { Aws } from 'aws-cdk-lib';
import type { LaunchRoleProps } from './launch-role';
import { ROLE_PATH } from './monitored-function';

/** One statement of the launch role's policy. */
export interface LaunchStatement {
  readonly sid: string;
  readonly actions: string[];
  readonly resources: string[];
  /** Why a resource has a wildcard (required when one has). */
  readonly reason?: string;
  readonly conditions?: Record<string, unknown>;
}

export const SC_NAMED =
  'CloudFormation names these resources after the Service Catalog stack ("SC-<account>-pp-<id>").';

/** The reason of a wildcard in a promised name (`model-<project>…`): the project name is a provisioning parameter. */
export function namedAtProvisioning(what: string, name: string): string {
  return `The ${what} of a project is named "${name}", the project name known at provisioning only.`;
}

/** `arn:<partition>:<service>:<region>:<account>:<resource>`, with pseudo parameters so the policy is portable. */
export function arn(service: string, resource: string): string {
  return `arn:${Aws.PARTITION}:${service}:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
}

/** A statement list and the function that appends one statement to it. */
export function statementList() {
  const statements: LaunchStatement[] = [];
  const add = (
    sid: string,
    actions: string[],
    resources: string[],
    reason?: string,
    conditions?: Record<string, unknown>,
  ) => statements.push({ sid, actions, resources, reason, conditions });
  return { statements, add };
}

/** The AWS::Scheduler::Schedule handler permissions, for the retrain schedule. */
const RETRAIN_SCHEDULE_ACTIONS = [
  'scheduler:CreateSchedule',
  'scheduler:GetSchedule',
  'scheduler:UpdateSchedule',
  'scheduler:DeleteSchedule',
];

const PROJECT_ROLES = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role${ROLE_PATH}*`;

/** Provisioning the stack: its templates and assets, the project's IAM roles and policies, its code repository. */
export function provisioningStatements(props: LaunchRoleProps): LaunchStatement[] {
  const { statements, add } = statementList();

  add(
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
  add(
    'ReadTemplates',
    ['cloudformation:GetTemplateSummary', 'cloudformation:ValidateTemplate'],
    ['*'],
    'GetTemplateSummary, ValidateTemplate, DescribeAlarms and DescribeLogGroups support no resource-level permission.',
  );
  add(
    'ReadProductAssets',
    ['s3:GetObject'],
    [props.assetBucket.arnForObjects('*')],
    'Read-only access to the product assets (templates, Lambda code, seed code), whose keys are content hashes.',
  );
  // Service Catalog copies the product template into a bucket of its own and provisions from there; the launch
  // role reads that copy (Service Catalog Administrator Guide, "AWS Service Catalog launch constraints").
  add(
    'ReadServiceCatalogTemplateCopy',
    ['s3:GetObject'],
    ['*'],
    "Service Catalog's copy of the product template lives in a bucket Service Catalog owns and names; only objects it tagged servicecatalog:provisioning=true.",
    { StringEquals: { 's3:ExistingObjectTag/servicecatalog:provisioning': 'true' } },
  );

  add(
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
    [PROJECT_ROLES],
    'Roles of a project are created at provisioning, with generated names, under the product role path only.',
  );
  add(
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
  add(
    'PassProjectRoles',
    ['iam:PassRole'],
    [PROJECT_ROLES],
    'Roles of a project have generated names under the product role path; passed to Lambda and CodeBuild only.',
    { StringEquals: { 'iam:PassedToService': ['lambda.amazonaws.com', 'codebuild.amazonaws.com'] } },
  );

  if (props.sourceProvider === 'external-ci') {
    add(
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
      namedAtProvisioning('Studio code repository', 'model-<project>-train'),
    );
  } else {
    add(
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
      namedAtProvisioning('repository', 'model-<project>-train'),
    );
  }
  return statements;
}

/** What the optional parts of the project template add: the retrain schedule, serving access. */
export function optionalStatements(props: LaunchRoleProps): LaunchStatement[] {
  const { statements, add } = statementList();
  if (props.retrainSchedule === true) {
    add(
      'RetrainSchedule',
      RETRAIN_SCHEDULE_ACTIONS,
      [arn('scheduler', 'schedule/default/model-*-retrain')],
      namedAtProvisioning('retrain schedule', 'model-<project>-retrain'),
    );
    add(
      'PassRetrainScheduleRole',
      ['iam:PassRole'],
      [PROJECT_ROLES],
      "The schedule's role has a generated name under the product role path; passed to EventBridge Scheduler only.",
      { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    );
  }

  if (props.servingAccess === true) {
    add(
      'ServingAccessGroupPolicy',
      [
        'sagemaker:PutModelPackageGroupPolicy',
        'sagemaker:GetModelPackageGroupPolicy',
        'sagemaker:DeleteModelPackageGroupPolicy',
      ],
      [arn('sagemaker', 'model-package-group/model-*')],
      namedAtProvisioning('model package group', 'model-<project>'),
    );
    add(
      'ServingAccessPassForwardRole',
      ['iam:PassRole'],
      [PROJECT_ROLES],
      'The forwarding role of a project has a generated name under the product role path; passed to EventBridge only.',
      { StringEquals: { 'iam:PassedToService': 'events.amazonaws.com' } },
    );
  }
  return statements;
}
