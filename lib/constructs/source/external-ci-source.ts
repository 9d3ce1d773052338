/**
 * What a project whose code lives outside CodeCommit (source provider `external-ci`: Jenkins or GitHub Actions)
 * needs instead of the CodeCommit repository and the branch automation, beside the project's train build
 * `model-<project>-train` (which builds a source archive CI uploads, {@link ExternalCiSource.buildSource}): IAM roles
 * for the CI system, with no IAM user and no access key, and the Studio association of the repository.
 *
 * - the train role uploads under `ci-source/`, starts and reads builds of that one project, and reads their logs;
 * - the release role invokes the release function, nothing else.
 *
 * The train role is assumable by one principal from configuration: an IAM role or user ARN (Jenkins' own identity),
 * this account (principals its administrators allow to assume them), or GitHub's OIDC provider. The release role
 * never shares an IAM principal with it: with an IAM principal the release role trusts a principal of its own
 * (`releasePrincipal`, context `ciReleasePrincipalArn`); with GitHub OIDC the train role trusts only the repository's
 * experiment branches and the release role only its main branch; so a build of an experiment branch cannot approve.
 *
 * Studio lists a project's repositories from SageMaker code repositories tagged with the project; when a repository
 * URL is known, an `AWS::SageMaker::CodeRepository` so tagged associates it.
 */
import { Duration, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { CiPrincipal, ciPrincipals, ciReportPrincipal, validateCiPrincipals } from './ci-principal';
import { ROLE_PATH } from '../monitored-function';
import { acknowledgeWildcards, nagResource } from '../nag';
import { grantReportRead } from '../pr-report';
import { assertBranchName, assertProjectName, TAG_PROJECT_ID, TAG_PROJECT_NAME } from '../../../contracts/naming';
import { HTTPS_URL_PATTERN } from '../../../contracts/patterns';

/** Where CI uploads source archives in the artifact bucket: `ci-source/<branch>--<hash>/<commit>.zip`. */
export const CI_SOURCE_PREFIX = 'ci-source/';

/** The settings of an external CI source that come from configuration, checked before anything is created. */
export type ExternalCiSettings = Pick<
  ExternalCiSourceProps,
  'projectName' | 'principal' | 'releasePrincipal' | 'branchPrefix' | 'mainBranch' | 'repositoryUrl'
>;

export interface ExternalCiSourceProps {
  /** The SageMaker project name; may be a CloudFormation parameter. */
  readonly projectName: string;
  /** The SageMaker project id; may be a CloudFormation parameter. */
  readonly projectId: string;
  /** The project's artifact bucket: CI uploads source archives under `ci-source/`. */
  readonly artifactBucket: s3.IBucket;
  /** The release function `release-model-package-<project>`, which the release role may invoke. */
  readonly releaseFunction: lambda.IFunction;
  /**
   * The project's train build `model-<project>-train`, whose source is {@link ExternalCiSource.buildSource}; its role is
   * granted read on `ci-source/`.
   */
  readonly project: codebuild.IProject;
  /** The train build's log group, which CI reads. */
  readonly logGroup: logs.ILogGroup;
  /** Who assumes the CI roles (the train role, and the release role unless `releasePrincipal` is given). */
  readonly principal: CiPrincipal;
  /**
   * Who assumes the release role, when not `principal`. Required when `principal` is an IAM principal: branch builds
   * (Jenkinsfiles of any branch) run as that principal, so it must not be able to approve.
   * @default - `principal` (the account, or GitHub OIDC restricted to the main branch)
   */
  readonly releasePrincipal?: CiPrincipal;
  /**
   * Prefix of the branches that train; with GitHub OIDC, the train role trusts only branches under it.
   * @default 'experiment/'
   */
  readonly branchPrefix?: string;
  /**
   * The branch whose updates release; with GitHub OIDC, the release role trusts only it.
   * @default 'main'
   */
  readonly mainBranch?: string;
  /**
   * The repository's HTTPS clone URL, shown in Studio as the project's repository.
   * @default - https://github.com/<owner>/<repo>.git for GitHub OIDC; no repository association for an IAM principal
   */
  readonly repositoryUrl?: string;
}

const BRANCH_PREFIX = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*\/$/;

/** Throws, naming the prop and the fix, on settings that would build a wrong or unsafe CI integration. */
export function validateExternalCiSettings(props: ExternalCiSettings): void {
  if (!Token.isUnresolved(props.projectName)) assertProjectName(props.projectName);
  validateCiPrincipals(props.principal, props.releasePrincipal);
  if (props.branchPrefix !== undefined && !BRANCH_PREFIX.test(props.branchPrefix)) {
    throw new Error(
      `branchPrefix ${JSON.stringify(props.branchPrefix)} must be path segments of [A-Za-z0-9._-] ending with "/"`,
    );
  }
  if (props.mainBranch !== undefined) {
    assertBranchName(props.mainBranch);
    if (/[*?[\]]/.test(props.mainBranch)) {
      throw new Error(`mainBranch ${JSON.stringify(props.mainBranch)} must not hold wildcard characters`);
    }
  }
  if (props.repositoryUrl !== undefined && !Token.isUnresolved(props.repositoryUrl)) {
    if (!HTTPS_URL_PATTERN.test(props.repositoryUrl)) {
      throw new Error(`repositoryUrl ${JSON.stringify(props.repositoryUrl)} must be an https:// URL`);
    }
  }
}

export class ExternalCiSource extends Construct {
  /**
   * The source of the train build: an archive in the artifact bucket. Every build overrides the location with its
   * own `ci-source/<branch>--<hash>/<commit>.zip`; a build started without an override fails on this missing object
   * instead of building something else.
   */
  static buildSource(artifactBucket: s3.IBucket): codebuild.ISource {
    return codebuild.Source.s3({ bucket: artifactBucket, path: `${CI_SOURCE_PREFIX}override-required.zip` });
  }

  /** Uploads source archives, starts and reads builds and their logs. */
  readonly trainRole: iam.Role;
  /** Invokes the release function. */
  readonly releaseRole: iam.Role;
  /**
   * Reads the pull request report (SageMaker and the artifact bucket, read-only, this project only): assumed by the
   * workflow's `report` job, which runs on pull requests (GitHub OIDC subject `repo:<owner>/<repo>:pull_request`).
   */
  readonly reportRole: iam.Role;
  /** The Studio association, when a repository URL is known. */
  readonly codeRepository?: sagemaker.CfnCodeRepository;

  constructor(scope: Construct, id: string, props: ExternalCiSourceProps) {
    validateExternalCiSettings(props); // before super(): bad configuration adds nothing to the tree
    super(scope, id);
    const branchPrefix = props.branchPrefix ?? 'experiment/';
    const mainBranch = props.mainBranch ?? 'main';
    const buildRole = props.project.role;
    if (buildRole === undefined) throw new Error('project must have a service role (its build reads ci-source/)');

    const sourceObjects = props.artifactBucket.arnForObjects(`${CI_SOURCE_PREFIX}*`);
    buildRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadSourceArchives',
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [sourceObjects],
      }),
    );
    props.artifactBucket.encryptionKey?.grantDecrypt(buildRole);

    const [trainPrincipal, defaultReleasePrincipal] = ciPrincipals(this, props.principal, branchPrefix, mainBranch);
    const releasePrincipal =
      props.releasePrincipal?.kind === 'iam'
        ? new iam.ArnPrincipal(props.releasePrincipal.arn)
        : defaultReleasePrincipal;
    this.trainRole = new iam.Role(this, 'TrainRole', {
      assumedBy: trainPrincipal,
      description: `CI of project ${props.projectName}: uploads sources and runs its train builds`,
      maxSessionDuration: Duration.hours(1),
      path: ROLE_PATH,
    });
    this.trainRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'UploadSourceArchives',
        // Exactly what `aws s3 cp` needs, single or multipart; grantPut would add object lock and tagging actions.
        actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
        resources: [sourceObjects],
      }),
    );
    props.artifactBucket.encryptionKey?.grantEncrypt(this.trainRole);
    this.trainRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'StartAndReadTrainBuilds',
        actions: ['codebuild:StartBuild', 'codebuild:BatchGetBuilds'],
        resources: [props.project.projectArn],
      }),
    );
    props.logGroup.grant(this.trainRole, 'logs:GetLogEvents');

    this.releaseRole = new iam.Role(this, 'ReleaseRole', {
      assumedBy: releasePrincipal,
      description: `CI of project ${props.projectName}: asks the release function to approve a merged model`,
      maxSessionDuration: Duration.hours(1),
      path: ROLE_PATH,
    });
    // The unqualified function only: no versions or aliases.
    props.releaseFunction.grantInvokeLatestVersion(this.releaseRole);

    this.reportRole = new iam.Role(this, 'ReportRole', {
      assumedBy: ciReportPrincipal(this, props.principal),
      description: `CI of project ${props.projectName}: reads model metrics for the pull request report`,
      maxSessionDuration: Duration.hours(1),
      path: ROLE_PATH,
    });
    grantReportRead(this.reportRole, {
      projectName: props.projectName,
      projectId: props.projectId,
      artifactBucket: props.artifactBucket,
    });

    const repositoryUrl =
      props.repositoryUrl ??
      (props.principal.kind === 'github-oidc' ? `https://github.com/${props.principal.repository}.git` : undefined);
    if (repositoryUrl !== undefined) {
      this.codeRepository = new sagemaker.CfnCodeRepository(this, 'StudioRepository', {
        codeRepositoryName: `model-${props.projectName}-train`,
        gitConfig: { repositoryUrl, branch: mainBranch },
        tags: [
          { key: TAG_PROJECT_NAME, value: props.projectName },
          { key: TAG_PROJECT_ID, value: props.projectId },
        ],
      });
    }

    this.acknowledge(props, buildRole);
  }

  /** cdk-nag findings this construct causes, each acknowledged with its reason. */
  private acknowledge(props: ExternalCiSourceProps, buildRole: iam.IRole): void {
    const sourceObjects = nagResource(this, props.artifactBucket.arnForObjects(`${CI_SOURCE_PREFIX}*`));
    acknowledgeWildcards(this.trainRole, {
      [sourceObjects]: 'Uploads have one key per branch and commit, all under the ci-source/ prefix of the bucket.',
    });
    acknowledgeWildcards(buildRole, {
      [sourceObjects]: 'Each build reads its own archive; all archives are under the ci-source/ prefix.',
      'Action::s3:GetObject*': "CodeBuild's S3 source grant, on this project's placeholder source object only.",
      'Action::s3:GetBucket*': "CodeBuild's S3 source grant, on the project's artifact bucket only.",
      'Action::s3:List*': "CodeBuild's S3 source grant, on the project's artifact bucket only.",
    });
  }
}
