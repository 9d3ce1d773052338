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
import { App, CfnOutput, CfnParameter, Duration, IPolicyValidationPlugin, RemovalPolicy, Stage } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as servicecatalog from 'aws-cdk-lib/aws-servicecatalog';
import { Construct } from 'constructs';
import { synthesizeBranchTemplate } from './branch-pipeline-stack';
import type { AppConfig } from './config';
import { AlarmTopic } from './constructs/alarm-topic';
import { ArtifactBucket } from './constructs/artifact-bucket';
import { BranchAutomation } from './constructs/branch-automation';
import { BranchPipelineRoles } from './constructs/branch-pipeline-roles';
import { CodeCommitSource, ProjectSource } from './constructs/codecommit-source';
import { PROJECT_ID_CONSTRAINT, PROJECT_ID_LENGTH, PROJECT_ID_PATTERN } from './constructs/isolation';
import { JenkinsSource } from './constructs/jenkins-source';
import { MainBranchProtection } from './constructs/main-branch-protection';
import { PullRequestReport } from './constructs/pr-report';
import { ReleaseAutomation } from './constructs/release-automation';
import { RetrainSchedule } from './constructs/retrain-schedule';
import { RegistryAccess } from './constructs/serving/registry-access';
import { SageMakerExecutionRole } from './constructs/sagemaker-execution-role';
import { TrainBuildProject } from './constructs/train-build-project';
import { stageSeedCode } from './seed-code';
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
  /** Approval rule on main and the managed policies for data scientists and approvers; CodeCommit source only. */
  readonly mainBranchProtection?: MainBranchProtection;
  /** The project's SNS topic for alarms: every alarm of the project notifies it (contract 6). */
  readonly alarmTopic: AlarmTopic;
  /** Scheduled retraining of the main branch; only with context `retrain` (CodeCommit source). */
  readonly retrainSchedule?: RetrainSchedule;
  /** Key, policies and event forwarding for serving stages in other accounts; only when such stages are configured. */
  readonly registryAccess?: RegistryAccess;
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
      allowedPattern: PROJECT_ID_PATTERN,
      constraintDescription: PROJECT_ID_CONSTRAINT,
      minLength: PROJECT_ID_LENGTH,
      maxLength: PROJECT_ID_LENGTH,
    });
    const projectName = this.projectNameParameter.valueAsString;
    const projectId = this.projectIdParameter.valueAsString;
    const logRetention = config.logRetentionDays as logs.RetentionDays;
    const outdir = Stage.of(this)?.outdir ?? '.';

    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', { projectName, email: config.alarmEmail });
    this.alarmTopic.notifyAllAlarmsIn(this);

    const jenkins = config.sourceProvider === 'external-ci';
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
      source: jenkins ? JenkinsSource.buildSource(this.artifactBucket) : undefined,
      concurrentBuildLimit: config.concurrentBuildLimit,
      warehouse: config.warehouse,
    });

    const releaseAutomation = () => {
      const automation = new ReleaseAutomation(this, 'ReleaseAutomation', {
        projectName,
        source: this.source,
        mainBranch: config.mainBranch,
        modelPackageGroupName,
        intentTtlDays: config.intentTtlDays,
        logRetention,
        projectId,
        artifactBucket: this.artifactBucket,
        approveOnPushToMain: config.approveOnPushToMain,
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
        releasePrincipal: config.ci?.releasePrincipal,
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
      maxBranchPipelines: config.maxBranchPipelines,
    });

    this.releaseAutomation = releaseAutomation();

    this.mainBranchProtection = new MainBranchProtection(this, 'MainBranchProtection', {
      projectName,
      projectId,
      repository: this.source.repository,
      mainBranch: config.mainBranch,
      approvers: config.mainApprovers ?? [],
      approvalsRequired: config.mainApprovalsRequired ?? 1,
      modelPackageGroupName,
    });
    new CfnOutput(this, 'ProtectMainBranchPolicyArn', {
      value: this.mainBranchProtection.protectMainPolicy.managedPolicyArn,
      description: `Attach to every data scientist of the project: no direct write to ${config.mainBranch}`,
    });
    new CfnOutput(this, 'ApproveModelsPolicyArn', {
      value: this.mainBranchProtection.approveModelsPolicy.managedPolicyArn,
      description: 'Attach only to the people who approve scheduled retrains in Studio',
    });
    if (config.retrain !== undefined) {
      this.retrainSchedule = new RetrainSchedule(this, 'RetrainSchedule', {
        projectName,
        projectId,
        config: config.retrain,
        mainBranch: config.mainBranch,
        buildProject: this.trainBuild.project,
        buildRole: this.trainBuild.role,
        repository: this.source.repository,
        alarmTopic: this.alarmTopic.topic,
      });
    }

    this.pullRequestReport = new PullRequestReport(this, 'PullRequestReport', {
      projectName,
      projectId,
      repository: this.source.repository,
      mainBranch: config.mainBranch,
      branchPrefix: config.branchPrefix,
      artifactBucket: this.artifactBucket,
      logRetention,
      alarmTopic: this.alarmTopic.topic,
    });
  }
}
