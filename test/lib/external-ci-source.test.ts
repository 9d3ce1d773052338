import { App, CfnParameter, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ExternalCiSource, ExternalCiSourceProps } from '../../lib/constructs/source/external-ci-source';
import { PR_REPORT_READ_ACTIONS } from '../../lambda/pr-report/permissions';
import { ROLE_PATH } from '../../lib/constructs/monitored-function';
import { TrainBuildProject } from '../../lib/constructs/train-build-project';
import { cfnLint } from '../support/cfn-lint';
import { NO_CREATION_STACKS } from '../support/creation-stacks';

const JENKINS_ROLE = 'arn:aws:iam::222222222222:role/jenkins-agents';
/** A credential only jobs of main use (context ciReleasePrincipalArn). */
const JENKINS_RELEASE_ROLE = 'arn:aws:iam::222222222222:role/jenkins-main-release';

interface Built {
  readonly app: App;
  readonly stack: Stack;
  readonly ci: ExternalCiSource;
  readonly trainBuild: TrainBuildProject;
  readonly template: () => Template;
}

interface Fixtures {
  readonly app: App;
  readonly stack: Stack;
  readonly base: Omit<ExternalCiSourceProps, 'principal'>;
  readonly trainBuild: TrainBuildProject;
}

/** A small stack: the artifact bucket, a release function and a build role as the project template has them. */
function fixtures(projectName = 'churn'): Fixtures {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'external-ci-source-'));
  const app = new App({ outdir, context: NO_CREATION_STACKS });
  const stack = new Stack(app, 'Test', { env: { account: '111111111111', region: 'us-east-1' } });
  const artifactBucket = new s3.Bucket(stack, 'ArtifactBucket', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  });
  const releaseFunction = new lambda.Function(stack, 'ReleaseFunction', {
    functionName: 'release-model-package-churn',
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
  });
  const trainBuild = new TrainBuildProject(stack, 'TrainBuild', {
    projectName,
    projectId: 'p-abcdef123456',
    artifactBucket,
    modelPackageGroupName: `model-${projectName}`,
    sageMakerExecutionRole: new iam.Role(stack, 'SageMakerRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
    }),
    logRetention: logs.RetentionDays.ONE_MONTH,
    source: ExternalCiSource.buildSource(artifactBucket),
  });
  // Findings of the fixtures above, which stand in for the foundation's resources and are not under test.
  for (const id of ['AwsSolutions-S1', 'AwsSolutions-L1']) {
    Validations.of(stack).acknowledge({ id, reason: 'test fixture, not under test' });
  }
  Validations.of(releaseFunction).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'test fixture, not under test',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return {
    app,
    stack,
    trainBuild,
    base: {
      projectName,
      projectId: 'p-abcdef123456',
      artifactBucket,
      releaseFunction,
      project: trainBuild.project,
      logGroup: trainBuild.logGroup,
    },
  };
}

function build(overrides: Partial<ExternalCiSourceProps> = {}): Built {
  const { app, stack, base, trainBuild } = fixtures();
  const ci = new ExternalCiSource(stack, 'JenkinsSource', {
    ...base,
    principal: { kind: 'iam', arn: JENKINS_ROLE },
    ...(overrides.principal === undefined || overrides.principal.kind === 'iam'
      ? { releasePrincipal: { kind: 'iam', arn: JENKINS_RELEASE_ROLE } as const }
      : {}),
    ...overrides,
  });
  return { app, stack, ci, trainBuild, template: () => Template.fromStack(stack) };
}

function roleLogicalId(built: Built, role: iam.Role): string {
  return built.stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
}

/** The statements of the inline policy attached to `role`. */
function statementsOf(built: Built, role: iam.Role): Record<string, unknown>[] {
  const roleId = roleLogicalId(built, role);
  const policies = built.template().findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: roleId }] },
  });
  const docs = Object.values(policies).map(
    (p) => (p as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } }).Properties,
  );
  expect(docs).toHaveLength(1);
  return (docs[0] as { PolicyDocument: { Statement: Record<string, unknown>[] } }).PolicyDocument.Statement;
}

const idOf = (built: Built, construct: { node: { defaultChild?: unknown } }) =>
  built.stack.getLogicalId(construct.node.defaultChild as iam.CfnRole);

describe('ExternalCiSource', () => {
  beforeAll(() => {
    process.env.CDK_VALIDATION = 'false';
  });

  it('creates no CodeCommit repository, no IAM user and no access key', () => {
    const template = build().template();
    template.resourceCountIs('AWS::CodeCommit::Repository', 0);
    template.resourceCountIs('AWS::IAM::User', 0);
    template.resourceCountIs('AWS::IAM::AccessKey', 0);
    template.resourceCountIs('AWS::CodeBuild::Project', 1);
    // The three fixture roles (build, SageMaker, release function) and the CI train, release and report roles.
    template.resourceCountIs('AWS::IAM::Role', 6);
  });

  it('builds model-<project>-train from a source archive that each build names', () => {
    const built = build();
    const bucketId = built.stack.getLogicalId(
      built.stack.node.findChild('ArtifactBucket').node.defaultChild as s3.CfnBucket,
    );
    built.template().hasResourceProperties('AWS::CodeBuild::Project', {
      Name: 'model-churn-train',
      Source: {
        Type: 'S3',
        Location: { 'Fn::Join': ['', [{ Ref: bucketId }, '/ci-source/override-required.zip']] },
        BuildSpec: 'buildspec.yml',
      },
      Environment: Match.objectLike({
        EnvironmentVariables: Match.arrayWith([{ Name: 'PROJECT_NAME', Type: 'PLAINTEXT', Value: 'churn' }]),
      }),
      LogsConfig: { CloudWatchLogs: { Status: 'ENABLED', GroupName: { Ref: Match.anyValue() } } },
    });
  });

  it('gives the train role exactly upload, start/read builds and read logs, on the project resources only', () => {
    const built = build();
    const bucketId = built.stack.getLogicalId(
      built.stack.node.findChild('ArtifactBucket').node.defaultChild as s3.CfnBucket,
    );
    expect(statementsOf(built, built.ci.trainRole)).toEqual([
      {
        Sid: 'UploadSourceArchives',
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/ci-source/*']] },
      },
      {
        Sid: 'StartAndReadTrainBuilds',
        Effect: 'Allow',
        Action: ['codebuild:StartBuild', 'codebuild:BatchGetBuilds'],
        Resource: { 'Fn::GetAtt': [idOf(built, built.trainBuild.project), 'Arn'] },
      },
      {
        Effect: 'Allow',
        Action: 'logs:GetLogEvents',
        Resource: [
          {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':logs:us-east-1:111111111111:log-group:',
                { Ref: idOf(built, built.trainBuild.logGroup) },
              ],
            ],
          },
          { 'Fn::GetAtt': [idOf(built, built.trainBuild.logGroup), 'Arn'] },
        ],
      },
    ]);
  });

  it('gives the release role only InvokeFunction on the unqualified release function', () => {
    const built = build();
    const fnId = built.stack.getLogicalId(
      built.stack.node.findChild('ReleaseFunction').node.defaultChild as lambda.CfnFunction,
    );
    expect(statementsOf(built, built.ci.releaseRole)).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: [
          { 'Fn::Join': ['', [{ 'Fn::GetAtt': [fnId, 'Arn'] }, ':$LATEST']] },
          { 'Fn::GetAtt': [fnId, 'Arn'] },
        ],
      },
    ]);
  });

  it('lets the build read source archives under ci-source/ only', () => {
    const built = build();
    const statements = statementsOf(built, built.trainBuild.role);
    const bucketId = built.stack.getLogicalId(
      built.stack.node.findChild('ArtifactBucket').node.defaultChild as s3.CfnBucket,
    );
    expect(statements.find((statement) => statement.Sid === 'ReadSourceArchives')).toEqual({
      Sid: 'ReadSourceArchives',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:GetObjectVersion'],
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/ci-source/*']] },
    });
  });

  it('lets the Jenkins principal assume the train role and only the release principal the release role, for an hour at most', () => {
    const built = build();
    const roles = built.template().findResources('AWS::IAM::Role');
    for (const [role, principal] of [
      [built.ci.trainRole, JENKINS_ROLE],
      [built.ci.releaseRole, JENKINS_RELEASE_ROLE],
    ] as const) {
      const properties = (roles[roleLogicalId(built, role)] as { Properties: Record<string, unknown> }).Properties;
      expect(properties.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: principal } }],
      });
      expect(properties.MaxSessionDuration).toBe(3600);
      // The launch role may create roles under the product's path only.
      expect(properties.Path).toBe(ROLE_PATH);
    }
  });

  it('falls back to trusting the account, whose administrators then decide who may assume the roles', () => {
    const built = build({ principal: { kind: 'account' } });
    const roles = built.template().findResources('AWS::IAM::Role');
    for (const role of [built.ci.trainRole, built.ci.releaseRole]) {
      const properties = (roles[roleLogicalId(built, role)] as { Properties: Record<string, unknown> }).Properties;
      expect(properties.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] } },
          },
        ],
      });
    }
  });

  it('trusts GitHub OIDC for the repository: experiment branches may train, only main may release', () => {
    const built = build({ principal: { kind: 'github-oidc', repository: 'acme/churn' } });
    const roles = built.template().findResources('AWS::IAM::Role');
    const trust = (role: iam.Role) =>
      (roles[roleLogicalId(built, role)] as { Properties: { AssumeRolePolicyDocument: unknown } }).Properties
        .AssumeRolePolicyDocument;
    const provider = {
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:oidc-provider/token.actions.githubusercontent.com'],
      ],
    };
    expect(trust(built.ci.trainRole)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'sts:AssumeRoleWithWebIdentity',
          Effect: 'Allow',
          Principal: { Federated: provider },
          Condition: {
            StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
            StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:acme/churn:ref:refs/heads/experiment/*' },
          },
        },
      ],
    });
    expect(trust(built.ci.releaseRole)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'sts:AssumeRoleWithWebIdentity',
          Effect: 'Allow',
          Principal: { Federated: provider },
          Condition: {
            StringEquals: {
              'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
              'token.actions.githubusercontent.com:sub': 'repo:acme/churn:ref:refs/heads/main',
            },
          },
        },
      ],
    });
  });

  it("lets only the repository's pull request workflows assume the report role, which reads the project only", () => {
    const built = build({ principal: { kind: 'github-oidc', repository: 'acme/churn' } });
    const template = built.template();
    const role = template.toJSON().Resources[roleLogicalId(built, built.ci.reportRole)] as {
      Properties: { AssumeRolePolicyDocument: { Statement: { Condition: unknown }[] }; MaxSessionDuration: number };
    };
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toHaveLength(1);
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0]?.Condition).toEqual({
      StringEquals: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': 'repo:acme/churn:pull_request',
      },
    });
    expect(role.Properties.MaxSessionDuration).toBe(3600);
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p).includes(roleLogicalId(built, built.ci.reportRole)))
      .flatMap(
        (p) =>
          (p as { Properties: { PolicyDocument: { Statement: { Action: string | string[] }[] } } }).Properties
            .PolicyDocument.Statement,
      );
    const actions = statements.flatMap((st) => [st.Action].flat()).sort();
    expect(actions).toEqual([...PR_REPORT_READ_ACTIONS].sort());
    expect(actions.every((a) => /^(sagemaker:(List|Describe)|s3:GetObject$)/.test(a))).toBe(true);
  });

  it('associates the GitHub repository with the project in Studio', () => {
    const template = build({ principal: { kind: 'github-oidc', repository: 'acme/churn' } }).template();
    template.resourceCountIs('AWS::SageMaker::CodeRepository', 1);
    template.hasResourceProperties('AWS::SageMaker::CodeRepository', {
      CodeRepositoryName: 'model-churn-train',
      GitConfig: { RepositoryUrl: 'https://github.com/acme/churn.git', Branch: 'main' },
      Tags: [
        { Key: 'sagemaker:project-id', Value: 'p-abcdef123456' },
        { Key: 'sagemaker:project-name', Value: 'churn' },
      ],
    });
  });

  it('associates a configured repository URL for an IAM principal, and none without one', () => {
    build().template().resourceCountIs('AWS::SageMaker::CodeRepository', 0);
    build({ repositoryUrl: 'https://git.example.com/acme/churn.git' })
      .template()
      .hasResourceProperties('AWS::SageMaker::CodeRepository', {
        GitConfig: { RepositoryUrl: 'https://git.example.com/acme/churn.git', Branch: 'main' },
      });
  });

  it('names its resources from a project name given as a template parameter', () => {
    const app = new App({ context: NO_CREATION_STACKS });
    const stack = new Stack(app, 'Param');
    const name = new CfnParameter(stack, 'SageMakerProjectName', { type: 'String' }).valueAsString;
    const bucket = new s3.Bucket(stack, 'B');
    const logGroup = new logs.LogGroup(stack, 'L');
    new ExternalCiSource(stack, 'JenkinsSource', {
      projectName: name,
      projectId: 'p-1',
      artifactBucket: bucket,
      releaseFunction: lambda.Function.fromFunctionName(stack, 'F', 'release-model-package-x'),
      project: new codebuild.Project(stack, 'P', {
        source: ExternalCiSource.buildSource(bucket),
        logging: { cloudWatch: { logGroup } },
      }),
      logGroup,
      principal: { kind: 'github-oidc', repository: 'acme/churn' },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::SageMaker::CodeRepository', {
      CodeRepositoryName: { 'Fn::Join': ['', ['model-', { Ref: 'SageMakerProjectName' }, '-train']] },
    });
  });

  it('rejects a train build without a service role, which could not read the archives', () => {
    const { stack, base } = fixtures();
    const project = codebuild.Project.fromProjectName(stack, 'Imported', 'model-churn-train');
    expect(
      () => new ExternalCiSource(stack, 'JenkinsSource', { ...base, project, principal: { kind: 'account' } }),
    ).toThrow(/project must have a service role/);
  });

  it('passes cdk-nag with every acknowledgement named, and cdk-nag still catches a new wildcard', () => {
    const clean = build({ principal: { kind: 'github-oidc', repository: 'acme/churn' } });
    expect(() => clean.app.synth()).not.toThrow();

    const dirty = build();
    dirty.ci.trainRole.addToPolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    expect(() => dirty.app.synth()).toThrow(/AwsSolutions-IAM5\[Action::s3:\*\]/);
  });

  it('synthesizes a template cfn-lint finds no error in', async () => {
    const built = build({ principal: { kind: 'github-oidc', repository: 'acme/churn' } });
    const assembly = built.app.synth();
    const file = path.join(assembly.directory, built.stack.templateFile);
    // A missing cfn-lint or a crash fails here too (test/support/cfn-lint.ts).
    expect((await cfnLint([file])).errors).toEqual([]);
  });

  describe('rejects bad configuration by name, before creating anything', () => {
    const cases: [string, Partial<ExternalCiSourceProps>, RegExp][] = [
      [
        'an assumed-role session ARN',
        { principal: { kind: 'iam', arn: 'arn:aws:sts::222222222222:assumed-role/jenkins/i-123' } },
        /principal\.arn .* must be an IAM role or user ARN/,
      ],
      [
        'a repository that is not owner/repo',
        { principal: { kind: 'github-oidc', repository: 'acme' } },
        /principal\.repository/,
      ],
      [
        'an OIDC provider of another issuer',
        {
          principal: {
            kind: 'github-oidc',
            repository: 'acme/churn',
            providerArn: 'arn:aws:iam::111111111111:oidc-provider/gitlab.com',
          },
        },
        /principal\.providerArn/,
      ],
      ['a branch prefix with a wildcard', { branchPrefix: 'experiment/*' }, /branchPrefix/],
      [
        'an IAM principal without a release principal of its own (any branch build could approve)',
        { releasePrincipal: undefined },
        /releasePrincipal is required when principal is an IAM principal/,
      ],
      [
        'a release principal equal to the train principal',
        { releasePrincipal: { kind: 'iam', arn: JENKINS_ROLE } },
        /releasePrincipal\.arn must differ from principal\.arn/,
      ],
      ['a branch prefix without a trailing slash', { branchPrefix: 'experiment' }, /branchPrefix/],
      ['a main branch with a wildcard', { mainBranch: 'ma*n' }, /mainBranch/],
      ['a main branch given as a full ref', { mainBranch: 'refs/heads/main' }, /short name/],
      ['a repository URL that is not https', { repositoryUrl: 'git@github.com:acme/churn.git' }, /repositoryUrl/],
    ];
    it.each(cases)('%s', (_what, overrides, message) => {
      const { stack, base } = fixtures();
      expect(
        () =>
          new ExternalCiSource(stack, 'JenkinsSource', {
            ...base,
            principal: { kind: 'iam', arn: JENKINS_ROLE },
            releasePrincipal: { kind: 'iam', arn: JENKINS_RELEASE_ROLE },
            ...overrides,
          }),
      ).toThrow(message);
      expect(stack.node.tryFindChild('JenkinsSource')).toBeUndefined();
    });

    it('a project name SageMaker would refuse', () => {
      const { stack, base } = fixtures('bad_name');
      expect(
        () => new ExternalCiSource(stack, 'JenkinsSource', { ...base, principal: { kind: 'iam', arn: JENKINS_ROLE } }),
      ).toThrow(/project name "bad_name"/);
      expect(stack.node.tryFindChild('JenkinsSource')).toBeUndefined();
    });
  });
});
