import { Match, Template } from 'aws-cdk-lib/assertions';
import { BRANCH_TEMPLATE_PARAMETERS } from '../../lib/branch-pipeline-stack';
import { RECONCILE_INPUT } from '../../lib/constructs/branch-automation';
import { EVENT_RULE_ACTIONS } from '../../lib/constructs/iam';
import { ROLE_PATH } from '../../lib/constructs/monitored-function';
import { RUN_COMMAND_PERMISSIONS } from '../../sagemaker-pipeline/src/permissions';
import { appTemplates, BuiltTemplates, removeApp } from '../support/app';

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };
type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

const PROJECT = { Ref: 'SageMakerProjectName' };
const PREFIX = 'experiment/';

function only(template: Template, type: string, props: Record<string, unknown> = {}): [string, Resource] {
  const found = Object.entries(template.findResources(type, props ? { Properties: props } : undefined));
  if (found.length !== 1) throw new Error(`expected one ${type} matching, found ${found.length}`);
  return found[0] as [string, Resource];
}

function functionNamed(template: Template, idPrefix: string): [string, Resource] {
  const entry = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith(idPrefix));
  if (entry === undefined) throw new Error(`no function ${idPrefix}`);
  return entry as [string, Resource];
}

function policyOfRole(template: Template, roleId: string): Statement[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Array<{
    Properties: { Roles: Array<{ Ref: string }>; PolicyDocument: { Statement: Statement[] } };
  }>;
  return policies
    .filter((policy) => policy.Properties.Roles.some((role) => role.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

function roleAssumedBy(template: Template, service: string): string {
  const [roleId] = only(template, 'AWS::IAM::Role', {
    AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: service } })] }),
  });
  return roleId;
}

function passRoleStatements(statements: Statement[]): Statement[] {
  return statements.filter((s) => [s.Action].flat().includes('iam:PassRole'));
}

function passedTo(service: string): unknown {
  return { StringEquals: { 'iam:PassedToService': service } };
}

function roleOf(fn: Resource): string {
  return ((fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'] as [string, string])[0];
}

function ruleTargeting(template: Template, functionId: string): Resource[] {
  return (Object.values(template.findResources('AWS::Events::Rule')) as Resource[]).filter((rule) =>
    JSON.stringify(rule.Properties.Targets).includes(`"${functionId}"`),
  );
}

describe('ProjectProductStack', () => {
  let built: BuiltTemplates;
  let template: Template;
  let branchFnId: string;
  let branchFn: Resource;
  let releaseFnId: string;
  let releaseFn: Resource;
  let repositoryId: string;

  beforeAll(() => {
    built = appTemplates();
    template = built.productTemplate;
    [branchFnId, branchFn] = functionNamed(template, 'BranchAutomationHandlerFunction');
    [releaseFnId, releaseFn] = functionNamed(template, 'ReleaseAutomationHandlerFunction');
    [repositoryId] = only(template, 'AWS::CodeCommit::Repository');
  });
  afterAll(() => removeApp(built));

  it("takes the two parameters SageMaker passes, with SageMaker's own constraints", () => {
    expect(template.toJSON().Parameters).toEqual({
      SageMakerProjectName: expect.objectContaining({
        Type: 'String',
        AllowedPattern: '^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}$',
        ConstraintDescription: expect.stringMatching(/SageMaker project names/),
        MaxLength: 32,
        MinLength: 1,
      }),
      // Fixed length: the id-prefixed patterns (trigger rules "mbm-<id>-*") rely on it (lib/constructs/isolation.ts).
      SageMakerProjectId: expect.objectContaining({
        Type: 'String',
        AllowedPattern: '^p-[a-z0-9]{12}$',
        MaxLength: 14,
        MinLength: 14,
      }),
    });
  });

  it('accepts every project name SageMaker accepts (Churn, 1churn) and refuses the others (issue 11 item 5)', () => {
    const parameter = (template.toJSON() as { Parameters: Record<string, { AllowedPattern: string }> }).Parameters
      .SageMakerProjectName;
    // CloudFormation matches AllowedPattern against the whole value.
    const allowed = new RegExp(parameter?.AllowedPattern ?? 'missing');
    for (const name of ['abalone', 'churn-2', 'a', 'x-y--z9', 'a'.repeat(32), 'Churn', '1churn', 'MyProj', 'ABALONE']) {
      expect(name).toMatch(allowed);
    }
    for (const name of ['churn-', '-churn', 'my_proj', 'my proj', 'a'.repeat(33)]) expect(name).not.toMatch(allowed);
  });

  it('creates the repository model-<project>-train with the seed code on the main branch', () => {
    template.hasResourceProperties('AWS::CodeCommit::Repository', {
      RepositoryName: { 'Fn::Join': ['', ['model-', PROJECT, '-train']] },
      Code: {
        BranchName: 'main',
        S3: { Bucket: Match.stringLikeRegexp('^multibranch-mlops-assets-'), Key: Match.stringLikeRegexp('\\.zip$') },
      },
    });
  });

  it('creates the model package group model-<project>', () => {
    template.hasResourceProperties('AWS::SageMaker::ModelPackageGroup', {
      ModelPackageGroupName: { 'Fn::Join': ['', ['model-', PROJECT]] },
    });
  });

  it('keeps one artifact bucket, retained, encrypted, versioned and private', () => {
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicPolicy: true, RestrictPublicBuckets: true }),
        LifecycleConfiguration: { Rules: [Match.objectLike({ AbortIncompleteMultipartUpload: Match.anyValue() })] },
      }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('gives every branch one shared build project with the project environment', () => {
    template.resourceCountIs('AWS::CodeBuild::Project', 1);
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Name: { 'Fn::Join': ['', ['model-', PROJECT, '-train']] },
      Source: { Type: 'CODEPIPELINE', BuildSpec: 'buildspec.yml' },
      Environment: Match.objectLike({
        PrivilegedMode: false,
        EnvironmentVariables: Match.arrayWith(
          [
            'PROJECT_NAME',
            'PROJECT_ID',
            'ARTIFACT_BUCKET',
            'MODEL_PACKAGE_GROUP_NAME',
            'SAGEMAKER_PIPELINE_ROLE_ARN',
          ].map((Name) => Match.objectLike({ Name })),
        ),
      }),
    });
  });

  it('creates every role under the product role path, with no AWS managed policy and no wildcard action', () => {
    const roles = Object.values(template.findResources('AWS::IAM::Role')) as Resource[];
    // + the role of the approval rule template's custom resource (MainBranchProtection) and the pull request
    // report function's role.
    expect(roles).toHaveLength(9);
    for (const role of roles) {
      expect(role.Properties.Path).toBe(ROLE_PATH);
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
    const statements = (Object.values(template.findResources('AWS::IAM::Policy')) as Resource[]).flatMap(
      (policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
    );
    for (const statement of statements) {
      for (const action of [statement.Action].flat()) expect(action).not.toMatch(/\*/);
    }
  });

  it('has roles for CodePipeline, CodeBuild, SageMaker, CloudFormation, EventBridge and the two functions', () => {
    const services = (Object.values(template.findResources('AWS::IAM::Role')) as Resource[]).map(
      (role) =>
        (role.Properties.AssumeRolePolicyDocument as { Statement: Array<{ Principal: { Service: string } }> })
          .Statement[0]?.Principal.Service,
    );
    expect(services.sort()).toEqual(
      [
        'cloudformation.amazonaws.com',
        'codebuild.amazonaws.com',
        'codepipeline.amazonaws.com',
        'events.amazonaws.com',
        'lambda.amazonaws.com',
        'lambda.amazonaws.com',
        'lambda.amazonaws.com',
        'lambda.amazonaws.com', // pull request report
        'sagemaker.amazonaws.com',
      ].sort(),
    );
  });

  it('lets the CloudFormation service role pass only the pipeline and events roles', () => {
    const [cfnRoleId] = only(template, 'AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'cloudformation.amazonaws.com' } })],
      }),
    });
    const passRole = passRoleStatements(policyOfRole(template, cfnRoleId));
    expect(passRole).toHaveLength(2);
    const passedToService = (rolePattern: RegExp) =>
      passRole.find((s) => rolePattern.test(JSON.stringify(s.Resource)))?.Condition;
    // Each role only to the service that runs with it: the pipeline to CodePipeline, the trigger rule's target to EventBridge.
    expect(passedToService(/^\{"Fn::GetAtt":\["BranchPipelineRolesPipelineRole\w+","Arn"\]\}$/)).toEqual(
      passedTo('codepipeline.amazonaws.com'),
    );
    expect(passedToService(/^\{"Fn::GetAtt":\["BranchPipelineRolesEventsRole\w+","Arn"\]\}$/)).toEqual(
      passedTo('events.amazonaws.com'),
    );
    const rules = policyOfRole(template, cfnRoleId).find((s) => [s.Action].flat().includes('events:PutRule'));
    expect([rules?.Action].flat().sort()).toEqual([...EVENT_RULE_ACTIONS].sort());
    expect(JSON.stringify(rules?.Resource)).toContain(':rule/mbm-",{"Ref":"SageMakerProjectId"},"-*"');
    const pipelines = policyOfRole(template, cfnRoleId).find((s) =>
      [s.Action].flat().includes('codepipeline:CreatePipeline'),
    );
    expect(JSON.stringify(pipelines?.Resource)).toContain(':",{"Ref":"SageMakerProjectName"},"-*"');
    const actions = policyOfRole(template, cfnRoleId).flatMap((s) => [s.Action].flat());
    expect(actions.every((a) => /^(codepipeline|events|iam:PassRole$|iam:GetRole$)/.test(a))).toBe(true);
  });

  it('runs both functions on the newest Node.js runtime, ARM64, JSON logs, with a dead-letter queue', () => {
    for (const fn of [branchFn, releaseFn]) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        LoggingConfig: { LogFormat: 'JSON' },
        DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [expect.stringMatching(/DeadLetterQueue/), 'Arn'] } },
      });
    }
    template.resourceCountIs('AWS::Logs::LogGroup', 4); // + the pull request report function's
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    template.allResourcesProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
  });

  it("names each function's Powertools service (the `service` of its logs and metrics) after its folder", () => {
    const service = (name: string) => ({ Environment: { Variables: { POWERTOOLS_SERVICE_NAME: name } } });
    expect(branchFn.Properties).toMatchObject(service('branch-pipeline'));
    expect(releaseFn.Properties).toMatchObject(service('release-model'));
  });

  it('alarms on errors of each function and on messages in each dead-letter queue', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 6); // + the pull request report function's two
    for (const fnId of [branchFnId, releaseFnId]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Errors',
        Namespace: 'AWS/Lambda',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
      });
    }
    const dlqAlarms = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS' },
    });
    expect(Object.keys(dlqAlarms)).toHaveLength(3);
  });

  it('names the release function release-model-package-<project>', () => {
    expect(releaseFn.Properties.FunctionName).toEqual({ 'Fn::Join': ['', ['release-model-package-', PROJECT]] });
    expect(branchFn.Properties.FunctionName).toBeUndefined();
  });

  it('gives the branch function the contract environment, with the static branch template parameters', () => {
    const env = (branchFn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(Object.keys(env).sort()).toEqual(
      [
        'PROJECT_NAME',
        'PROJECT_ID',
        'REPOSITORY_NAME',
        'BRANCH_PREFIX',
        'PIPELINE_TEMPLATE_URL',
        'CLOUDFORMATION_ROLE_ARN',
        'PIPELINE_STACK_PARAMETERS',
        'MAX_BRANCH_PIPELINES',
        'POWERTOOLS_SERVICE_NAME',
      ].sort(),
    );
    expect(env.BRANCH_PREFIX).toBe(PREFIX);
    expect(env.MAX_BRANCH_PIPELINES).toBe('25');
    const url = JSON.stringify(env.PIPELINE_TEMPLATE_URL);
    expect(url).toMatch(/https:\/\/multibranch-mlops-assets-111111111111-us-east-1\.s3\./);
    expect(url).toMatch(/\/[0-9a-f]{64}\.json"/);
    const parameters = JSON.stringify(env.PIPELINE_STACK_PARAMETERS);
    const staticNames = BRANCH_TEMPLATE_PARAMETERS.filter((p) => p !== 'BranchName' && p !== 'PipelineName');
    for (const name of staticNames) expect(parameters).toContain(`\\"${name}\\":`);
    expect(parameters).not.toContain('BranchName');
  });

  it('gives the release function the contract environment', () => {
    const env = (releaseFn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(Object.keys(env).sort()).toEqual(
      [
        'PROJECT_NAME',
        'REPOSITORY_NAME',
        'MAIN_BRANCH',
        'MODEL_PACKAGE_GROUP_NAME',
        'INTENT_TABLE_NAME',
        'INTENT_TTL_DAYS',
        'PROJECT_ID',
        'COMMIT_INDEX_TABLE_NAME',
        'APPROVE_ON_PUSH_TO_MAIN',
        'ARTIFACT_BUCKET_NAME',
        'POWERTOOLS_SERVICE_NAME',
      ].sort(),
    );
    expect(env.MAIN_BRANCH).toBe('main');
    // a push to main approves nothing unless the project opts in (context approveOnPushToMain)
    expect(env.APPROVE_ON_PUSH_TO_MAIN).toBe('false');
    expect(env.INTENT_TTL_DAYS).toBe('14');
  });

  it('creates the intent table keyed by commitId with a TTL on expiresAt', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'commitId', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'commitId', AttributeType: 'S' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('sends branch events of this repository under the prefix to the branch function', () => {
    const rules = ruleTargeting(template, branchFnId).filter((r) => r.Properties.EventPattern !== undefined);
    expect(rules).toHaveLength(1);
    expect(rules[0]?.Properties.EventPattern).toEqual({
      source: ['aws.codecommit'],
      'detail-type': ['CodeCommit Repository State Change'],
      resources: [{ 'Fn::GetAtt': [repositoryId, 'Arn'] }],
      detail: {
        event: ['referenceCreated', 'referenceUpdated', 'referenceDeleted'],
        referenceType: ['branch'],
        referenceName: [{ prefix: PREFIX }],
      },
    });
  });

  it('reconciles hourly by calling the branch function with {"action":"reconcile"}', () => {
    const rules = ruleTargeting(template, branchFnId).filter((r) => r.Properties.ScheduleExpression !== undefined);
    expect(rules).toHaveLength(1);
    expect(rules[0]?.Properties.ScheduleExpression).toBe('rate(1 hour)');
    const targets = rules[0]?.Properties.Targets as Array<{ Input: string }>;
    expect(JSON.parse(targets[0]?.Input ?? 'null')).toEqual(RECONCILE_INPUT);
  });

  it('sends merges into main and pushes to main of this repository to the release function', () => {
    const patterns = ruleTargeting(template, releaseFnId).map((r) => r.Properties.EventPattern);
    expect(patterns).toContainEqual({
      source: ['aws.codecommit'],
      'detail-type': ['CodeCommit Pull Request State Change'],
      resources: [{ 'Fn::GetAtt': [repositoryId, 'Arn'] }],
      detail: {
        event: ['pullRequestMergeStatusUpdated'],
        isMerged: ['True'],
        destinationReference: ['refs/heads/main'],
      },
    });
    expect(patterns).toContainEqual({
      source: ['aws.codecommit'],
      'detail-type': ['CodeCommit Repository State Change'],
      resources: [{ 'Fn::GetAtt': [repositoryId, 'Arn'] }],
      detail: { event: ['referenceCreated', 'referenceUpdated'], referenceType: ['branch'], referenceName: ['main'] },
    });
  });

  it("sends state changes of the project's model packages to the release function", () => {
    const patterns = ruleTargeting(template, releaseFnId).map((r) => r.Properties.EventPattern);
    expect(patterns).toContainEqual({
      source: ['aws.sagemaker'],
      'detail-type': ['SageMaker Model Package State Change'],
      // every group of the project by name; the function keeps only groups tagged with the project id
      detail: {
        ModelPackageGroupName: [
          { 'Fn::Join': ['', ['model-', PROJECT]] },
          { prefix: { 'Fn::Join': ['', ['model-', PROJECT, '-']] } },
        ],
      },
    });
    expect(patterns).toHaveLength(3);
  });

  it('routes undeliverable events to the dead-letter queue with retries', () => {
    for (const fnId of [branchFnId, releaseFnId]) {
      for (const rule of ruleTargeting(template, fnId)) {
        expect(rule.Properties.Targets).toEqual([
          expect.objectContaining({
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/DeadLetterQueue/), 'Arn'] } },
            RetryPolicy: expect.objectContaining({ MaximumRetryAttempts: expect.any(Number) }),
          }),
        ]);
      }
    }
  });

  it('limits the branch function to the branch stacks of the project, created through the service role', () => {
    const statements = policyOfRole(template, roleOf(branchFn));
    const byAction = (action: string) => statements.find((s) => [s.Action].flat().includes(action));
    // What lambda/branch-pipeline calls (CreateStack with tags, DeleteStack); it never updates a stack.
    // "<project>-branch-*" also names stacks of a project "<project>-branch": every statement is scoped by the id tag.
    const projectId = { Ref: 'SageMakerProjectId' };
    expect(byAction('cloudformation:CreateStack')?.Condition).toEqual({
      StringEquals: {
        'aws:RequestTag/sagemaker:project-id': projectId,
        'cloudformation:RoleArn': {
          'Fn::GetAtt': [expect.stringMatching(/^BranchPipelineRolesCloudFormationRole/), 'Arn'],
        },
      },
    });
    expect(byAction('cloudformation:TagResource')?.Condition).toEqual({
      StringEquals: { 'aws:RequestTag/sagemaker:project-id': projectId },
      StringEqualsIfExists: { 'aws:ResourceTag/sagemaker:project-id': projectId },
    });
    expect(byAction('cloudformation:DeleteStack')?.Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/sagemaker:project-id': projectId },
    });
    // A stack in DELETE_FAILED: its resources and events, of this project's stacks only.
    expect(byAction('cloudformation:ListStackResources')?.Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/sagemaker:project-id': projectId },
    });
    expect([byAction('cloudformation:ListStackResources')?.Action].flat()).toContain(
      'cloudformation:DescribeStackEvents',
    );
    const stackActions = [
      'cloudformation:CreateStack',
      'cloudformation:TagResource',
      'cloudformation:DeleteStack',
      'cloudformation:ListStackResources',
    ];
    for (const action of stackActions) {
      expect(JSON.stringify(byAction(action)?.Resource)).toContain(
        ':stack/mbm-",{"Ref":"SageMakerProjectName"},"-branch-*/*"',
      );
    }
    const cloudFormationActions = statements
      .flatMap((s) => [s.Action].flat())
      .filter((a) => a.startsWith('cloudformation:'));
    expect(cloudFormationActions.sort()).toEqual(
      [
        'cloudformation:CreateStack',
        'cloudformation:DeleteStack',
        'cloudformation:DescribeStacks',
        'cloudformation:DescribeStackEvents',
        'cloudformation:ListStackResources',
        'cloudformation:TagResource',
      ].sort(),
    );
    const passRole = passRoleStatements(statements);
    expect(passRole).toHaveLength(1);
    expect(JSON.stringify(passRole[0]?.Resource)).toMatch(/BranchPipelineRolesCloudFormationRole\w+","Arn"/);
    expect(passRole[0]?.Condition).toEqual(passedTo('cloudformation.amazonaws.com'));
    const templateRead = statements.find((s) => [s.Action].flat().includes('s3:GetObject'));
    expect(templateRead?.Action).toBe('s3:GetObject');
    expect(JSON.stringify(templateRead?.Resource)).toMatch(/multibranch-mlops-assets-[^*]+\/[0-9a-f]{64}\.json"/);
  });

  it('lets the branch function describe, read the tags of and delete only the SageMaker pipelines of the project', () => {
    const statements = policyOfRole(template, roleOf(branchFn)).filter((s) =>
      [s.Action].flat().some((action) => action.startsWith('sagemaker:')),
    );
    expect(statements).toHaveLength(2);
    expect(statements.flatMap((s) => [s.Action].flat()).sort()).toEqual(
      ['sagemaker:DeletePipeline', 'sagemaker:DescribePipeline', 'sagemaker:ListTags'].sort(),
    );
    for (const statement of statements) {
      expect(JSON.stringify(statement.Resource)).toContain(':pipeline/",{"Ref":"SageMakerProjectName"},"-*"');
    }
    // Deleted only when tagged with the project id; read also when untagged (a pipeline never created answers
    // "not found").
    const projectId = { Ref: 'SageMakerProjectId' };
    const deletes = statements.find((s) => [s.Action].flat().includes('sagemaker:DeletePipeline'));
    expect(deletes?.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/sagemaker:project-id': projectId } });
    const reads = statements.find((s) => [s.Action].flat().includes('sagemaker:ListTags'));
    expect(reads?.Condition).toEqual({
      StringEqualsIfExists: { 'aws:ResourceTag/sagemaker:project-id': projectId },
    });
  });

  it('gives the release function exactly the actions its code makes, on the project resources', () => {
    const statements = policyOfRole(template, roleOf(releaseFn));
    const tables = template.findResources('AWS::DynamoDB::Table');
    const intentTableId = Object.keys(tables).find((id) => id.includes('IntentTable'));
    const indexTableId = Object.keys(tables).find((id) => id.includes('CommitIndexTable'));
    const dynamodb = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')));
    // intents.ts: GetItem, PutItem, UpdateItem by key; commit-index.ts: PutItem and Query; no scan, delete or batch.
    expect(
      dynamodb
        .map((s) => [[s.Action].flat().sort(), [s.Resource].flat()])
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    ).toEqual(
      [
        [['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], [{ 'Fn::GetAtt': [intentTableId, 'Arn'] }]],
        [['dynamodb:PutItem', 'dynamodb:Query'], [{ 'Fn::GetAtt': [indexTableId, 'Arn'] }]],
      ].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );
    const sageMakerActions = statements.flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('sagemaker:'));
    expect(sageMakerActions.sort()).toEqual(
      [
        'sagemaker:DescribeModelPackage',
        'sagemaker:ListModelPackages',
        'sagemaker:UpdateModelPackage',
        'sagemaker:DescribePipelineExecution',
        'sagemaker:ListPipelineExecutionSteps',
        'sagemaker:ListTags',
      ].sort(),
    );
    const codecommit = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('codecommit:')));
    expect(codecommit).toEqual([
      expect.objectContaining({
        Action: ['codecommit:EvaluatePullRequestApprovalRules', 'codecommit:GetPullRequest'],
        Resource: { 'Fn::GetAtt': [repositoryId, 'Arn'] },
      }),
    ]);
    const s3Writes = statements.filter((s) => [s.Action].flat().includes('s3:PutObject'));
    expect(JSON.stringify(s3Writes.map((s) => s.Resource))).toContain('/approved-artifacts/*');
    expect(s3Writes).toHaveLength(1);
  });

  it('conditions every iam:PassRole of the project template on the service it is passed to', () => {
    const statements = (Object.values(template.findResources('AWS::IAM::Policy')) as Resource[]).flatMap(
      (policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
    );
    const passRole = passRoleStatements(statements);
    expect(passRole).toHaveLength(5);
    for (const statement of passRole) {
      expect(statement.Condition).toEqual({
        StringEquals: { 'iam:PassedToService': expect.stringMatching(/^[a-z]+\.amazonaws\.com$/) },
      });
    }
  });

  it("lets the branch function read the branches of the project's repository only: ListBranches, GetBranch", () => {
    // ListBranches for the reconcile; GetBranch before an event creates a stack (a late event of a deleted branch).
    const statements = policyOfRole(template, roleOf(branchFn)).filter((s) =>
      [s.Action].flat().some((action) => action.startsWith('codecommit:')),
    );
    expect(statements).toHaveLength(1);
    expect([statements[0]?.Action].flat().sort()).toEqual(['codecommit:GetBranch', 'codecommit:ListBranches']);
    expect(statements[0]?.Resource).toEqual({ 'Fn::GetAtt': [repositoryId, 'Arn'] });
  });

  it('lets the build upsert, start and list only the SageMaker pipelines of the project, and pass only the execution role', () => {
    const statements = policyOfRole(template, roleAssumedBy(template, 'codebuild.amazonaws.com'));
    const pipelines = statements.find((s) => [s.Action].flat().includes('sagemaker:CreatePipeline'));
    // Exactly what the run command calls (RUN_COMMAND_PERMISSIONS, checked against run.js's calls), nothing else.
    // Plus what contract 1 asks of the run command: create (tagged) and describe the groups of further models.
    const pipelineStatements = statements.filter((s) => JSON.stringify(s.Resource).includes(':pipeline/'));
    const sageMakerActions = pipelineStatements.flatMap((s) => [s.Action].flat());
    expect(sageMakerActions.sort()).toEqual([...RUN_COMMAND_PERMISSIONS.sagemaker].sort());
    expect(JSON.stringify(pipelines?.Resource)).toContain(':pipeline/",{"Ref":"SageMakerProjectName"},"-*"');
    // Every pipeline statement is scoped by the project id tag, but DescribePipelineExecution (no condition key).
    for (const statement of pipelineStatements) {
      if ([statement.Action].flat().includes('sagemaker:DescribePipelineExecution')) continue;
      expect(JSON.stringify(statement.Condition)).toContain('Tag/sagemaker:project-id"');
    }
    const passRole = passRoleStatements(statements);
    expect(passRole).toHaveLength(1);
    expect([passRole[0]?.Action].flat()).toEqual([...RUN_COMMAND_PERMISSIONS.iam]);
    expect(JSON.stringify(passRole[0]?.Resource)).toMatch(/^\{"Fn::GetAtt":\["SageMakerExecutionRole\w+","Arn"\]\}$/);
    expect(passRole[0]?.Condition).toEqual(passedTo('sagemaker.amazonaws.com'));
  });

  it("lets the SageMaker execution role register models in the project's group only", () => {
    const executionRoleId = roleAssumedBy(template, 'sagemaker.amazonaws.com');
    const register = policyOfRole(template, executionRoleId).filter((s) =>
      [s.Action].flat().includes('sagemaker:CreateModelPackage'),
    );
    expect(JSON.stringify(register)).toContain(':model-package-group/model-",{"Ref":"SageMakerProjectName"}');
    expect(JSON.stringify(register)).toContain(':model-package/model-",{"Ref":"SageMakerProjectName"},"/*"');
    // Only as PendingManualApproval, only tagged as the project's, only into groups tagged as the project's.
    expect(JSON.stringify(register)).toContain('"sagemaker:ModelApprovalStatus":"PendingManualApproval"');
    for (const statement of register) expect(JSON.stringify(statement.Condition)).toContain('sagemaker:project-id');
    const actions = policyOfRole(template, executionRoleId).flatMap((s) => [s.Action].flat());
    expect(actions).not.toContain('sagemaker:UpdateModelPackage');
  });

  it('lets the SageMaker execution role pass only itself, only to SageMaker (the jobs of an execution)', () => {
    const executionRoleId = roleAssumedBy(template, 'sagemaker.amazonaws.com');
    const passRole = passRoleStatements(policyOfRole(template, executionRoleId));
    expect(passRole).toHaveLength(1);
    expect(passRole[0]?.Resource).toEqual({ 'Fn::GetAtt': [executionRoleId, 'Arn'] });
    expect(passRole[0]?.Condition).toEqual(passedTo('sagemaker.amazonaws.com'));
  });

  it('publishes the per-branch template as an asset of the product', () => {
    const env = (branchFn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    const key = /([0-9a-f]{64}\.json)/.exec(JSON.stringify(env.PIPELINE_TEMPLATE_URL))?.[1];
    const sources = built.baselineTemplate.findResources('Custom::CDKBucketDeployment');
    expect(JSON.stringify(sources)).toContain(key);
  });
});
