/**
 * The Service Catalog product stack: what SageMaker provisions for each project created from the product.
 *
 * SageMaker passes `SageMakerProjectName` and `SageMakerProjectId`; everything else is configuration fixed at synth.
 * The stack composes: the source (CodeCommit repository with the seed code, and its event rules), the model package
 * group, the artifact bucket, the shared train build project, the roles the branch stacks reuse, the branch
 * automation (branch Lambda + per-branch template asset) and the release automation (release Lambda).
 *
 * With the source provider `jenkins`, the code lives outside CodeCommit: no repository and no branch automation; the
 * train build takes a source archive CI uploads, and the JenkinsSource construct adds the CI roles, the Studio
 * repository association and the outputs CI is configured from.
 */
import * as path from 'node:path';
import { App, CfnOutput, CfnParameter, Duration, IPolicyValidationPlugin, Stage } from 'aws-cdk-lib';
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
import { JenkinsSource } from './constructs/jenkins-source';
import { PullRequestReport } from './constructs/pr-report';
import { ReleaseAutomation } from './constructs/release-automation';
import { SageMakerExecutionRole } from './constructs/sagemaker-execution-role';
import { TrainBuildProject } from './constructs/train-build-project';
import { stageSeedCode } from './seed-code';

/** The two parameters SageMaker passes (CreateProject ProjectName and the service's id). */
export const PROJECT_NAME_PARAMETER = 'SageMakerProjectName';
export const PROJECT_ID_PARAMETER = 'SageMakerProjectId';
/**
 * SageMaker's constraint on project names, narrowed to lower case: SageMaker lower-cases pipeline names in ARNs and
 * IAM compares ARNs case-sensitively, so the roles' `pipeline/<project>-*` resources would never match the pipelines
 * of a project named with upper-case letters (AccessDenied at the first build). Provisioning refuses such a name.
 */
export const PROJECT_NAME_ALLOWED_PATTERN = '^[a-z](-*[a-z0-9]){0,31}$';
export const PROJECT_NAME_CONSTRAINT =
  'Use lower-case letters, digits and hyphens, starting with a letter (at most 32 characters): SageMaker ' +
  'lower-cases pipeline names in ARNs, so the permissions of a project with upper-case letters in its name ' +
  'would not match its pipelines.';

/** The file names, in the app's output directory, of the per-branch template and the staged seed code. */
export const BRANCH_TEMPLATE_FILE = 'BranchPipeline.template.json';
export const SEED_CODE_DIR = 'seed-code';

export type ProjectConfig = Pick<
  AppConfig,
  | 'sourceProvider'
  | 'ci'
  | 'branchPrefix'
  | 'mainBranch'
  | 'reconcileIntervalMinutes'
  | 'intentTtlDays'
  | 'logRetentionDays'
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
  /** The CodeCommit source; undefined with the `jenkins` source provider. */
  readonly source?: ProjectSource;
  readonly artifactBucket: s3.Bucket;
  readonly modelPackageGroup: sagemaker.CfnModelPackageGroup;
  readonly trainBuild: TrainBuildProject;
  /** Roles of the branch stacks; undefined with the `jenkins` source provider. */
  readonly roles?: BranchPipelineRoles;
  /** Undefined with the `jenkins` source provider: CI builds branches itself. */
  readonly branchAutomation?: BranchAutomation;
  readonly releaseAutomation: ReleaseAutomation;
  /** CI roles and the Studio repository association; only with the `jenkins` source provider. */
  readonly jenkinsSource?: JenkinsSource;
  /** The model report comment on pull requests into main; only with the CodeCommit source (GitHub: the workflow). */
  readonly pullRequestReport?: PullRequestReport;

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
      minLength: 1,
      maxLength: 16,
    });
    const projectName = this.projectNameParameter.valueAsString;
    const projectId = this.projectIdParameter.valueAsString;
    const logRetention = config.logRetentionDays as logs.RetentionDays;
    const outdir = Stage.of(this)?.outdir ?? '.';

    const jenkins = config.sourceProvider === 'jenkins';
    if (!jenkins) {
      this.source = new CodeCommitSource(this, 'Source', {
        repositoryName: `model-${projectName}-train`,
        description: `Training code of SageMaker project ${projectName}`,
        seedDirectory: stageSeedCode(path.join(outdir, SEED_CODE_DIR)),
        branchPrefix: config.branchPrefix,
        mainBranch: config.mainBranch,
      });
    }

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
      source: jenkins ? JenkinsSource.buildSource(this.artifactBucket) : undefined,
    });

    const releaseAutomation = () => {
      const automation = new ReleaseAutomation(this, 'ReleaseAutomation', {
        projectName,
        source: this.source,
        mainBranch: config.mainBranch,
        modelPackageGroupName,
        intentTtlDays: config.intentTtlDays,
        logRetention,
      });
      automation.node.addDependency(this.modelPackageGroup);
      return automation;
    };

    if (this.source === undefined) {
      this.releaseAutomation = releaseAutomation();
      this.jenkinsSource = new JenkinsSource(this, 'JenkinsSource', {
        projectName,
        projectId,
        artifactBucket: this.artifactBucket,
        releaseFunction: this.releaseAutomation.handler.function,
        project: this.trainBuild.project,
        logGroup: this.trainBuild.logGroup,
        principal: config.ci?.principal ?? { kind: 'account' },
        branchPrefix: config.branchPrefix,
        mainBranch: config.mainBranch,
        repositoryUrl: config.ci?.repositoryUrl,
      });
      const output = (id: string, value: string, description: string) =>
        new CfnOutput(this, id, { value, description });
      output('CiTrainRoleArn', this.jenkinsSource.trainRole.roleArn, 'Role CI assumes to train a branch');
      output('CiReleaseRoleArn', this.jenkinsSource.releaseRole.roleArn, 'Role CI assumes to release a merge');
      output('CiSourceBucketName', this.artifactBucket.bucketName, 'Bucket CI uploads source archives to (ci-source/)');
      output('TrainBuildProjectName', this.trainBuild.project.projectName, 'CodeBuild project CI starts');
      output('ReleaseFunctionName', this.releaseAutomation.handler.function.functionName, 'Function CI invokes');
      output('CiReportRoleArn', this.jenkinsSource.reportRole.roleArn, 'Role the pull request report job assumes');
      output('ProjectId', projectId, 'SageMaker project id (the report checks group membership by it)');
      return;
    }

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

    this.releaseAutomation = releaseAutomation();

    this.pullRequestReport = new PullRequestReport(this, 'PullRequestReport', {
      projectName,
      projectId,
      repository: this.source.repository,
      mainBranch: config.mainBranch,
      branchPrefix: config.branchPrefix,
      artifactBucket: this.artifactBucket,
      logRetention,
    });
  }
}
