/**
 * Who may change the main branch and who may approve models (issue 10, attacks 2 and 4):
 * - an approval rule template `mbm-<project id>-<main>` associated with the project's repository: every pull request
 *   into the main branch needs `approvalsRequired` approvals from the approval pool (context `mainApprovers`; any
 *   member of the account when empty). CodeCommit never counts the author's own approval (UpdatePullRequestApprovalState
 *   answers PullRequestCannotBeApprovedByAuthorException). CloudFormation has no resource type for approval rule
 *   templates, so two AwsCustomResource calls create and associate it (and disassociate and delete it with the project);
 * - the managed policy `ProtectMainBranch` (attach it to every data scientist): denies direct writes to the main
 *   branch (GitPush, PutFile, CreateCommit, DeleteBranch, MergeBranches*, MergePullRequest*, conditioned on
 *   `codecommit:References` as the CodeCommit user guide's example "limit pushes and merges to branches" does, with
 *   ForAnyValue because a push may name several references), the override of approval rules and any change to the
 *   template;
 * - the managed policy `ApproveModels` (attach it only to the people who approve scheduled retrains in Studio):
 *   UpdateModelPackage on the project's model versions (tagged with its id), to Approved or Rejected. Everyone else
 *   must lack it; no role of the project has it but the release function.
 * Condition keys, from the Service Authorization Reference: `codecommit:References` on GitPush, PutFile,
 * CreateCommit, DeleteBranch, MergeBranchesBy*, MergePullRequestBy* (list_awscodecommit.html);
 * `sagemaker:ModelApprovalStatus` on UpdateModelPackage, `aws:ResourceTag/${TagKey}` on model-package
 * (list_amazonsagemaker.html).
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { ownResource } from './isolation';
import { ROLE_PATH } from './monitored-function';
import { acknowledgeRule, acknowledgeWildcards, nagResource } from './nag';

/** The actions that write a branch of a CodeCommit repository (each supports `codecommit:References`). */
export const BRANCH_WRITE_ACTIONS = [
  'codecommit:GitPush',
  'codecommit:PutFile',
  'codecommit:CreateCommit',
  'codecommit:DeleteBranch',
  'codecommit:MergeBranchesByFastForward',
  'codecommit:MergeBranchesBySquash',
  'codecommit:MergeBranchesByThreeWay',
  'codecommit:MergePullRequestByFastForward',
  'codecommit:MergePullRequestBySquash',
  'codecommit:MergePullRequestByThreeWay',
] as const;

/**
 * The approval rule template content, in CodeCommit's documented format (Version 2018-11-08): the destination
 * reference and one Approvers statement with the number of approvals and, when given, the approval pool.
 */
export function approvalRuleTemplateContent(
  mainBranch: string,
  approvers: readonly string[],
  approvalsRequired: number,
): string {
  return JSON.stringify({
    Version: '2018-11-08',
    DestinationReferences: [`refs/heads/${mainBranch}`],
    Statements: [
      {
        Type: 'Approvers',
        NumberOfApprovalsNeeded: approvalsRequired,
        ...(approvers.length > 0 ? { ApprovalPoolMembers: [...approvers] } : {}),
      },
    ],
  });
}

export interface MainBranchProtectionProps {
  readonly projectName: string;
  readonly projectId: string;
  /** The project's CodeCommit repository (`CodeCommitSource.repository`), whose main branch is protected. */
  readonly repository: codecommit.IRepository;
  readonly mainBranch: string;
  readonly approvers: readonly string[];
  readonly approvalsRequired: number;
  /** Name of the project's first model package group (`model-<project>`). */
  readonly modelPackageGroupName: string;
}

export class MainBranchProtection extends Construct {
  readonly protectMainPolicy: iam.ManagedPolicy;
  readonly approveModelsPolicy: iam.ManagedPolicy;
  readonly templateName: string;

  constructor(scope: Construct, id: string, props: MainBranchProtectionProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.templateName = `mbm-${props.projectId}-${props.mainBranch}`.slice(0, 100);
    const mainRef = `refs/heads/${props.mainBranch}`;

    this.protectMainPolicy = new iam.ManagedPolicy(this, 'ProtectMainBranch', {
      path: ROLE_PATH,
      description: `Attach to data scientists of project ${props.projectName}: no direct write to ${props.mainBranch}`,
      statements: [
        new iam.PolicyStatement({
          sid: 'NoDirectWriteToMain',
          effect: iam.Effect.DENY,
          actions: [...BRANCH_WRITE_ACTIONS],
          resources: [props.repository.repositoryArn],
          // codecommit:References is multi-valued (a push may update several branches): denied when any of them is
          // main (ForAnyValue); a request that names no reference is not a branch write.
          conditions: {
            'ForAnyValue:StringEquals': { 'codecommit:References': [mainRef] },
            Null: { 'codecommit:References': 'false' },
          },
        }),
        new iam.PolicyStatement({
          sid: 'NoApprovalRuleBypass',
          effect: iam.Effect.DENY,
          actions: [
            'codecommit:OverridePullRequestApprovalRules',
            'codecommit:DeletePullRequestApprovalRule',
            'codecommit:UpdatePullRequestApprovalRuleContent',
            'codecommit:DisassociateApprovalRuleTemplateFromRepository',
          ],
          resources: [props.repository.repositoryArn],
        }),
        new iam.PolicyStatement({
          sid: 'NoApprovalRuleTemplateChange',
          effect: iam.Effect.DENY,
          actions: [
            'codecommit:DeleteApprovalRuleTemplate',
            'codecommit:UpdateApprovalRuleTemplateContent',
            'codecommit:UpdateApprovalRuleTemplateName',
          ],
          // Approval rule template actions support no resource-level permission.
          resources: ['*'],
        }),
      ],
    });

    const versions = [`${props.modelPackageGroupName}/*`, `${props.modelPackageGroupName}-*/*`].map((name) =>
      stack.formatArn({
        service: 'sagemaker',
        resource: 'model-package',
        resourceName: name,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      }),
    );
    this.approveModelsPolicy = new iam.ManagedPolicy(this, 'ApproveModels', {
      path: ROLE_PATH,
      description: `Attach only to the approvers of scheduled retrains of project ${props.projectName}`,
      statements: [
        new iam.PolicyStatement({
          sid: 'ApproveOrRejectProjectModels',
          actions: ['sagemaker:UpdateModelPackage'],
          resources: versions,
          conditions: {
            StringEquals: {
              ...ownResource(props.projectId).StringEquals,
              'sagemaker:ModelApprovalStatus': ['Approved', 'Rejected'],
            },
          },
        }),
        new iam.PolicyStatement({
          sid: 'ReadProjectModels',
          actions: ['sagemaker:DescribeModelPackage'],
          resources: versions,
          conditions: ownResource(props.projectId),
        }),
      ],
    });

    // The custom resource's function runs with a role under the product's role path (the launch role creates no other).
    const role = new iam.Role(this, 'TemplateRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      path: ROLE_PATH,
      description: `Creates and associates the approval rule template of project ${props.projectName}`,
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ApprovalRuleTemplate',
        actions: [
          'codecommit:CreateApprovalRuleTemplate',
          'codecommit:UpdateApprovalRuleTemplateContent',
          'codecommit:DeleteApprovalRuleTemplate',
        ],
        resources: ['*'],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AssociateWithRepository',
        actions: [
          'codecommit:AssociateApprovalRuleTemplateWithRepository',
          'codecommit:DisassociateApprovalRuleTemplateFromRepository',
        ],
        resources: [props.repository.repositoryArn],
      }),
    );
    const content = approvalRuleTemplateContent(props.mainBranch, props.approvers, props.approvalsRequired);
    const template = new cr.AwsCustomResource(this, 'Template', {
      role,
      installLatestAwsSdk: false,
      onCreate: {
        service: 'CodeCommit',
        action: 'createApprovalRuleTemplate',
        parameters: {
          approvalRuleTemplateName: this.templateName,
          approvalRuleTemplateContent: content,
          approvalRuleTemplateDescription: `Pull requests into ${props.mainBranch} of project ${props.projectName}`,
        },
        physicalResourceId: cr.PhysicalResourceId.of(this.templateName),
      },
      onUpdate: {
        service: 'CodeCommit',
        action: 'updateApprovalRuleTemplateContent',
        parameters: { approvalRuleTemplateName: this.templateName, newRuleContent: content },
        physicalResourceId: cr.PhysicalResourceId.of(this.templateName),
      },
      onDelete: {
        service: 'CodeCommit',
        action: 'deleteApprovalRuleTemplate',
        parameters: { approvalRuleTemplateName: this.templateName },
      },
    });
    const association = new cr.AwsCustomResource(this, 'Association', {
      role,
      installLatestAwsSdk: false,
      onCreate: {
        service: 'CodeCommit',
        action: 'associateApprovalRuleTemplateWithRepository',
        parameters: { approvalRuleTemplateName: this.templateName, repositoryName: props.repository.repositoryName },
        physicalResourceId: cr.PhysicalResourceId.of(`${this.templateName}/association`),
      },
      onDelete: {
        service: 'CodeCommit',
        action: 'disassociateApprovalRuleTemplateFromRepository',
        parameters: { approvalRuleTemplateName: this.templateName, repositoryName: props.repository.repositoryName },
      },
    });
    association.node.addDependency(template);

    acknowledgeWildcards(role, {
      'Resource::*': 'CodeCommit approval rule template actions support no resource-level permission.',
    });
    acknowledgeWildcards(this.protectMainPolicy, {
      'Resource::*': 'A Deny on approval rule template changes, which support no resource-level permission.',
    });
    for (const arn of versions) {
      acknowledgeWildcards(this.approveModelsPolicy, {
        [nagResource(this, arn)]:
          "Model versions are numbered at registration; only versions tagged with this project's id.",
      });
    }
    void acknowledgeRule;
  }
}
