/**
 * The Service Catalog product stack: what SageMaker provisions for each project created from the product.
 *
 * SageMaker passes `SageMakerProjectName` and `SageMakerProjectId`; everything else is configuration fixed at synth.
 * The stack composes: the source (CodeCommit repository with the seed code, and its event rules), the model package
 * group, the artifact bucket, the shared train build project, the roles the branch stacks reuse, the branch
 * automation (branch Lambda + per-branch template asset) and the release automation (release Lambda).
 */
import * as path from 'node:path';
import { App, CfnParameter, Duration, IPolicyValidationPlugin, Stage } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as servicecatalog from 'aws-cdk-lib/aws-servicecatalog';
import { Construct } from 'constructs';
import { synthesizeBranchTemplate } from './branch-pipeline-stack';
import type { AppConfig } from './config';
import { ArtifactBucket } from './constructs/artifact-bucket';
import { BranchAutomation } from './constructs/branch-automation';
import { BranchPipelineRoles } from './constructs/branch-pipeline-roles';
import { CodeCommitSource, ProjectSource } from './constructs/codecommit-source';
import { ReleaseAutomation } from './constructs/release-automation';
import { SageMakerExecutionRole } from './constructs/sagemaker-execution-role';
import { TrainBuildProject } from './constructs/train-build-project';
import { stageSeedCode } from './seed-code';

/** SageMaker's constraints on the two parameters it passes (CreateProject ProjectName and the service's id). */
export const PROJECT_NAME_PARAMETER = 'SageMakerProjectName';
export const PROJECT_ID_PARAMETER = 'SageMakerProjectId';
export const PROJECT_NAME_ALLOWED_PATTERN = '^[a-zA-Z](-*[a-zA-Z0-9])*';

/** The file names, in the app's output directory, of the per-branch template and the staged seed code. */
export const BRANCH_TEMPLATE_FILE = 'BranchPipeline.template.json';
export const SEED_CODE_DIR = 'seed-code';

export type ProjectConfig = Pick<
  AppConfig,
  'sourceProvider' | 'branchPrefix' | 'mainBranch' | 'reconcileIntervalMinutes' | 'intentTtlDays' | 'logRetentionDays'
>;

export interface ProjectProductStackProps {
  readonly config: ProjectConfig;
  /** Receives the stack's assets (Lambda code, seed code, the per-branch template); must have a literal name. */
  readonly assetBucket: s3.IBucket;
  /** Name of the baseline's ECR repository of training and processing images. */
  readonly trainingImageRepositoryName: string;
  /**
   * Creates the policy validation plugins (cdk-nag) that also check the per-branch template, which is synthesized in
   * an app of its own.
   * @default - the per-branch template is not checked
   */
  readonly branchTemplateValidation?: (app: App) => IPolicyValidationPlugin[];
}

export class ProjectProductStack extends servicecatalog.ProductStack {
  readonly projectNameParameter: CfnParameter;
  readonly projectIdParameter: CfnParameter;
  readonly source: ProjectSource;
  readonly artifactBucket: s3.Bucket;
  readonly modelPackageGroup: sagemaker.CfnModelPackageGroup;
  readonly trainBuild: TrainBuildProject;
  readonly roles: BranchPipelineRoles;
  readonly branchAutomation: BranchAutomation;
  readonly releaseAutomation: ReleaseAutomation;

  constructor(scope: Construct, id: string, props: ProjectProductStackProps) {
    super(scope, id, {
      assetBucket: props.assetBucket,
      description: 'multibranch-mlops: a SageMaker project with one training pipeline per experiment branch',
      analyticsReporting: false,
    });
    const { config } = props;
    if (config.sourceProvider !== 'codecommit') {
      throw new Error(
        `sourceProvider "${config.sourceProvider}" is not supported yet: the project template supports "codecommit" only`,
      );
    }

    this.projectNameParameter = new CfnParameter(this, PROJECT_NAME_PARAMETER, {
      type: 'String',
      description: 'Name of the SageMaker project (set by SageMaker).',
      allowedPattern: PROJECT_NAME_ALLOWED_PATTERN,
      minLength: 1,
      maxLength: 32,
    });
    this.projectIdParameter = new CfnParameter(this, PROJECT_ID_PARAMETER, {
      type: 'String',
      description: 'Id of the SageMaker project (set by SageMaker).',
      minLength: 1,
      maxLength: 16,
    });
    const projectName = this.projectNameParameter.valueAsString;
    const projectId = this.projectIdParameter.valueAsString;
    const logRetention = config.logRetentionDays as logs.RetentionDays;
    const outdir = Stage.of(this)?.outdir ?? '.';

    this.source = new CodeCommitSource(this, 'Source', {
      repositoryName: `model-${projectName}-train`,
      description: `Training code of SageMaker project ${projectName}`,
      seedDirectory: stageSeedCode(path.join(outdir, SEED_CODE_DIR)),
      branchPrefix: config.branchPrefix,
      mainBranch: config.mainBranch,
    });

    const modelPackageGroupName = `model-${projectName}`;
    this.modelPackageGroup = new sagemaker.CfnModelPackageGroup(this, 'ModelPackageGroup', {
      modelPackageGroupName,
      modelPackageGroupDescription: `Models trained in SageMaker project ${projectName}`,
    });

    this.artifactBucket = new ArtifactBucket(this, 'Artifacts').bucket;

    const executionRole = new SageMakerExecutionRole(this, 'SageMakerExecution', {
      projectName,
      artifactBucket: this.artifactBucket,
      trainingImageRepository: ecr.Repository.fromRepositoryName(
        this,
        'TrainingImages',
        props.trainingImageRepositoryName,
      ),
      modelPackageGroupName,
    });

    this.trainBuild = new TrainBuildProject(this, 'TrainBuild', {
      projectName,
      projectId,
      artifactBucket: this.artifactBucket,
      modelPackageGroupName,
      sageMakerExecutionRole: executionRole.role,
      logRetention,
    });

    this.roles = new BranchPipelineRoles(this, 'BranchPipelineRoles', {
      projectName,
      projectId,
      artifactBucket: this.artifactBucket,
      repository: this.source.repository,
      buildProject: this.trainBuild.project,
    });

    this.branchAutomation = new BranchAutomation(this, 'BranchAutomation', {
      projectName,
      projectId,
      source: this.source,
      branchPrefix: config.branchPrefix,
      templateFile: synthesizeBranchTemplate(path.join(outdir, BRANCH_TEMPLATE_FILE), {
        validationPlugins: props.branchTemplateValidation,
      }),
      roles: this.roles,
      buildProject: this.trainBuild.project,
      artifactBucket: this.artifactBucket,
      reconcileInterval: Duration.minutes(config.reconcileIntervalMinutes),
      logRetention,
    });

    this.releaseAutomation = new ReleaseAutomation(this, 'ReleaseAutomation', {
      projectName,
      source: this.source,
      mainBranch: config.mainBranch,
      modelPackageGroupName,
      intentTtlDays: config.intentTtlDays,
      logRetention,
    });
    this.releaseAutomation.node.addDependency(this.modelPackageGroup);
  }
}
