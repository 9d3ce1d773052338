/**
 * The role SageMaker pipeline executions (and the processing and training jobs they start) run with: read and write
 * the project's artifact bucket, pull training images, register model packages in the project's group, and write
 * their logs and metrics.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { WarehouseConfig } from '../config';
import { grantArtifactReadWrite } from './artifact-bucket';
import { grantPassRoleTo } from './iam';
import { ROLE_PATH } from './monitored-function';
import { acknowledgeWildcards, nagResource } from './nag';

export interface SageMakerExecutionRoleProps {
  readonly projectName: string;
  readonly artifactBucket: s3.Bucket;
  readonly trainingImageRepository: ecr.IRepository;
  readonly modelPackageGroupName: string;
  /**
   * The SQL warehouse: extract jobs read its secret and run in its subnets (network interfaces).
   * @default - none: the role reads no secret and creates no network interface
   */
  readonly warehouse?: WarehouseConfig;
}

export class SageMakerExecutionRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: SageMakerExecutionRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const arn = (resource: string, resourceName: string, service = 'sagemaker') =>
      stack.formatArn({ service, resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      path: ROLE_PATH,
      description: `SageMaker pipeline executions of project ${props.projectName}`,
    });
    grantArtifactReadWrite(props.artifactBucket, this.role);
    props.trainingImageRepository.grantPull(this.role);
    // Jobs started by a pipeline execution pass this role on to SageMaker.
    grantPassRoleTo(this.role, this.role, 'sagemaker.amazonaws.com');

    const jobArns = { processing: arn('processing-job', 'pipelines-*'), training: arn('training-job', 'pipelines-*') };
    const modelPackages = arn('model-package', `${props.modelPackageGroupName}/*`);
    const jobLogs = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: '/aws/sagemaker/*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PipelineJobs',
        actions: [
          'sagemaker:CreateProcessingJob',
          'sagemaker:DescribeProcessingJob',
          'sagemaker:StopProcessingJob',
          'sagemaker:CreateTrainingJob',
          'sagemaker:DescribeTrainingJob',
          'sagemaker:StopTrainingJob',
          'sagemaker:AddTags',
        ],
        // SageMaker Pipelines names the jobs it starts "pipelines-<execution>-<step>-<suffix>".
        resources: [jobArns.processing, jobArns.training],
      }),
    );
    // The pipeline records each execution in the experiment model-<project> (one trial per execution).
    const experiment = arn('experiment', `model-${props.projectName}`);
    const trials = arn('experiment-trial', '*');
    const trialComponents = arn('experiment-trial-component', '*');
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'RecordExperiment',
        actions: ['sagemaker:CreateExperiment', 'sagemaker:DescribeExperiment'],
        resources: [experiment],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'RecordTrials',
        actions: [
          'sagemaker:CreateTrial',
          'sagemaker:DescribeTrial',
          'sagemaker:CreateTrialComponent',
          'sagemaker:DescribeTrialComponent',
          'sagemaker:UpdateTrialComponent',
          'sagemaker:AssociateTrialComponent',
        ],
        resources: [trials, trialComponents],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'RegisterModel',
        actions: ['sagemaker:CreateModelPackage', 'sagemaker:DescribeModelPackageGroup'],
        resources: [arn('model-package-group', props.modelPackageGroupName), modelPackages],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'JobLogs',
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [jobLogs],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'JobMetrics',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringLike: { 'cloudwatch:namespace': ['/aws/sagemaker/*'] } },
      }),
    );

    const warehouse = props.warehouse === undefined ? {} : this.grantWarehouse(props.warehouse);

    acknowledgeWildcards(this.role, {
      ...warehouse,
      'Resource::*':
        'ecr:GetAuthorizationToken and cloudwatch:PutMetricData support no resource-level permission; ' +
        'PutMetricData is limited to the /aws/sagemaker/* namespaces by a condition.' +
        (props.warehouse === undefined
          ? ''
          : ' The EC2 Describe* calls and DeleteNetworkInterfacePermission a VPC processing job makes support none either.'),
      [nagResource(this, jobArns.processing)]:
        'SageMaker Pipelines names the jobs it starts "pipelines-<execution id>-<step>-<suffix>" at run time.',
      [nagResource(this, jobArns.training)]:
        'SageMaker Pipelines names the jobs it starts "pipelines-<execution id>-<step>-<suffix>" at run time.',
      [nagResource(this, modelPackages)]:
        "Model package versions are numbered at registration; the wildcard covers versions of this project's group only.",
      [nagResource(this, trials)]:
        'Trials are named after pipeline executions, whose ids SageMaker assigns at run time.',
      [nagResource(this, trialComponents)]:
        'Trial components are named by SageMaker after the jobs of an execution, at run time.',
      [nagResource(this, jobLogs)]:
        'SageMaker jobs write to the /aws/sagemaker/ log groups (TrainingJobs, ProcessingJobs) with a stream per job.',
    });
  }

  /**
   * What a `sql:` source's extract job needs (docs/sql-source.md): read exactly the warehouse secret, and the EC2
   * network interface actions SageMaker performs with this role to run a job in the warehouse's subnets, scoped to
   * those subnets and security groups where the Service Authorization Reference allows (resources, `ec2:Subnet`).
   * Returns the IAM5 acknowledgements of the wildcards it adds.
   */
  private grantWarehouse(warehouse: WarehouseConfig): Record<string, string> {
    const stack = Stack.of(this);
    const ec2Arn = (resource: string, id: string) =>
      stack.formatArn({ service: 'ec2', resource, resourceName: id, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const subnets = warehouse.subnetIds.map((id) => ec2Arn('subnet', id));
    const securityGroups = warehouse.securityGroupIds.map((id) => ec2Arn('security-group', id));
    const networkInterfaces = ec2Arn('network-interface', '*');
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadWarehouseSecret',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [warehouse.secretArn],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WarehouseNetworkInterfaces',
        actions: ['ec2:CreateNetworkInterface'],
        // Authorized against the new interface, its subnet and its security groups: only the configured ones pass.
        resources: [networkInterfaces, ...subnets, ...securityGroups],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WarehouseNetworkInterfacesUse',
        actions: ['ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface'],
        resources: [networkInterfaces],
        conditions: { ArnEquals: { 'ec2:Subnet': subnets } },
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WarehouseNetworkDescribe',
        actions: [
          'ec2:DeleteNetworkInterfacePermission',
          'ec2:DescribeDhcpOptions',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSecurityGroups',
          'ec2:DescribeSubnets',
          'ec2:DescribeVpcs',
        ],
        resources: ['*'],
      }),
    );
    return {
      [nagResource(this, networkInterfaces)]:
        'SageMaker creates the network interfaces of a VPC processing job at run time (ids unknown); creating one ' +
        'also needs one of the configured subnets and security groups, and using or deleting one is limited to ' +
        'those subnets by the ec2:Subnet condition.',
    };
  }
}
