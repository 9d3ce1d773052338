/**
 * The `codecommit` source provider: the project's code lives in a CodeCommit repository the project creates with the
 * seed code. Branch events drive the branch automation (one pipeline stack per experiment branch), merges and pushes
 * to main drive the release automation, and the repository gets main-branch protection, the pull request report
 * and, when configured, the retrain schedule.
 */
import { CfnOutput, Duration } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { Construct } from 'constructs';
import { CodeCommitSource } from './codecommit-source';
import { ProjectBuildInputs, ProjectParts, ProjectSource } from './project-source';
import type { RetrainConfig } from '../../config';
import { BranchAutomation } from '../branch-automation';
import { BranchPipelineRoles } from '../branch-pipeline-roles';
import { MainBranchProtection } from '../main-branch-protection';
import { PullRequestReport } from '../pr-report';
import { RetrainSchedule } from '../retrain-schedule';

export interface CodeCommitProjectSourceProps {
  /** The SageMaker project name; a CloudFormation parameter in the product stack. */
  readonly projectName: string;
  /**
   * The staged seed code and the per-branch template, produced before synthesis (lib/build-inputs.ts).
   * @default - none: the constructor throws, naming the fix
   */
  readonly buildInputs?: ProjectBuildInputs;
  /** Prefix of the branches that get a pipeline of their own (context `branchPrefix`). */
  readonly branchPrefix: string;
  /** The branch whose merges and pushes release (context `mainBranch`). */
  readonly mainBranch: string;
  /** How often the branch function reconciles branches with branch stacks, in minutes (5 to 1440). */
  readonly reconcileIntervalMinutes: number;
  /**
   * At most this many branch pipelines per project.
   * @default - the branch function's default (25)
   */
  readonly maxBranchPipelines?: number;
  /**
   * The approval pool of the approval rule on the main branch (CodeCommit approval pool members).
   * @default - any member of the account with permission to approve
   */
  readonly mainApprovers?: readonly string[];
  /**
   * Approvals a pull request into main needs.
   * @default 1
   */
  readonly mainApprovalsRequired?: number;
  /**
   * Scheduled retraining of the main branch.
   * @default - no schedule
   */
  readonly retrain?: RetrainConfig;
}

export class CodeCommitProjectSource implements ProjectSource {
  /** The repository and its event rules (construct id `Source`). */
  readonly source: CodeCommitSource;
  readonly repositoryName: string;
  readonly releaseEvents: CodeCommitSource;
  /** Roles of the branch stacks; set by {@link addBranchTraining}. */
  roles?: BranchPipelineRoles;
  /** The branch function and the per-branch template; set by {@link addBranchTraining}. */
  branchAutomation?: BranchAutomation;
  /** Approval rule on main and the managed policies for data scientists and approvers; set by addEntryPoints. */
  mainBranchProtection?: MainBranchProtection;
  /** Scheduled retraining of main, when configured; set by {@link addEntryPoints}. */
  retrainSchedule?: RetrainSchedule;
  /** The model report comment on pull requests into main; set by {@link addEntryPoints}. */
  pullRequestReport?: PullRequestReport;

  private readonly branchTemplateFile: string;

  /** Creates the repository and its rules in `scope` (the product stack), with construct id `Source`. */
  constructor(
    scope: Construct,
    private readonly props: CodeCommitProjectSourceProps,
  ) {
    if (props.buildInputs === undefined) {
      throw new Error(
        'The codecommit source provider needs buildInputs (the staged seed code and the per-branch template): ' +
          'produce them before synthesis with prepareBuildInputs (lib/build-inputs.ts) and pass them as props',
      );
    }
    this.branchTemplateFile = props.buildInputs.branchTemplateFile;
    this.source = new CodeCommitSource(scope, 'Source', {
      repositoryName: `model-${props.projectName}-train`,
      description: `Training code of SageMaker project ${props.projectName}`,
      seedDirectory: props.buildInputs.seedDirectory,
      branchPrefix: props.branchPrefix,
      mainBranch: props.mainBranch,
    });
    this.repositoryName = this.source.repository.repositoryName;
    this.releaseEvents = this.source;
  }

  /** The branch pipeline's source artifact: the train build is a CodePipeline project. */
  trainBuildSource(): codebuild.ISource | undefined {
    return undefined;
  }

  /** The roles of the branch stacks and the branch automation, which creates one stack per experiment branch. */
  addBranchTraining(project: ProjectParts): void {
    const { scope, projectName, projectId, artifactBucket, trainBuild } = project;
    this.roles = new BranchPipelineRoles(scope, 'BranchPipelineRoles', {
      projectName,
      projectId,
      artifactBucket,
      repository: this.source.repository,
      buildProject: trainBuild.project,
    });
    this.branchAutomation = new BranchAutomation(scope, 'BranchAutomation', {
      projectName,
      projectId,
      source: this.source,
      branchPrefix: this.props.branchPrefix,
      templateFile: this.branchTemplateFile,
      roles: this.roles,
      buildProject: trainBuild.project,
      artifactBucket,
      reconcileInterval: Duration.minutes(this.props.reconcileIntervalMinutes),
      logRetention: project.logRetention,
      maxBranchPipelines: this.props.maxBranchPipelines,
    });
  }

  /** Main-branch protection and its policies (outputs), the retrain schedule, the pull request report. */
  addEntryPoints(project: ProjectParts): void {
    const { scope, projectName, projectId } = project;
    const { mainBranch } = this.props;
    const repository = this.source.repository;
    this.mainBranchProtection = new MainBranchProtection(scope, 'MainBranchProtection', {
      projectName,
      projectId,
      repository,
      mainBranch,
      approvers: this.props.mainApprovers ?? [],
      approvalsRequired: this.props.mainApprovalsRequired ?? 1,
      modelPackageGroupName: project.modelPackageGroupName,
    });
    new CfnOutput(scope, 'ProtectMainBranchPolicyArn', {
      value: this.mainBranchProtection.protectMainPolicy.managedPolicyArn,
      description: `Attach to every data scientist of the project: no direct write to ${mainBranch}`,
    });
    new CfnOutput(scope, 'ApproveModelsPolicyArn', {
      value: this.mainBranchProtection.approveModelsPolicy.managedPolicyArn,
      description: 'Attach only to the people who approve scheduled retrains in Studio',
    });
    if (this.props.retrain !== undefined) {
      this.retrainSchedule = new RetrainSchedule(scope, 'RetrainSchedule', {
        projectName,
        projectId,
        config: this.props.retrain,
        mainBranch,
        buildProject: project.trainBuild.project,
        buildRole: project.trainBuild.role,
        repository,
        alarmTopic: project.alarmTopic,
      });
    }
    this.pullRequestReport = new PullRequestReport(scope, 'PullRequestReport', {
      projectName,
      projectId,
      repository,
      mainBranch,
      branchPrefix: this.props.branchPrefix,
      artifactBucket: project.artifactBucket,
      logRetention: project.logRetention,
      alarmTopic: project.alarmTopic,
    });
  }
}
