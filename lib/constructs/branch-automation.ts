/**
 * Creates and deletes one branch stack (lib/branch-pipeline-stack.ts) per experiment branch: the branch Lambda,
 * the per-branch template it deploys (an asset it may read), the rules that call it (the source's branch events and
 * an hourly reconcile), and exactly the permissions it needs: branch stacks of this project only, created through
 * the CloudFormation service role only.
 */
import { ArnFormat, Aws, CfnCustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import type { BranchTemplateParameter } from '../branch-pipeline-stack';
import { BranchPipelineRoles } from './branch-pipeline-roles';
import { grantPassRoleTo } from './iam';
import { ownOrUntagged, ownRequest, ownRequestOnOwnOrNew, ownResource } from './isolation';
import { MonitoredFunction } from './monitored-function';
import { acknowledgeWildcards, nagResource } from './nag';
import type { BranchEventSource } from './source/project-source';
import { branchStackPrefix, legacyBranchStackPrefix } from '../../contracts/naming';

/** The input of the reconcile schedule, as the branch Lambda expects it (docs/design.md). */
export const RECONCILE_INPUT = { action: 'reconcile' } as const;

export interface BranchAutomationProps {
  readonly projectName: string;
  readonly projectId: string;
  /** The repository whose branch events call the function, and which the branch pipelines read from. */
  readonly source: BranchEventSource;
  readonly branchPrefix: string;
  /** The synthesized per-branch template (a file), published as an asset. */
  readonly templateFile: string;
  readonly roles: BranchPipelineRoles;
  readonly buildProject: codebuild.IProject;
  readonly artifactBucket: s3.IBucket;
  readonly reconcileInterval: Duration;
  /** At most this many branch pipelines (the branch function refuses more). @default 25 */
  readonly maxBranchPipelines?: number;
  readonly logRetention: logs.RetentionDays;
}

export class BranchAutomation extends Construct {
  readonly handler: MonitoredFunction;
  readonly template: s3assets.Asset;
  readonly reconcileRule: events.Rule;
  /**
   * Issue 10, attack 8: deleted before the roles and the function (it depends on them), it makes the function remove
   * every branch stack first, or refuse the project's deletion while some are still being deleted
   * (lambda/branch-pipeline/lifecycle.ts).
   */
  readonly branchStacksGuard: CfnCustomResource;

  constructor(scope: Construct, id: string, props: BranchAutomationProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.template = new s3assets.Asset(this, 'Template', { path: props.templateFile });
    const templateUrl = `https://${this.template.s3BucketName}.s3.${Aws.REGION}.${Aws.URL_SUFFIX}/${this.template.s3ObjectKey}`;

    const staticParameters: Record<Exclude<BranchTemplateParameter, 'BranchName' | 'PipelineName'>, string> = {
      ProjectName: props.projectName,
      ProjectId: props.projectId,
      RepositoryName: props.source.repository.repositoryName,
      CodeBuildProjectName: props.buildProject.projectName,
      ArtifactBucketName: props.artifactBucket.bucketName,
      PipelineRoleArn: props.roles.pipelineRole.roleArn,
      EventsRoleArn: props.roles.eventsRole.roleArn,
    };

    this.handler = new MonitoredFunction(this, 'Handler', {
      handlerDir: 'branch-pipeline',
      description: `Creates and deletes the branch pipelines of project ${props.projectName}`,
      timeout: Duration.minutes(5),
      logRetention: props.logRetention,
      environment: {
        PROJECT_NAME: props.projectName,
        PROJECT_ID: props.projectId,
        REPOSITORY_NAME: props.source.repository.repositoryName,
        BRANCH_PREFIX: props.branchPrefix,
        PIPELINE_TEMPLATE_URL: templateUrl,
        CLOUDFORMATION_ROLE_ARN: props.roles.cloudFormationRole.roleArn,
        PIPELINE_STACK_PARAMETERS: stack.toJsonString(staticParameters),
        ...(props.maxBranchPipelines === undefined ? {} : { MAX_BRANCH_PIPELINES: String(props.maxBranchPipelines) }),
      },
    });
    const role = this.handler.role;
    const branchStacks = stack.formatArn({
      service: 'cloudformation',
      resource: 'stack',
      resourceName: `${branchStackPrefix(props.projectName)}*/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    // Stacks of versions before 0.2 (`<project>-branch-<slug>`): deleted only when they carry this project's id tag.
    const legacyBranchStacks = stack.formatArn({
      service: 'cloudformation',
      resource: 'stack',
      resourceName: `${legacyBranchStackPrefix(props.projectName)}*/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    const branchSageMakerPipelines = stack.formatArn({
      service: 'sagemaker',
      resource: 'pipeline',
      resourceName: `${props.projectName}-*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });

    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadBranchTemplate',
        actions: ['s3:GetObject'],
        resources: [this.template.bucket.arnForObjects(this.template.s3ObjectKey)],
      }),
    );
    grantPassRoleTo(props.roles.cloudFormationRole, role, 'cloudformation.amazonaws.com');
    props.source.repository.grant(role, 'codecommit:GetBranch', 'codecommit:ListBranches');
    // Branch stacks are named "<project>-branch-<slug>" (naming.ts, branchStackName), which also names stacks of a
    // project "<project>-branch": created only tagged with this project's id and through the project's CloudFormation
    // role, deleted only when they carry the id (isolation.ts). The function never updates a stack.
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'CreateOwnBranchStacks',
        actions: ['cloudformation:CreateStack'],
        resources: [branchStacks],
        conditions: {
          StringEquals: {
            ...ownRequest(props.projectId).StringEquals,
            'cloudformation:RoleArn': props.roles.cloudFormationRole.roleArn,
          },
        },
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'TagOwnBranchStacks',
        // CreateStack with tags needs TagResource.
        actions: ['cloudformation:TagResource'],
        resources: [branchStacks],
        conditions: ownRequestOnOwnOrNew(props.projectId),
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DeleteOwnBranchStacks',
        actions: ['cloudformation:DeleteStack'],
        resources: [branchStacks, legacyBranchStacks],
        conditions: ownResource(props.projectId),
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadOwnBranchStackHistory',
        // A stack stuck in DELETE_FAILED is deleted once more, retaining the resources that failed
        // (ListStackResources), and its events tell whether that was done already (stacks.ts).
        actions: ['cloudformation:ListStackResources', 'cloudformation:DescribeStackEvents'],
        resources: [branchStacks, legacyBranchStacks],
        conditions: ownResource(props.projectId),
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DescribeStacksForReconcile',
        actions: ['cloudformation:DescribeStacks'],
        resources: ['*'],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadBranchSageMakerPipelines',
        // A pipeline is deleted only when its tags say it belongs to this project and branch (stacks.ts); reads also
        // answer "not found" for a pipeline that was never created.
        actions: ['sagemaker:DescribePipeline', 'sagemaker:ListTags'],
        // SageMaker pipelines of branches are named "<project>-<slug>" (naming.ts, sageMakerPipelineName).
        resources: [branchSageMakerPipelines],
        conditions: ownOrUntagged(props.projectId),
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DeleteOwnBranchSageMakerPipelines',
        actions: ['sagemaker:DeletePipeline'],
        resources: [branchSageMakerPipelines],
        conditions: ownResource(props.projectId),
      }),
    );

    acknowledgeWildcards(role, {
      'Resource::*':
        "Reconcile lists stacks with DescribeStacks without a stack name, which needs '*'; it reads stack metadata only.",
      [nagResource(this, branchStacks)]:
        'Branch stacks are created at run time, named "mbm-<project>-branch-<slug>" (naming.ts), with a stack id suffix.',
      [nagResource(this, legacyBranchStacks)]:
        'Branch stacks of versions before 0.2, named "<project>-branch-<slug>"; only those with this project\'s id tag.',
      [nagResource(this, branchSageMakerPipelines)]:
        'SageMaker pipelines of branches are created by their builds, named "<project>-<slug>" (naming.ts).',
    });

    const target = new targets.LambdaFunction(this.handler.function, {
      deadLetterQueue: this.handler.deadLetterQueue,
      retryAttempts: 4,
      maxEventAge: Duration.hours(2),
    });
    props.source.addBranchTarget(target);

    this.branchStacksGuard = new CfnCustomResource(this, 'BranchStacksGuard', {
      serviceToken: this.handler.function.functionArn,
    });
    this.branchStacksGuard.node.addDependency(this.handler, props.roles);

    this.reconcileRule = new events.Rule(this, 'ReconcileRule', {
      description: `Reconciles the branch stacks of project ${props.projectName} with its branches`,
      schedule: events.Schedule.rate(props.reconcileInterval),
    });
    this.reconcileRule.addTarget(
      new targets.LambdaFunction(this.handler.function, {
        event: events.RuleTargetInput.fromObject(RECONCILE_INPUT),
        deadLetterQueue: this.handler.deadLetterQueue,
        retryAttempts: 2,
        maxEventAge: Duration.hours(1),
      }),
    );
  }
}
