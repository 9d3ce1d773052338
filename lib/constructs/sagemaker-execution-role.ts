/**
 * The role SageMaker pipeline executions (and the processing and training jobs they start) run with: read and write
 * the project's artifact bucket, read AWS's sample dataset (the seed's default input), pull training images, register model packages in the project's group, and write
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
import { ownRequest, ownRequestOnOwnOrNew, ownResource } from './isolation';
import { sageMakerArn } from './arns';
import { acknowledgeWildcards, nagResource } from './nag';

export interface SageMakerExecutionRoleProps {
  /** The SageMaker project's name, shown in the role's description. */
  readonly projectName: string;
  /** The SageMaker project id: jobs, model packages and groups are scoped by its `sagemaker:project-id` tag. */
  readonly projectId: string;
  /** The project's artifact bucket, read and written by pipeline executions and their jobs. */
  readonly artifactBucket: s3.Bucket;
  /** The ECR repository of the training image, which jobs pull. */
  readonly trainingImageRepository: ecr.IRepository;
  /** The project's first model package group, `model-<project>`, where versions are registered. */
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
    const arn = (resource: string, resourceName: string) => sageMakerArn(this, resource, resourceName);

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      path: ROLE_PATH,
      description: `SageMaker pipeline executions of project ${props.projectName}`,
    });
    grantArtifactReadWrite(props.artifactBucket, this.role);
    props.trainingImageRepository.grantPull(this.role);
    // Jobs started by a pipeline execution pass this role on to SageMaker.
    grantPassRoleTo(this.role, this.role, 'sagemaker.amazonaws.com');

    // The seed's default input (the `s3:` data of pipeline.yaml) is AWS's sample dataset in the public bucket
    // sagemaker-servicecatalog-seedcode-<region>: PreprocessData reads it with this role.
    const sampleData = `arn:${stack.partition}:s3:::sagemaker-servicecatalog-seedcode-${stack.region}/dataset/*`;
    this.role.addToPolicy(
      new iam.PolicyStatement({ sid: 'ReadSampleDataset', actions: ['s3:GetObject'], resources: [sampleData] }),
    );
    acknowledgeWildcards(this.role, {
      [nagResource(this, sampleData)]:
        "Read-only access to AWS's sample datasets, the seed pipeline's default input (pipeline.yaml).",
    });
    const jobArns = { processing: arn('processing-job', 'pipelines-*'), training: arn('training-job', 'pipelines-*') };
    const modelPackages = arn('model-package', `${props.modelPackageGroupName}/*`);
    // SageMaker jobs log to two account-wide groups, one stream per job (isolation.ts, UNSCOPABLE): exactly those.
    const jobLogGroups = ['/aws/sagemaker/ProcessingJobs', '/aws/sagemaker/TrainingJobs'].map((name) =>
      stack.formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: name,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    );
    const jobLogs = [...jobLogGroups, ...jobLogGroups.map((group) => `${group}:*`)];
    // Job names are chosen by SageMaker Pipelines ("pipelines-<execution id>-<step>-<suffix>") and carry no project:
    // the jobs are created only tagged with this project's id (the definition's job steps set the tag) and read or
    // stopped only when they carry it (lib/constructs/isolation.ts).
    const jobs = [jobArns.processing, jobArns.training];
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'CreateOwnPipelineJobs',
        actions: ['sagemaker:CreateProcessingJob', 'sagemaker:CreateTrainingJob'],
        resources: jobs,
        conditions: ownRequest(props.projectId),
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'TagOwnPipelineJobs',
        actions: ['sagemaker:AddTags'],
        resources: jobs,
        conditions: ownRequestOnOwnOrNew(props.projectId),
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WatchOwnPipelineJobs',
        actions: [
          'sagemaker:DescribeProcessingJob',
          'sagemaker:StopProcessingJob',
          'sagemaker:DescribeTrainingJob',
          'sagemaker:StopTrainingJob',
        ],
        resources: jobs,
        conditions: ownResource(props.projectId),
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
    // Registration (attack 2): only as PendingManualApproval (sagemaker:ModelApprovalStatus, a request key of
    // CreateModelPackage), never UpdateModelPackage: this role can never approve. The new version is tagged with the
    // project id, and the group it goes into must carry it (model-package-group is a resource of CreateModelPackage):
    // "model-<project>-*" also names the groups of project "<project>-<more>" (contract 1).
    const groups = [
      arn('model-package-group', props.modelPackageGroupName),
      arn('model-package-group', `${props.modelPackageGroupName}-*`),
    ];
    const versions = [modelPackages, arn('model-package', `${props.modelPackageGroupName}-*/*`)];
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'RegisterPendingModelVersions',
        actions: ['sagemaker:CreateModelPackage'],
        resources: versions,
        conditions: {
          StringEquals: {
            ...ownRequest(props.projectId).StringEquals,
            'sagemaker:ModelApprovalStatus': 'PendingManualApproval',
          },
        },
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'RegisterIntoOwnGroups',
        actions: ['sagemaker:CreateModelPackage', 'sagemaker:DescribeModelPackageGroup'],
        resources: groups,
        conditions: ownResource(props.projectId),
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'TagOwnModelVersions',
        actions: ['sagemaker:AddTags'],
        resources: versions,
        conditions: ownRequestOnOwnOrNew(props.projectId),
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'JobLogs',
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: jobLogs,
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
      ...Object.fromEntries(
        jobLogGroups.map((group) => [
          nagResource(this, `${group}:*`),
          'SageMaker jobs write to this account-wide log group with a stream per job, named at run time.',
        ]),
      ),
      [nagResource(this, versions[1]!)]:
        "Versions of the project's further groups (model-<project>-<model>), scoped by the project id tag.",
      [nagResource(this, groups[1]!)]:
        'Groups of further models are named "model-<project>-<model>" by pipeline.yaml; scoped by the project id tag.',
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
