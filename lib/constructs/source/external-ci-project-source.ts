/**
 * The `external-ci` source provider (formerly `jenkins`): the project's code lives in an outside repository and
 * Jenkins or GitHub Actions builds it. No repository, no branch automation, no source events: the train build reads
 * a source archive CI uploads, CI invokes the release function itself, and the project adds the CI roles, the Studio
 * association of the repository and the outputs CI is configured from (docs/external-ci.md).
 */
import { CfnOutput } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CiPrincipal } from './ci-principal';
import { ExternalCiSource, validateExternalCiSettings } from './external-ci-source';
import { ProjectParts, ProjectSource, ReleaseEntry } from './project-source';

export interface ExternalCiProjectSourceProps {
  /** The SageMaker project name; a CloudFormation parameter in the product stack. */
  readonly projectName: string;
  /** Who assumes the CI roles (context `ciPrincipalArn`, `githubRepository`, or neither: the account). */
  readonly principal: CiPrincipal;
  /**
   * Who assumes the release role, when not `principal` (context `ciReleasePrincipalArn`).
   * @default - `principal`
   */
  readonly releasePrincipal?: CiPrincipal;
  /** Prefix of the branches that train (context `branchPrefix`). */
  readonly branchPrefix: string;
  /** The branch whose updates release (context `mainBranch`). */
  readonly mainBranch: string;
  /**
   * The repository's HTTPS clone URL, shown in Studio (context `repositoryUrl`).
   * @default - https://github.com/<owner>/<repo>.git for GitHub OIDC; none otherwise
   */
  readonly repositoryUrl?: string;
}

export class ExternalCiProjectSource implements ProjectSource {
  readonly repositoryName: string;
  /** The CI roles and the Studio association (construct id `JenkinsSource`); set by {@link addEntryPoints}. */
  ciSource?: ExternalCiSource;

  /** Checks the CI settings; creates nothing until the project asks for its entry points. */
  constructor(private readonly props: ExternalCiProjectSourceProps) {
    validateExternalCiSettings(props);
    this.repositoryName = `model-${props.projectName}-train`;
  }

  /** A source archive CI uploads under `ci-source/` of the artifact bucket. */
  trainBuildSource(artifactBucket: s3.IBucket): codebuild.ISource {
    return ExternalCiSource.buildSource(artifactBucket);
  }

  /** Nothing: CI builds branches itself, starting the train build with its archive. */
  addBranchTraining(): void {}

  /** The CI roles, the Studio association and the outputs CI is configured from. */
  addEntryPoints(project: ProjectParts, release: ReleaseEntry): void {
    const { scope, artifactBucket, trainBuild } = project;
    // The construct id of the releases when the provider was named `jenkins`: it keeps the roles' logical ids, so an
    // upgrade keeps the role ARNs CI is configured with.
    this.ciSource = new ExternalCiSource(scope, 'JenkinsSource', {
      projectName: project.projectName,
      projectId: project.projectId,
      artifactBucket,
      releaseFunction: release.releaseFunction,
      project: trainBuild.project,
      logGroup: trainBuild.logGroup,
      principal: this.props.principal,
      releasePrincipal: this.props.releasePrincipal,
      branchPrefix: this.props.branchPrefix,
      mainBranch: this.props.mainBranch,
      repositoryUrl: this.props.repositoryUrl,
    });
    const output = (id: string, value: string, description: string) => new CfnOutput(scope, id, { value, description });
    output('CiTrainRoleArn', this.ciSource.trainRole.roleArn, 'Role CI assumes to train a branch');
    output('CiReleaseRoleArn', this.ciSource.releaseRole.roleArn, 'Role CI assumes to release a merge');
    output('CiSourceBucketName', artifactBucket.bucketName, 'Bucket CI uploads source archives to (ci-source/)');
    output('TrainBuildProjectName', trainBuild.project.projectName, 'CodeBuild project CI starts');
    output('ReleaseFunctionName', release.releaseFunction.functionName, 'Function CI invokes');
    output('CiReportRoleArn', this.ciSource.reportRole.roleArn, 'Role the pull request report job assumes');
    output('ProjectId', project.projectId, 'SageMaker project id (the report checks group membership by it)');
  }
}
