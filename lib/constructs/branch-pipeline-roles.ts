/**
 * The roles every branch stack reuses (the branch template creates none):
 * - the pipeline role: the CodePipeline service role, also used by its actions (source and train);
 * - the events role: lets EventBridge start a branch pipeline on a push;
 * - the CloudFormation service role: used only to create, update and delete branch stacks, so the branch Lambda
 *   itself cannot create pipelines or rules.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { grantArtifactReadWrite } from './artifact-bucket';
import { EVENT_RULE_ACTIONS, grantPassRoleTo } from './iam';
import { triggerRuleNamePrefix } from '../branch-pipeline-stack';
import { ownRequest, ownRequestOnOwnOrNew, ownResource } from './isolation';
import { ROLE_PATH } from './monitored-function';
import { acknowledgeWildcards, nagResource } from './nag';

export interface BranchPipelineRolesProps {
  readonly projectName: string;
  readonly projectId: string;
  readonly artifactBucket: s3.Bucket;
  /** The project's CodeCommit repository (`CodeCommitSource.repository`), which the pipeline role reads branches of. */
  readonly repository: codecommit.IRepository;
  readonly buildProject: codebuild.IProject;
}

export class BranchPipelineRoles extends Construct {
  readonly pipelineRole: iam.Role;
  readonly eventsRole: iam.Role;
  readonly cloudFormationRole: iam.Role;

  constructor(scope: Construct, id: string, props: BranchPipelineRolesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    /** Branch pipelines are named `<project>-<branch slug>` (contracts/naming.ts, codePipelineName). */
    const branchPipelinesArn = stack.formatArn({
      service: 'codepipeline',
      resource: `${props.projectName}-*`,
      arnFormat: ArnFormat.NO_RESOURCE_NAME,
    });

    const branchRulesArn = stack.formatArn({
      service: 'events',
      resource: 'rule',
      resourceName: `${triggerRuleNamePrefix(props.projectId)}*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });

    this.pipelineRole = new iam.Role(this, 'PipelineRole', {
      assumedBy: new iam.ServicePrincipal('codepipeline.amazonaws.com'),
      path: ROLE_PATH,
      description: `Branch pipelines of project ${props.projectName} and their actions`,
    });
    grantArtifactReadWrite(props.artifactBucket, this.pipelineRole);
    props.repository.grant(
      this.pipelineRole,
      'codecommit:GetBranch',
      'codecommit:GetCommit',
      'codecommit:UploadArchive',
      'codecommit:GetUploadArchiveStatus',
      'codecommit:CancelUploadArchive',
    );
    this.pipelineRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'RunTrainBuild',
        actions: ['codebuild:StartBuild', 'codebuild:BatchGetBuilds', 'codebuild:StopBuild'],
        resources: [props.buildProject.projectArn],
      }),
    );

    this.eventsRole = new iam.Role(this, 'EventsRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      path: ROLE_PATH,
      description: `Starts the branch pipelines of project ${props.projectName} on a push`,
    });
    this.eventsRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'StartBranchPipeline',
        actions: ['codepipeline:StartPipelineExecution'],
        resources: [branchPipelinesArn],
        // "<project>-*" also names the pipelines of project "<project>-<more>": only pipelines tagged with this id.
        conditions: ownResource(props.projectId),
      }),
    );

    this.cloudFormationRole = new iam.Role(this, 'CloudFormationRole', {
      assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com'),
      path: ROLE_PATH,
      description: `Creates and deletes the branch stacks of project ${props.projectName}`,
    });
    // Branch pipelines are named "<project>-<slug>", which also names the pipelines of project "<project>-<more>":
    // created and tagged only with this project's id, changed only when they carry it (isolation.ts). The branch
    // stack tags every resource with the project id (lib/branch-pipeline-stack.ts).
    const pipelineStatement = (sid: string, actions: string[], conditions: Record<string, unknown>) =>
      this.cloudFormationRole.addToPolicy(
        new iam.PolicyStatement({ sid, actions, resources: [branchPipelinesArn], conditions }),
      );
    pipelineStatement('CreateOwnBranchPipelines', ['codepipeline:CreatePipeline'], ownRequest(props.projectId));
    pipelineStatement('TagOwnBranchPipelines', ['codepipeline:TagResource'], ownRequestOnOwnOrNew(props.projectId));
    pipelineStatement(
      'ManageOwnBranchPipelines',
      [
        'codepipeline:UpdatePipeline',
        'codepipeline:DeletePipeline',
        'codepipeline:GetPipeline',
        'codepipeline:GetPipelineState',
        'codepipeline:UntagResource',
        'codepipeline:ListTagsForResource',
      ],
      ownResource(props.projectId),
    );
    this.cloudFormationRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ManageBranchTriggerRules',
        actions: [...EVENT_RULE_ACTIONS],
        // The branch template names its trigger rule "mbm-<project id>-<stack uuid>" (triggerRuleNamePrefix).
        resources: [branchRulesArn],
      }),
    );
    // The AWS::CodePipeline::Pipeline handlers read the pipeline role (iam:GetRole) before they pass it.
    this.cloudFormationRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadPipelineRole',
        actions: ['iam:GetRole'],
        resources: [this.pipelineRole.roleArn],
      }),
    );
    // The branch template's pipeline runs with the pipeline role, its trigger rule's target with the events role.
    grantPassRoleTo(this.pipelineRole, this.cloudFormationRole, 'codepipeline.amazonaws.com');
    grantPassRoleTo(this.eventsRole, this.cloudFormationRole, 'events.amazonaws.com');

    const pipelinesReason =
      'Branch pipelines are created at run time and named "<project>-<branch slug>" (contracts/naming.ts).';
    acknowledgeWildcards(this.eventsRole, { [nagResource(this, branchPipelinesArn)]: pipelinesReason });
    acknowledgeWildcards(this.cloudFormationRole, {
      [nagResource(this, branchPipelinesArn)]: pipelinesReason,
      [nagResource(this, branchRulesArn)]:
        'A branch stack names its trigger rule "mbm-<project id>-<stack uuid>" when it is created (triggerRuleNamePrefix).',
    });
  }
}
