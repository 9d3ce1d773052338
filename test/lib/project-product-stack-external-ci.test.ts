/**
 * The project template with the `external-ci` source provider (Jenkins or GitHub Actions), synthesized as the app does (cdk-nag on): no CodeCommit
 * repository, no branch automation, no IAM user or access key; the train build from a source archive, the CI roles
 * scoped to this project's resources, the Studio association, and the outputs CI is configured from.
 */
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { DEPRECATED_CONFIG_WARNING_ID } from '../../lib/baseline-stack';
import { ConfigError, readConfig } from '../../lib/config';
import { BuiltApp, buildApp, removeApp, TEST_ACCOUNT } from '../support/app';
import { cfnLint } from '../support/cfn-lint';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Sid?: string; Effect?: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

const PROJECT = { Ref: 'SageMakerProjectName' };
const JENKINS_ROLE = 'arn:aws:iam::222222222222:role/jenkins-agents';
const JENKINS_RELEASE_ROLE = 'arn:aws:iam::222222222222:role/jenkins-main-release';

function only(template: Template, type: string): [string, Resource] {
  const found = Object.entries(template.findResources(type));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0] as [string, Resource];
}

function idStartingWith(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`expected one ${type} ${prefix}*, found ${ids.length}`);
  return ids[0] as string;
}

function policyOfRole(template: Template, roleId: string): Statement[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Array<{
    Properties: { Roles: Array<{ Ref: string }>; PolicyDocument: { Statement: Statement[] } };
  }>;
  return policies
    .filter((policy) => policy.Properties.Roles.some((role) => role.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

/** Statements with Action and Resource lists sorted (the app's minimizePolicies flag orders them its own way). */
function normalized(statements: Statement[]): Statement[] {
  const sort = (value: unknown) =>
    Array.isArray(value) ? [...value].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) : value;
  return statements.map((s) => ({ ...s, Action: sort(s.Action) as Statement['Action'], Resource: sort(s.Resource) }));
}

function trustOf(template: Template, roleId: string): unknown {
  return (template.findResources('AWS::IAM::Role')[roleId] as Resource).Properties.AssumeRolePolicyDocument;
}

describe('project template, source provider external-ci with GitHub Actions', () => {
  let built: BuiltApp;
  let template: Template;
  let trainRoleId: string;
  let releaseRoleId: string;
  let bucketId: string;
  let projectId: string;
  let logGroupId: string;
  let releaseFnId: string;

  beforeAll(() => {
    // cdk-nag on: synthesis fails on any unacknowledged finding.
    built = buildApp({ nag: true, context: { sourceProvider: 'external-ci', githubRepository: 'acme/churn' } });
    template = built.productTemplate;
    trainRoleId = idStartingWith(template, 'AWS::IAM::Role', 'JenkinsSourceTrainRole');
    releaseRoleId = idStartingWith(template, 'AWS::IAM::Role', 'JenkinsSourceReleaseRole');
    [bucketId] = only(template, 'AWS::S3::Bucket');
    [projectId] = only(template, 'AWS::CodeBuild::Project');
    logGroupId = idStartingWith(template, 'AWS::Logs::LogGroup', 'TrainBuildLogGroup');
    releaseFnId = idStartingWith(template, 'AWS::Lambda::Function', 'ReleaseAutomationHandlerFunction');
  });
  afterAll(() => removeApp(built));

  it('has no CodeCommit repository, no branch automation, no IAM user and no access key', () => {
    template.resourceCountIs('AWS::CodeCommit::Repository', 0);
    template.resourceCountIs('AWS::IAM::User', 0);
    template.resourceCountIs('AWS::IAM::AccessKey', 0);
    expect(Object.keys(template.findResources('AWS::Lambda::Function'))).toEqual([releaseFnId]);
    const rules = Object.values(template.findResources('AWS::Events::Rule')) as Resource[];
    expect(rules.map((rule) => (rule.Properties.EventPattern as { source: string[] }).source)).toEqual([
      ['aws.sagemaker'],
    ]);
    expect(built.branchTemplate).toBeUndefined();
    expect(built.templateFiles).toHaveLength(2);
  });

  it('builds model-<project>-train from the archive each build names, with the buildspec and variables', () => {
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Name: { 'Fn::Join': ['', ['model-', PROJECT, '-train']] },
      Source: {
        Type: 'S3',
        Location: { 'Fn::Join': ['', [{ Ref: bucketId }, '/ci-source/override-required.zip']] },
        BuildSpec: 'buildspec.yml',
      },
    });
    const [, project] = only(template, 'AWS::CodeBuild::Project');
    const variables = (project.Properties.Environment as { EnvironmentVariables: Array<{ Name: string }> })
      .EnvironmentVariables;
    expect(variables.map((v) => v.Name)).toEqual([
      'PROJECT_NAME',
      'PROJECT_ID',
      'ARTIFACT_BUCKET',
      'MODEL_PACKAGE_GROUP_NAME',
      'SAGEMAKER_PIPELINE_ROLE_ARN',
    ]);
  });

  it('keeps the release function, the model package group and the artifact bucket', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: { 'Fn::Join': ['', ['release-model-package-', PROJECT]] },
    });
    template.hasResourceProperties('AWS::SageMaker::ModelPackageGroup', {
      ModelPackageGroupName: { 'Fn::Join': ['', ['model-', PROJECT]] },
    });
    // the intent table and the commit index
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
  });

  it('approves a model merged before registration as the CodeCommit variant does: intent table and state change rule', () => {
    // CI sends "approve_when_registered": true; the intent is kept in the table and the registration approves it.
    const [tableId] = Object.keys(
      template.findResources('AWS::DynamoDB::Table', {
        Properties: { TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } },
      }),
    );
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'commitId', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    const releaseFunctionId = idStartingWith(template, 'AWS::Lambda::Function', 'ReleaseAutomation');
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: { 'Fn::Join': ['', ['release-model-package-', PROJECT]] },
      Environment: { Variables: Match.objectLike({ INTENT_TABLE_NAME: { Ref: tableId } }) },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.sagemaker'],
        'detail-type': ['SageMaker Model Package State Change'],
        detail: {
          ModelPackageGroupName: [
            { 'Fn::Join': ['', ['model-', PROJECT]] },
            { prefix: { 'Fn::Join': ['', ['model-', PROJECT, '-']] } },
          ],
        },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [releaseFunctionId, 'Arn'] } })],
    });
  });

  it("scopes the train role to this project's source prefix, build project and build logs", () => {
    expect(normalized(policyOfRole(template, trainRoleId))).toEqual(
      normalized([
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
          Resource: { 'Fn::GetAtt': [projectId, 'Arn'] },
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
                  ':logs:',
                  { Ref: 'AWS::Region' },
                  ':',
                  { Ref: 'AWS::AccountId' },
                  ':log-group:',
                  { Ref: logGroupId },
                ],
              ],
            },
            { 'Fn::GetAtt': [logGroupId, 'Arn'] },
          ],
        },
      ]),
    );
  });

  it('lets the release role invoke the release function only', () => {
    expect(normalized(policyOfRole(template, releaseRoleId))).toEqual(
      normalized([
        {
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          Resource: [
            { 'Fn::Join': ['', [{ 'Fn::GetAtt': [releaseFnId, 'Arn'] }, ':$LATEST']] },
            { 'Fn::GetAtt': [releaseFnId, 'Arn'] },
          ],
        },
      ]),
    );
  });

  it("trusts GitHub's OIDC tokens: experiment branches for training, main for releasing", () => {
    const condition = (roleId: string) =>
      (trustOf(template, roleId) as { Statement: Array<{ Condition: unknown; Action: string }> }).Statement;
    expect(condition(trainRoleId)).toEqual([
      expect.objectContaining({
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
          StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:acme/churn:ref:refs/heads/experiment/*' },
        },
      }),
    ]);
    expect(condition(releaseRoleId)).toEqual([
      expect.objectContaining({
        Condition: {
          StringEquals: {
            'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            'token.actions.githubusercontent.com:sub': 'repo:acme/churn:ref:refs/heads/main',
          },
        },
      }),
    ]);
  });

  it('associates the GitHub repository with the project in Studio', () => {
    template.hasResourceProperties('AWS::SageMaker::CodeRepository', {
      CodeRepositoryName: { 'Fn::Join': ['', ['model-', PROJECT, '-train']] },
      GitConfig: { RepositoryUrl: 'https://github.com/acme/churn.git', Branch: 'main' },
      Tags: [
        { Key: 'sagemaker:project-id', Value: { Ref: 'SageMakerProjectId' } },
        { Key: 'sagemaker:project-name', Value: PROJECT },
      ],
    });
  });

  it('outputs what CI is configured with', () => {
    expect(Object.keys(template.toJSON().Outputs ?? {}).sort()).toEqual([
      'CiReleaseRoleArn',
      'CiReportRoleArn',
      'CiSourceBucketName',
      'CiTrainRoleArn',
      'ProjectId',
      'ReleaseFunctionName',
      'TrainBuildProjectName',
    ]);
    template.hasOutput('CiTrainRoleArn', { Value: { 'Fn::GetAtt': [trainRoleId, 'Arn'] } });
    template.hasOutput('CiSourceBucketName', { Value: { Ref: bucketId } });
  });

  it('lets the launch role manage the Studio code repository instead of a CodeCommit repository', () => {
    const policies = JSON.stringify(built.baselineTemplate.findResources('AWS::IAM::Policy'));
    expect(policies).toContain('sagemaker:CreateCodeRepository');
    expect(policies).toContain(':code-repository/model-*-train');
    expect(policies).not.toContain('codecommit:CreateRepository');
  });

  it('reports no cfn-lint error on the templates, and only the accepted warning', async () => {
    const { errors, warnings } = await cfnLint(built.templateFiles);
    expect(errors).toEqual([]);
    expect(warnings.filter((id) => id !== 'W3005')).toEqual([]);
  });
});

describe('project template, source provider external-ci with a Jenkins principal or none', () => {
  it('lets the Jenkins role assume the train role and only the release principal the release role, no repository without a URL', () => {
    const built = buildApp({
      nag: true,
      context: {
        sourceProvider: 'external-ci',
        ciPrincipalArn: JENKINS_ROLE,
        ciReleasePrincipalArn: JENKINS_RELEASE_ROLE,
      },
    });
    try {
      const template = built.productTemplate;
      for (const [prefix, principal] of [
        ['JenkinsSourceTrainRole', JENKINS_ROLE],
        ['JenkinsSourceReleaseRole', JENKINS_RELEASE_ROLE],
      ]) {
        expect(trustOf(template, idStartingWith(template, 'AWS::IAM::Role', prefix ?? ''))).toEqual({
          Version: '2012-10-17',
          Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: principal } }],
        });
      }
      template.resourceCountIs('AWS::SageMaker::CodeRepository', 0);
    } finally {
      removeApp(built);
    }
  });

  it('synthesizes with -c sourceProvider=external-ci alone, the CI roles then trusting the account', () => {
    const built = buildApp({ nag: true, context: { sourceProvider: 'external-ci' } });
    try {
      const template = built.productTemplate;
      const trust = JSON.stringify(
        trustOf(template, idStartingWith(template, 'AWS::IAM::Role', 'JenkinsSourceTrainRole')),
      );
      expect(trust).toContain(':root');
      expect(trust).not.toContain(TEST_ACCOUNT); // the account comes from the pseudo parameter at provisioning
    } finally {
      removeApp(built);
    }
  });
});

describe('the deprecated source provider name jenkins', () => {
  it('synthesizes the same templates as external-ci and warns on the baseline stack to use external-ci', () => {
    const [deprecated, current] = ['jenkins', 'external-ci'].map((sourceProvider) =>
      buildApp({ context: { sourceProvider, githubRepository: 'acme/churn' } }),
    ) as [BuiltApp, BuiltApp];
    try {
      expect(deprecated.productTemplate.toJSON()).toEqual(current.productTemplate.toJSON());
      expect(deprecated.baselineTemplate.toJSON()).toEqual(current.baselineTemplate.toJSON());
      const warning = Match.stringLikeRegexp("'jenkins' is deprecated.*use 'external-ci'");
      Annotations.fromStack(deprecated.baseline).hasWarning('*', warning);
      Annotations.fromStack(current.baseline).hasNoWarning('*', warning);
      const ids = (built: BuiltApp) =>
        Annotations.fromStack(built.baseline)
          .findWarning('*', Match.anyValue())
          .map((message) => JSON.stringify(message.entry.data));
      expect(ids(deprecated).filter((data) => data.includes(DEPRECATED_CONFIG_WARNING_ID))).toHaveLength(1);
    } finally {
      removeApp(deprecated);
      removeApp(current);
    }
  });
});

describe('configuration of the external-ci source provider', () => {
  const read = (context: Record<string, unknown>) =>
    readConfig((key) => ({ account: '123456789012', region: 'eu-west-1', ...context })[key], {});
  const errorOf = (context: Record<string, unknown>): ConfigError => {
    try {
      read(context);
    } catch (error) {
      if (error instanceof ConfigError) return error;
      throw error;
    }
    throw new Error('expected a ConfigError');
  };

  it('reads the CI principal and repository URL', () => {
    expect(
      read({ sourceProvider: 'external-ci', ciPrincipalArn: JENKINS_ROLE, ciReleasePrincipalArn: JENKINS_RELEASE_ROLE })
        .ci,
    ).toEqual({
      principal: { kind: 'iam', arn: JENKINS_ROLE },
      releasePrincipal: { kind: 'iam', arn: JENKINS_RELEASE_ROLE },
      repositoryUrl: undefined,
    });
    expect(read({ sourceProvider: 'external-ci', githubRepository: 'acme/churn' }).ci?.principal).toEqual({
      kind: 'github-oidc',
      repository: 'acme/churn',
      providerArn: undefined,
    });
    expect(read({ sourceProvider: 'external-ci' }).ci?.principal).toEqual({ kind: 'account' });
    expect(read({}).ci).toBeUndefined();
  });

  it.each([
    [{ ciPrincipalArn: JENKINS_ROLE }, 'ciPrincipalArn', /applies only to sourceProvider "external-ci"/],
    [
      { sourceProvider: 'external-ci', ciPrincipalArn: 'arn:aws:sts::1:assumed-role/x/y' },
      'ciPrincipalArn',
      /IAM role or user ARN/,
    ],
    [
      { sourceProvider: 'external-ci', ciPrincipalArn: JENKINS_ROLE, githubRepository: 'acme/churn' },
      'githubRepository',
      /choose one CI principal/,
    ],
    [{ sourceProvider: 'external-ci', githubRepository: 'acme' }, 'githubRepository', /"owner\/repo"/],
    [
      {
        sourceProvider: 'external-ci',
        githubOidcProviderArn: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
      },
      'githubOidcProviderArn',
      /needs githubRepository/,
    ],
    [{ sourceProvider: 'external-ci', repositoryUrl: 'git@github.com:acme/churn.git' }, 'repositoryUrl', /https:\/\//],
    // issue 10, attack 6: with one IAM principal for both CI roles, any branch's Jenkinsfile could approve
    [
      { sourceProvider: 'external-ci', ciPrincipalArn: JENKINS_ROLE },
      'ciReleasePrincipalArn',
      /is required with ciPrincipalArn .*any branch Jenkinsfile could approve/,
    ],
    [
      { sourceProvider: 'external-ci', ciPrincipalArn: JENKINS_ROLE, ciReleasePrincipalArn: JENKINS_ROLE },
      'ciReleasePrincipalArn',
      /must differ from ciPrincipalArn/,
    ],
    [
      { sourceProvider: 'external-ci', githubRepository: 'acme/churn', ciReleasePrincipalArn: JENKINS_RELEASE_ROLE },
      'ciReleasePrincipalArn',
      /GitHub OIDC already trusts only the main branch/,
    ],
  ])('rejects %j naming %s', (context, key, message) => {
    const error = errorOf(context);
    expect(error.key).toBe(key);
    expect(error.message).toMatch(message);
  });
});
