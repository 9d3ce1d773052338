/**
 * The Service Catalog product stack: what SageMaker provisions for each project created from the product.
 *
 * SageMaker passes `SageMakerProjectName` and `SageMakerProjectId`; everything else is configuration fixed at synth.
 * The stack composes the parts every project has (alarm topic, model package group, artifact bucket, execution role,
 * the shared train build, the release automation) and asks its source (lib/constructs/source/, a strategy chosen by
 * `sourceProvider`) for the rest: the repository, how branches get trained, and the entry points people and CI use.
 *
 * Constructing it writes no file: the seed code and the per-branch template are built before synthesis
 * (lib/build-inputs.ts) and passed in as `buildInputs`.
 */
import { CfnParameter, RemovalPolicy } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as servicecatalog from 'aws-cdk-lib/aws-servicecatalog';
import { Construct } from 'constructs';
import type { AppConfig } from './config';
import { AlarmTopic } from './constructs/alarm-topic';
import { ArtifactBucket } from './constructs/artifact-bucket';
import { PROJECT_ID_CONSTRAINT, PROJECT_ID_LENGTH, PROJECT_ID_PATTERN } from './constructs/isolation';
import { ReleaseAutomation } from './constructs/release-automation';
import { RegistryAccess } from './constructs/serving/registry-access';
import { SageMakerExecutionRole } from './constructs/sagemaker-execution-role';
import { createProjectSource, ProjectBuildInputs, ProjectParts, ProjectSource } from './constructs/source';
import { TrainBuildProject } from './constructs/train-build-project';
import { PROJECT_NAME_PATTERN, TAG_PROJECT_ID, TAG_PROJECT_NAME } from '../contracts/naming';

/** The two parameters SageMaker passes (CreateProject ProjectName and the service's id). */
export const PROJECT_NAME_PARAMETER = 'SageMakerProjectName';
export const PROJECT_ID_PARAMETER = 'SageMakerProjectId';
/**
 * SageMaker's constraint on project names (CreateProject ProjectName), so every name Studio accepts provisions
 * (`Churn`, `1churn`). Names derived from it keep its case where the service accepts it (repository, functions,
 * model package groups); IAM scopes SageMaker resources (whose ARNs SageMaker lower-cases) by the project id.
 */
export const PROJECT_NAME_ALLOWED_PATTERN = PROJECT_NAME_PATTERN.source;
export const PROJECT_NAME_CONSTRAINT =
  'Use letters, digits and hyphens, starting with a letter or digit, at most 32 characters (SageMaker project names).';

export type ProjectConfig = Pick<
  AppConfig,
  | 'sourceProvider'
  | 'ci'
  | 'branchPrefix'
  | 'mainBranch'
  | 'reconcileIntervalMinutes'
  | 'intentTtlDays'
  | 'logRetentionDays'
  | 'serving'
  | 'retrain'
  | 'warehouse'
> &
  Partial<
    Pick<
      AppConfig,
      | 'alarmEmail'
      | 'maxBranchPipelines'
      | 'concurrentBuildLimit'
      | 'mainApprovers'
      | 'mainApprovalsRequired'
      | 'approveOnPushToMain'
    >
  >;

export interface ProjectProductStackProps {
  /** The project's configuration (context keys, validated by lib/config.ts). */
  readonly config: ProjectConfig;
  /** Receives the stack's assets (Lambda code, seed code, the per-branch template); must have a literal name. */
  readonly assetBucket: s3.IBucket;
  /** Name of the baseline's ECR repository of training and processing images. */
  readonly trainingImageRepositoryName: string;
  /**
   * The seed code and the per-branch template, built before synthesis by `prepareBuildInputs` (lib/build-inputs.ts).
   * Required by the `codecommit` source provider.
   * @default - none: a provider that needs them throws, naming the fix
   */
  readonly buildInputs?: ProjectBuildInputs;
}

export class ProjectProductStack extends servicecatalog.ProductStack {
  /** `SageMakerProjectName`, set by SageMaker. */
  readonly projectNameParameter: CfnParameter;
  /** `SageMakerProjectId`, set by SageMaker. */
  readonly projectIdParameter: CfnParameter;
  /** The project's source: the strategy of the configured source provider (lib/constructs/source/). */
  readonly source: ProjectSource;
  /** The project's artifact bucket. */
  readonly artifactBucket: s3.Bucket;
  /** The project's first model package group, `model-<project>`, retained with the project. */
  readonly modelPackageGroup: sagemaker.CfnModelPackageGroup;
  /** The shared train build `model-<project>-train`. */
  readonly trainBuild: TrainBuildProject;
  /** The release function, its tables and rules. */
  readonly releaseAutomation: ReleaseAutomation;
  /** The project's SNS topic for alarms: every alarm of the project notifies it (contract 6). */
  readonly alarmTopic: AlarmTopic;
  /** Key, policies and event forwarding for serving stages in other accounts; only when such stages are configured. */
  readonly registryAccess?: RegistryAccess;

  constructor(scope: Construct, id: string, props: ProjectProductStackProps) {
    super(scope, id, {
      assetBucket: props.assetBucket,
      description: 'multibranch-mlops: a SageMaker project with one training pipeline per experiment branch',
      analyticsReporting: false,
    });
    const { config } = props;

    this.projectNameParameter = new CfnParameter(this, PROJECT_NAME_PARAMETER, {
      type: 'String',
      description: 'Name of the SageMaker project (set by SageMaker).',
      allowedPattern: PROJECT_NAME_ALLOWED_PATTERN,
      constraintDescription: PROJECT_NAME_CONSTRAINT,
      minLength: 1,
      maxLength: 32,
    });
    this.projectIdParameter = new CfnParameter(this, PROJECT_ID_PARAMETER, {
      type: 'String',
      description: 'Id of the SageMaker project (set by SageMaker).',
      allowedPattern: PROJECT_ID_PATTERN,
      constraintDescription: PROJECT_ID_CONSTRAINT,
      minLength: PROJECT_ID_LENGTH,
      maxLength: PROJECT_ID_LENGTH,
    });
    const projectName = this.projectNameParameter.valueAsString;
    const projectId = this.projectIdParameter.valueAsString;
    const logRetention = config.logRetentionDays as logs.RetentionDays;

    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', { projectName, email: config.alarmEmail });
    this.alarmTopic.notifyAllAlarmsIn(this);

    // First, so the repository exists before anything names it (and the template keeps its resource order).
    this.source = createProjectSource(this, config.sourceProvider, {
      projectName,
      config,
      buildInputs: props.buildInputs,
    });

    const modelPackageGroupName = `model-${projectName}`;
    this.modelPackageGroup = new sagemaker.CfnModelPackageGroup(this, 'ModelPackageGroup', {
      modelPackageGroupName,
      modelPackageGroupDescription: `Models trained in SageMaker project ${projectName}`,
      // Contract 1: every group carries the project's tags; the roles reach groups by the id tag.
      tags: [
        { key: TAG_PROJECT_NAME, value: projectName },
        { key: TAG_PROJECT_ID, value: projectId },
      ],
    });
    // Retention (attack 8): the registry outlives the project (docs/security.md).
    this.modelPackageGroup.applyRemovalPolicy(RemovalPolicy.RETAIN);

    this.artifactBucket = new ArtifactBucket(this, 'Artifacts').bucket;

    const stageAccounts = (config.serving?.stages ?? [])
      .map((stage) => stage.account)
      .filter((account) => account !== config.serving?.registryAccount);
    if (stageAccounts.length > 0) {
      this.registryAccess = new RegistryAccess(this, 'ServingAccess', {
        projectName,
        modelPackageGroup: this.modelPackageGroup,
        modelPackageGroupName,
        artifactBucket: this.artifactBucket,
        stageAccounts,
      });
    }

    const executionRole = new SageMakerExecutionRole(this, 'SageMakerExecution', {
      projectName,
      projectId,
      artifactBucket: this.artifactBucket,
      trainingImageRepository: ecr.Repository.fromRepositoryName(
        this,
        'TrainingImages',
        props.trainingImageRepositoryName,
      ),
      modelPackageGroupName,
      warehouse: config.warehouse,
    });

    this.trainBuild = new TrainBuildProject(this, 'TrainBuild', {
      projectName,
      projectId,
      artifactBucket: this.artifactBucket,
      modelPackageGroupName,
      sageMakerExecutionRole: executionRole.role,
      logRetention,
      source: this.source.trainBuildSource(this.artifactBucket),
      concurrentBuildLimit: config.concurrentBuildLimit,
      warehouse: config.warehouse,
    });

    const parts: ProjectParts = {
      scope: this,
      projectName,
      projectId,
      modelPackageGroupName,
      artifactBucket: this.artifactBucket,
      trainBuild: this.trainBuild,
      alarmTopic: this.alarmTopic.topic,
      logRetention,
    };
    this.source.addBranchTraining(parts);

    this.releaseAutomation = new ReleaseAutomation(this, 'ReleaseAutomation', {
      projectName,
      repositoryName: this.source.repositoryName,
      releaseEvents: this.source.releaseEvents,
      mainBranch: config.mainBranch,
      modelPackageGroupName,
      intentTtlDays: config.intentTtlDays,
      logRetention,
      projectId,
      artifactBucket: this.artifactBucket,
      approveOnPushToMain: config.approveOnPushToMain,
    });
    this.releaseAutomation.node.addDependency(this.modelPackageGroup);

    this.source.addEntryPoints(parts, { releaseFunction: this.releaseAutomation.handler.function });
  }
}
