/**
 * The one CodeBuild project every branch pipeline of a project runs its "Train" action on. It executes the
 * repository's `buildspec.yml`, which builds the SageMaker pipeline definition of the branch, upserts the pipeline and
 * starts an execution. Per-branch values come from the pipeline (`BRANCH_NAME`, `COMMIT_HASH`); per-project values
 * are set here. With the `external-ci` source provider the same project builds from a source archive CI uploads
 * (`source`, see ExternalCiSource) instead of a pipeline artifact.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { RUN_COMMAND_PERMISSIONS } from '../../sagemaker-pipeline/src/permissions';
import { WAREHOUSE_ENV } from '../../sagemaker-pipeline/src/sql-source';
import type { WarehouseConfig } from '../config';
import { grantArtifactReadWrite } from './artifact-bucket';
import { grantPassRoleTo } from './iam';
import { ROLE_PATH } from './monitored-function';
import { ownOrUntagged, ownRequest, ownRequestOnOwnOrNew, ownResource } from './isolation';
import { acknowledgeRule, acknowledgeWildcards, nagResource } from './nag';

/** The build's warehouse variables (names shared with the run command: sagemaker-pipeline/src/sql-source.ts). */
export function warehouseEnvironment(warehouse: WarehouseConfig): Record<string, codebuild.BuildEnvironmentVariable> {
  return {
    [WAREHOUSE_ENV.secretArn]: { value: warehouse.secretArn },
    [WAREHOUSE_ENV.subnetIds]: { value: warehouse.subnetIds.join(',') },
    [WAREHOUSE_ENV.securityGroupIds]: { value: warehouse.securityGroupIds.join(',') },
  };
}

export interface TrainBuildProjectProps {
  readonly projectName: string;
  readonly projectId: string;
  readonly artifactBucket: s3.Bucket;
  readonly modelPackageGroupName: string;
  readonly sageMakerExecutionRole: iam.IRole;
  readonly logRetention: logs.RetentionDays;
  /**
   * Where builds get the commit from.
   * @default - the branch pipeline's source artifact (a CodePipeline project)
   */
  readonly source?: codebuild.ISource;
  /**
   * At most this many builds of the project run at once; CodeBuild queues the rest (issue 10, attack 13: a burst of
   * pushes cannot start unbounded training).
   * @default 4
   */
  readonly concurrentBuildLimit?: number;
  /**
   * The SQL warehouse, passed to builds as WAREHOUSE_SECRET_ARN, WAREHOUSE_SUBNET_IDS, WAREHOUSE_SECURITY_GROUP_IDS
   * (comma lists), which the run command puts in the extract steps of `sql:` sources.
   * @default - no warehouse: the variables are not set and a `sql:` source is refused with the fix
   */
  readonly warehouse?: WarehouseConfig;
}

export class TrainBuildProject extends Construct {
  readonly project: codebuild.Project;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: TrainBuildProjectProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'),
      path: ROLE_PATH,
      description: `Train builds of project ${props.projectName}`,
    });
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const projectProps: codebuild.PipelineProjectProps = {
      // Named like the repository, so that the launch role can be scoped to the project's build project.
      projectName: `model-${props.projectName}-train`,
      description: `Builds and starts the SageMaker pipeline of a branch of project ${props.projectName}`,
      role: this.role,
      buildSpec: codebuild.BuildSpec.fromSourceFilename('buildspec.yml'),
      environment: {
        buildImage: codebuild.LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0,
        computeType: codebuild.ComputeType.SMALL,
        privileged: false,
      },
      environmentVariables: {
        PROJECT_NAME: { value: props.projectName },
        PROJECT_ID: { value: props.projectId },
        ARTIFACT_BUCKET: { value: props.artifactBucket.bucketName },
        MODEL_PACKAGE_GROUP_NAME: { value: props.modelPackageGroupName },
        SAGEMAKER_PIPELINE_ROLE_ARN: { value: props.sageMakerExecutionRole.roleArn },
        ...(props.warehouse === undefined ? {} : warehouseEnvironment(props.warehouse)),
      },
      timeout: Duration.minutes(60),
      logging: { cloudWatch: { logGroup: this.logGroup } },
      concurrentBuildLimit: props.concurrentBuildLimit ?? 4,
    };
    this.project =
      props.source === undefined
        ? new codebuild.PipelineProject(this, 'Project', projectProps)
        : new codebuild.Project(this, 'Project', { ...projectProps, source: props.source });

    grantArtifactReadWrite(props.artifactBucket, this.role);
    // run.js passes the execution role to SageMaker in CreatePipeline and UpdatePipeline (RoleArn).
    grantPassRoleTo(props.sageMakerExecutionRole, this.role, 'sagemaker.amazonaws.com');
    const pipelineArn = stack.formatArn({
      service: 'sagemaker',
      resource: 'pipeline',
      resourceName: `${props.projectName}-*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    // Pipeline names "<project>-<slug>" also match the pipelines of a project "<project>-<more>": every statement is
    // scoped by the sagemaker:project-id tag (lib/constructs/isolation.ts), which the run command sets at creation.
    const pipelineActions = new Set<string>(RUN_COMMAND_PERMISSIONS.sagemaker);
    const take = (action: string) => (pipelineActions.delete(action) ? [action] : []);
    const statement = (sid: string, actions: string[], conditions: Record<string, unknown>) => {
      if (actions.length > 0) {
        this.role.addToPolicy(new iam.PolicyStatement({ sid, actions, resources: [pipelineArn], conditions }));
      }
    };
    statement('CreateOwnBranchPipelines', take('sagemaker:CreatePipeline'), ownRequest(props.projectId));
    statement('TagOwnBranchPipelines', take('sagemaker:AddTags'), ownRequestOnOwnOrNew(props.projectId));
    // Describe answers "not found" for a pipeline not created yet (the run command's upsert).
    statement('DescribeOwnBranchPipelines', take('sagemaker:DescribePipeline'), ownOrUntagged(props.projectId));
    // The resource type pipeline-execution has no condition key (isolation.ts, UNSCOPABLE): read only.
    const executionReads = take('sagemaker:DescribePipelineExecution');
    if (executionReads.length > 0) {
      this.role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'DescribeBranchPipelineExecutions',
          actions: executionReads,
          resources: [`${pipelineArn}/execution/*`],
        }),
      );
    }
    // Exactly what the run command (buildspec.yml: node run.js) calls; a test checks the list against its calls.
    statement('UpdateAndStartOwnBranchPipelines', [...pipelineActions].sort(), ownResource(props.projectId));

    // Contract 1: the run command creates the groups of further models ("model-<project>-<model>") when missing,
    // only tagged with this project's id (CreateModelPackageGroup and AddTags support aws:RequestTag).
    const modelGroups = stack.formatArn({
      service: 'sagemaker',
      resource: 'model-package-group',
      resourceName: `model-${props.projectName}-*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'CreateOwnModelPackageGroups',
        actions: ['sagemaker:CreateModelPackageGroup', 'sagemaker:AddTags'],
        resources: [modelGroups],
        conditions: ownRequestOnOwnOrNew(props.projectId),
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DescribeOwnModelPackageGroups',
        actions: ['sagemaker:DescribeModelPackageGroup'],
        resources: [modelGroups],
        conditions: ownOrUntagged(props.projectId),
      }),
    );

    const defaultLogGroup = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: `/aws/codebuild/${this.project.projectName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const reportGroups = stack.formatArn({
      service: 'codebuild',
      resource: 'report-group',
      resourceName: `${this.project.projectName}-*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    acknowledgeWildcards(this.role, {
      [nagResource(this, pipelineArn)]:
        'Branch pipelines are created at run time and named "<project>-<branch slug>" (contracts/naming.ts).',
      [nagResource(this, `${pipelineArn}/execution/*`)]: 'Executions of the branch pipelines get ids at run time.',
      [nagResource(this, modelGroups)]:
        'Groups of further models are named "model-<project>-<model>" by pipeline.yaml; scoped by the project id tag.',
      [nagResource(this, defaultLogGroup)]:
        "Added by CodeBuild's L2 construct for its default log group (streams are per build); this project logs to its own group.",
      [nagResource(this, reportGroups)]: "Added by CodeBuild's L2 construct: report groups of this build project only.",
    });
    acknowledgeRule(
      this.project,
      'CB4',
      'Build artifacts go to the project bucket (SSE-S3) and the build holds no secrets; a customer managed KMS key ' +
        'per project would add cost and key administration without a consumer that needs it.',
    );
  }
}
