/**
 * How every role of a project is kept to its own project (issue 10, attacks 1 and 9).
 *
 * Project names may contain hyphens, so a name pattern `<project>-*` of project `churn` also matches the resources of
 * projects `churn-v2` and `churn-branch`. Each statement is therefore scoped by one of:
 * - an exact name (repository, build project, bucket, the first model package group, the release function);
 * - the project id, whose format is fixed (`p-` and 12 lower-case letters or digits, see {@link PROJECT_ID_PATTERN}),
 *   so `<prefix><id>-*` never matches another project's names;
 * - a tag condition on `sagemaker:project-id`, where the name cannot carry the id (names promised in
 *   docs/design.md such as `<project>-<slug>` pipelines and `model-<project>-<model>` groups):
 *   `aws:ResourceTag/sagemaker:project-id` on actions on existing resources, `aws:RequestTag/sagemaker:project-id` on
 *   create and tag actions, so no role can create or re-tag a resource into another project.
 *
 * Every condition key used is listed for the action (request keys) or for the resource type (`aws:ResourceTag`) in the
 * Service Authorization Reference, checked for each service:
 * - SageMaker (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html):
 *   `aws:ResourceTag/${TagKey}` on the resource types pipeline, training-job, processing-job,
 *   hyper-parameter-tuning-job, model-package, model-package-group, experiment, experiment-trial,
 *   experiment-trial-component; `aws:RequestTag/${TagKey}` and `aws:TagKeys` on CreatePipeline, CreateTrainingJob,
 *   CreateProcessingJob, CreateHyperParameterTuningJob, CreateModelPackage, CreateModelPackageGroup, AddTags;
 *   `sagemaker:ModelApprovalStatus` on CreateModelPackage and UpdateModelPackage. The resource type
 *   pipeline-execution has no condition key (DescribePipelineExecution cannot be scoped by tag).
 * - CodePipeline (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscodepipeline.html):
 *   `aws:ResourceTag/${TagKey}` on the resource type pipeline; `aws:RequestTag/${TagKey}` and `aws:TagKeys` on
 *   CreatePipeline and TagResource.
 * - CloudFormation (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudformation.html):
 *   `aws:ResourceTag/${TagKey}` on the resource type stack; `aws:RequestTag/${TagKey}`, `aws:TagKeys` and
 *   `cloudformation:RoleArn` on CreateStack; `aws:RequestTag/${TagKey}` and `aws:TagKeys` on TagResource.
 * - CodeCommit (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscodecommit.html):
 *   `codecommit:References` on GitPush, PutFile, DeleteBranch, MergeBranchesBy*, MergePullRequestBy*,
 *   CreateCommit, CreateBranch, UpdateDefaultBranch is not used (see MainBranchProtection).
 * What the services cannot scope is listed in {@link UNSCOPABLE} and tested (test/lib/isolation.test.ts).
 */
import { TAG_PROJECT_ID } from '../../contracts/naming';

/**
 * SageMaker project ids as SageMaker generates them: `p-` followed by 12 lower-case letters and digits (for example
 * `p-idy6c3e1fiqj` in AWS's sample "SageMaker Model Package State Change" event). The API's shape allows up to 20
 * characters; the template refuses anything but this fixed length, on which the id-prefixed patterns rely.
 */
export const PROJECT_ID_PATTERN = '^p-[a-z0-9]{12}$';
export const PROJECT_ID_LENGTH = 14;
export const PROJECT_ID_CONSTRAINT =
  'A SageMaker project id: "p-" followed by 12 lower-case letters or digits (set by SageMaker). The permissions of ' +
  'the project are scoped by this id and rely on its fixed length.';

/** `aws:ResourceTag/sagemaker:project-id` = the project's id: the resource exists and belongs to the project. */
export function ownResource(projectId: string): Record<string, Record<string, string>> {
  return { StringEquals: { [`aws:ResourceTag/${TAG_PROJECT_ID}`]: projectId } };
}

/** `aws:RequestTag/sagemaker:project-id` = the project's id: what is created or tagged is tagged as the project's. */
export function ownRequest(projectId: string): Record<string, Record<string, string>> {
  return { StringEquals: { [`aws:RequestTag/${TAG_PROJECT_ID}`]: projectId } };
}

/**
 * Create-or-tag: the request tags the resource as the project's, and if the resource already carries a project id,
 * it is this project's (`StringEqualsIfExists`: at creation the resource has no tags yet). A resource of another
 * project (tagged with its id) can never be re-tagged.
 */
export function ownRequestOnOwnOrNew(projectId: string): Record<string, Record<string, string>> {
  return {
    StringEquals: { [`aws:RequestTag/${TAG_PROJECT_ID}`]: projectId },
    StringEqualsIfExists: { [`aws:ResourceTag/${TAG_PROJECT_ID}`]: projectId },
  };
}

/**
 * Reads that must also answer "not found" for a resource that does not exist yet (the run command describes its
 * pipeline before creating it): allowed on the project's resources and on resources without a project id.
 */
export function ownOrUntagged(projectId: string): Record<string, Record<string, string>> {
  return { StringEqualsIfExists: { [`aws:ResourceTag/${TAG_PROJECT_ID}`]: projectId } };
}

/**
 * What the services offer no scoping for, so a role of one project still reaches another project's resources there.
 * Each is narrowed as far as the service allows; the isolation test fails if anything else is reachable.
 */
export const UNSCOPABLE: readonly { readonly action: string; readonly what: string; readonly reason: string }[] = [
  {
    action: 'sagemaker:DescribePipelineExecution',
    what: 'pipeline executions of another project',
    reason:
      'The resource type pipeline-execution has no condition key and executions are named by SageMaker; read only.',
  },
  ...['sagemaker:ListPipelineExecutionSteps', 'sagemaker:DescribePipelineDefinitionForExecution'].map((action) => ({
    action,
    what: 'pipeline executions of another project',
    reason:
      'Their only resource type is pipeline-execution, which has no condition key, and branch pipelines are named ' +
      '"<project>-<slug>" (docs/design.md), so "<project>-*/execution/*" also names executions of "<project>-<more>". ' +
      'Read only (step metadata, the definition run); the release function accepts an execution only when its ' +
      "pipeline carries the own project id tag (ListTags, scoped), and the report reads only its branches' executions.",
  })),
  {
    action: 'sagemaker:ListModelPackageGroups',
    what: 'model package group names of another project',
    reason:
      'ListModelPackageGroups supports no resource-level permission (Resource "*"); names and ARNs only: their tags ' +
      "and versions are read only on the project's own groups.",
  },
  {
    action: 'cloudformation:DescribeStacks',
    what: 'stacks of another project',
    reason: 'Listing stacks (the reconcile) needs Resource "*"; stack metadata only, read only.',
  },
  {
    action: 'sagemaker:ListModelPackages',
    what: 'model packages of another project',
    reason: 'ListModelPackages supports no resource-level permission; list only, no details.',
  },
  {
    action: 'logs:CreateLogStream',
    what: "another project's job log streams",
    reason:
      'SageMaker jobs log to the account-wide groups /aws/sagemaker/TrainingJobs and ProcessingJobs, in streams ' +
      'named after the job ("pipelines-<execution id>-..."), with the execution role; write only, no read.',
  },
  {
    action: 'logs:PutLogEvents',
    what: "another project's job log streams",
    reason: 'As logs:CreateLogStream: the job log groups are shared by every SageMaker job of the account.',
  },
  ...[
    'sagemaker:DescribeTrial',
    'sagemaker:DescribeTrialComponent',
    'sagemaker:UpdateTrialComponent',
    'sagemaker:AssociateTrialComponent',
  ].map((action) => ({
    action,
    what: 'experiment trials and trial components of another project',
    reason:
      'SageMaker Pipelines creates a trial per execution (named by the definition) and a trial component per job ' +
      '(named after the job), without the project tags; lineage metadata only: no data, model or approval.',
  })),
  ...[
    'codecommit:CreateApprovalRuleTemplate',
    'codecommit:UpdateApprovalRuleTemplateContent',
    'codecommit:DeleteApprovalRuleTemplate',
  ].map((action) => ({
    action,
    what: "another project's approval rule template",
    reason:
      'Approval rule templates are account-level and their actions support no resource-level permission; the role ' +
      'is held only by the project\'s CloudFormation custom resource, which names only "mbm-<own id>-<main>".',
  })),
  ...['ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface', 'ec2:DeleteNetworkInterfacePermission'].map(
    (action) => ({
      action,
      what: "another project's SQL extract network interfaces in the warehouse subnets (context `warehouse`)",
      reason:
        "SageMaker creates a VPC job's network interfaces itself, with the execution role, untagged and with ids " +
        'EC2 assigns, so neither aws:ResourceTag nor a name can tell projects apart; the warehouse subnets are one ' +
        'platform setting shared by every project. Narrowed to those subnets (ec2:Subnet); an interface in use by a ' +
        'running job cannot be deleted, and none of these reads or changes data. DeleteNetworkInterfacePermission ' +
        'supports no resource-level permission at all.',
    }),
  ),
  {
    action: 'sagemaker:CreatePipeline',
    what: 'a pipeline name another project has not used yet',
    reason:
      'Branch pipelines are named "<project>-<slug>" (docs/design.md) and CreatePipeline has no condition key on ' +
      'the name: a build may create a pipeline under a name another project would use later, tagged as its own ' +
      "project's; it can never reach or re-tag an existing pipeline of another project.",
  },
  {
    action: 'codepipeline:CreatePipeline',
    what: 'a CodePipeline name another project has not used yet',
    reason:
      'Branch CodePipelines are named "<project>-<slug>" (docs/design.md); only CloudFormation holds this, with the ' +
      'branch template, for stacks the branch function names from naming.ts; tagged with the own project id.',
  },
  {
    action: 'cloudformation:CreateStack',
    what: 'a stack name another project has not used yet',
    reason:
      'Branch stacks are named "mbm-<project>-branch-<slug>" (naming.ts); only the branch function holds this and ' +
      'names stacks with branchStackName(<own project>, <branch under the prefix>); tagged with the own project id ' +
      'and created through the own CloudFormation role only.',
  },
  {
    action: 'sagemaker:CreateModelPackageGroup',
    what: 'a model package group name another project has not used yet',
    reason:
      'Groups are named "model-<project>-<model>" (contract 1); created only tagged with the own project id, so ' +
      "another project's readers and roles never accept it.",
  },
];
