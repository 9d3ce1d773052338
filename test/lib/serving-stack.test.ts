/**
 * The serving stacks and the registry side of cross-account serving, synthesized as bin/app.ts composes them: one
 * same-account stage without delay (sandbox) and one cross-account stage with a delay (qa). Both pass cdk-nag
 * (synthesis fails on an unacknowledged finding) and cfn-lint; the template assertions pin what the issue asks.
 * Not checked here: the handler permissions CloudFormation needs to create these resources (the `oracles` check is
 * not available on this branch yet).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BaselineStack } from '../../lib/baseline-stack';
import { prepareBuildInputs } from '../../lib/build-inputs';
import { DEPLOY_PERMISSIONS } from '../../lambda/deploy-model/permissions';
import { readConfig } from '../../lib/config';
import { createServingStacks, ServingStack } from '../../lib/serving-stack';
import { TEST_ACCOUNT, testContext } from '../support/app';
import { cfnLint } from '../support/cfn-lint';
import { NO_CREATION_STACKS } from '../support/creation-stacks';
import { awsEvent, SHARED_DIR } from '../support/fixtures';
import { matchesEventPattern } from '../e2e/support/event-pattern';

const STAGE_ACCOUNT = '222222222222';
const SERVING = {
  projects: [
    { name: 'churn', id: 'p-churn000001', artifactBucket: 'churn-artifacts-bucket' },
    { name: 'demo', id: 'p-demo0000001' },
  ],
  retainArtifacts: 4,
  stages: [
    { name: 'sandbox' },
    { name: 'qa', account: STAGE_ACCOUNT, delayMinutes: 60, instanceType: 'ml.c5.large', instanceCount: 2 },
  ],
};

interface Built {
  outdir: string;
  stacks: ServingStack[];
  sandbox: Template;
  /** The second stage's template (the first one's when only one stage is configured). */
  qa: Template;
  product: Template;
  baseline: Template;
  files: string[];
}

function build(serving: unknown = SERVING, extend?: (stacks: ServingStack[]) => void): Built {
  return synthesize(serving, extend, true) as Built;
}

/**
 * The serving stacks alone (`product` and `baseline` then undefined), for tests that read only them: they do not
 * depend on the baseline stack, which bin/app.ts creates beside them and `built` checks.
 */
function buildServing(serving: unknown, extend?: (stacks: ServingStack[]) => void) {
  return synthesize(serving, extend, false);
}

function synthesize(serving: unknown, extend: ((stacks: ServingStack[]) => void) | undefined, withBaseline: boolean) {
  process.env.CDK_VALIDATION = 'false';
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mbm-serving-'));
  const app = new App({ outdir, context: testContext({ serving }) });
  const config = readConfig((key) => app.node.tryGetContext(key), {});
  const baseline = withBaseline
    ? new BaselineStack(app, 'MultibranchMlops', {
        config,
        snapshotDirectory: path.join(outdir, 'snapshots'),
        buildInputs: prepareBuildInputs({
          sourceProvider: config.sourceProvider,
          outdir,
          branchTemplateContext: NO_CREATION_STACKS,
        }),
      })
    : undefined;
  const stacks = createServingStacks(app, config);
  extend?.(stacks);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const assembly = app.synth();
  const read = (file: string) =>
    Template.fromJSON(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>);
  const files = stacks.map((s) => assembly.getStackByName(s.stackName).templateFullPath);
  const productFile = baseline && path.join(assembly.directory, baseline.productStack.templateFile);
  return {
    outdir,
    stacks,
    sandbox: read(files[0] as string),
    qa: read((files[1] ?? files[0]) as string),
    product: productFile === undefined ? undefined : read(productFile),
    baseline: baseline && read(assembly.getStackByName(baseline.stackName).templateFullPath),
    files: productFile === undefined ? files : [...files, productFile],
  };
}

// Shared by every test: the configured app, and one where every stage is in the registry account.
let built: Built;
let sameAccount: Built;
beforeAll(() => {
  built = build();
  sameAccount = build({ ...SERVING, stages: [{ name: 'sandbox' }] });
});
afterAll(() => {
  for (const b of [built, sameAccount]) if (b !== undefined) fs.rmSync(b.outdir, { recursive: true, force: true });
});

describe('serving stacks', () => {
  it('creates one stack per stage, in the configured accounts, with zero cdk-nag findings', () => {
    expect(built.stacks.map((s) => [s.stackName, s.account])).toEqual([
      ['MultibranchMlops-Serving-sandbox', TEST_ACCOUNT],
      ['MultibranchMlops-Serving-qa', STAGE_ACCOUNT],
    ]);
    const report = JSON.parse(fs.readFileSync(`${built.outdir}/validation-report.json`, 'utf8')) as {
      pluginReports: Array<{ conclusion: string; violations: unknown[] }>;
    };
    expect(report.pluginReports.map((r) => [r.conclusion, r.violations])).toEqual([['success', []]]);
  });

  it('fails synthesis on an unacknowledged cdk-nag finding in a serving stack (the check can fail)', () => {
    expect(() =>
      buildServing(SERVING, (stacks) => {
        new s3.Bucket(stacks[0] as ServingStack, 'UncheckedBucket');
      }),
    ).toThrow(/AwsSolutions-S10/);
  });

  it('reports zero cfn-lint errors and no warning on the serving and product templates', async () => {
    const { errors, warnings } = await cfnLint(built.files);
    expect(errors).toEqual([]);
    expect(warnings.filter((id) => id !== 'W3005')).toEqual([]);
  });

  it('serves from a multi-model scikit-learn model, on CPU instances from configuration', () => {
    built.qa.hasResourceProperties('AWS::SageMaker::Model', {
      PrimaryContainer: Match.objectLike({
        Mode: 'MultiModel',
        Image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3',
        ModelDataUrl: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['/models/'])] }),
        Environment: Match.objectLike({ SAGEMAKER_PROGRAM: 'inference.py' }),
      }),
    });
    built.qa.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      ProductionVariants: [Match.objectLike({ InstanceType: 'ml.c5.large', InitialInstanceCount: 2 })],
      KmsKeyId: Match.anyValue(),
    });
    built.qa.hasResourceProperties('AWS::SageMaker::Endpoint', { EndpointName: 'multibranch-mlops-qa' });
    built.sandbox.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      ProductionVariants: [Match.objectLike({ InstanceType: 'ml.m5.large', InitialInstanceCount: 1 })],
    });
  });

  it('gives the deploy function its stage, projects, delay and retention, one run at a time', () => {
    built.qa.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'deploy-model-qa',
      ReservedConcurrentExecutions: 1,
      Environment: {
        Variables: Match.objectLike({
          STAGE_NAME: 'qa',
          REGISTRY_ACCOUNT: TEST_ACCOUNT,
          OWN_ACCOUNT: STAGE_ACCOUNT,
          SERVED_PROJECTS: JSON.stringify([
            { name: 'churn', id: 'p-churn000001' },
            { name: 'demo', id: 'p-demo0000001' },
          ]),
          DELAY_SECONDS: '3600',
          RETAIN_ARTIFACTS: '4',
          SERVING_PREFIX: 'models/',
          PARAMETER_PREFIX: '/multibranch-mlops/serving/qa/',
        }),
      },
    });
  });

  it('routes Approved and Rejected changes of the served groups from the registry account only', () => {
    const pattern = {
      source: ['aws.sagemaker'],
      'detail-type': ['SageMaker Model Package State Change'],
      account: [TEST_ACCOUNT],
      detail: {
        ModelPackageGroupName: ['model-churn', { prefix: 'model-churn-' }, 'model-demo', { prefix: 'model-demo-' }],
        ModelApprovalStatus: ['Approved', 'Rejected'],
      },
    };
    built.sandbox.hasResourceProperties('AWS::Events::Rule', { EventPattern: pattern });
    built.qa.hasResourceProperties('AWS::Events::Rule', { EventPattern: pattern });
  });

  it("matches AWS's documented state change of a served group, and not the others (event pattern matcher)", () => {
    const rule = Object.values(built.qa.findResources('AWS::Events::Rule'))[0] as {
      Properties: { EventPattern: Record<string, unknown> };
    };
    const event = (group: string, status: string, account = TEST_ACCOUNT) => {
      const sample = awsEvent<Record<string, unknown> & { detail: Record<string, unknown> }>(
        'sagemaker-model-package-state-change.json',
      );
      return {
        ...sample,
        source: 'aws.sagemaker',
        account,
        detail: { ...sample.detail, ModelPackageGroupName: group, ModelApprovalStatus: status },
      };
    };
    const matches = (e: unknown) => matchesEventPattern(rule.Properties.EventPattern, e);
    expect(matches(event('model-churn', 'Approved'))).toBe(true);
    expect(matches(event('model-churn-v2', 'Rejected'))).toBe(true);
    expect(matches(event('model-demo', 'Rejected'))).toBe(true);
    expect(matches(event('model-churn', 'PendingManualApproval'))).toBe(false);
    expect(matches(event('model-churnx', 'Approved'))).toBe(false);
    expect(matches(event('model-churn', 'Approved', STAGE_ACCOUNT))).toBe(false);
  });

  it('sends a stage without delay straight to the function, a stage with delay through a Wait', () => {
    built.sandbox.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
    built.qa.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    const machine = Object.values(built.qa.findResources('AWS::StepFunctions::StateMachine'))[0] as {
      Properties: { DefinitionString: unknown };
    };
    // The definition is a Fn::Join around the function's ARN: rebuild the JSON with a placeholder for it.
    const join = (machine.Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    const definition = JSON.parse(join.map((part) => (typeof part === 'string' ? part : 'ARN')).join('')) as {
      StartAt: string;
      States: Record<string, { Type: string; Seconds?: number; Next?: string; Choices?: unknown[]; Default?: string }>;
    };
    const choice = definition.States[definition.StartAt];
    expect(choice).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.detail.ModelApprovalStatus', StringEquals: 'Approved', Next: 'StayApproved' }],
      Default: 'ResolveNow',
    });
    // One hour of delay plus the margin for the event's arrival after LastModifiedTime.
    expect(definition.States.StayApproved).toMatchObject({ Type: 'Wait', Seconds: 3660, Next: 'ResolveAfterDelay' });
    expect(definition.States.ResolveNow?.Type).toBe('Task');
  });

  it('reads only the configured artifact bucket when every project names one, and only tags in the same account', () => {
    const policies = JSON.stringify(built.sandbox.findResources('AWS::IAM::Policy'));
    expect(policies).toContain('sagemaker:ListTags');
    // demo has no artifactBucket: the statement falls back to the registry account's buckets (s3:ResourceAccount).
    expect(policies).toContain('s3:ResourceAccount');
    const qaPolicies = JSON.stringify(built.qa.findResources('AWS::IAM::Policy'));
    expect(qaPolicies).not.toContain('sagemaker:ListTags');
    const narrow = buildServing({ ...SERVING, projects: [SERVING.projects[0]] });
    try {
      const statements = JSON.stringify(narrow.sandbox.findResources('AWS::IAM::Policy'));
      expect(statements).toContain('churn-artifacts-bucket/*');
      expect(statements).not.toContain(':s3:::*/*');
    } finally {
      fs.rmSync(narrow.outdir, { recursive: true, force: true });
    }
  });

  it("grants the deploy role exactly DEPLOY_PERMISSIONS (ListTags only in the registry's account)", () => {
    const deployRoleActions = (template: Template) =>
      new Set(
        Object.values(template.findResources('AWS::IAM::Policy'))
          .map((p) => p as { Properties: { Roles: Array<{ Ref: string }>; PolicyDocument: { Statement: unknown[] } } })
          .filter((p) => p.Properties.Roles.some((r) => r.Ref.startsWith('DeployHandlerRole')))
          .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>)
          .flatMap((st) => (Array.isArray(st.Action) ? st.Action : [st.Action]))
          .filter((a) => !a.startsWith('logs:') && !a.startsWith('sqs:')),
      );
    const all = new Set<string>(Object.values(DEPLOY_PERMISSIONS).flat());
    expect([...deployRoleActions(built.sandbox)].sort()).toEqual([...all].sort());
    all.delete('sagemaker:ListTags');
    expect([...deployRoleActions(built.qa)].sort()).toEqual([...all].sort());
  });

  it('lets the registry account put events on a cross-account stage bus, and no one on a same-account one', () => {
    built.qa.hasResourceProperties('AWS::Events::EventBusPolicy', {
      EventBusName: 'default',
      Statement: Match.objectLike({
        Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${TEST_ACCOUNT}:root`]] } },
        Action: 'events:PutEvents',
      }),
    });
    built.sandbox.resourceCountIs('AWS::Events::EventBusPolicy', 0);
  });
});

describe('deploy function reads only versions of served projects (isolation, issue 10)', () => {
  const readVersions = (template: Template) =>
    Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((r) => (r as { Properties: { PolicyDocument: { Statement: { Sid?: string }[] } } }).Properties)
      .flatMap((p) => p.PolicyDocument.Statement)
      .filter((st) => st.Sid === 'ReadApprovedVersions') as { Condition?: unknown }[];

  it("in the registry's account, by the versions' project id tag (model-<project>* names other projects too)", () => {
    const [statement] = readVersions(built.sandbox);
    expect(statement?.Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/sagemaker:project-id': SERVING.projects.map((p) => p.id) },
    });
  });

  it("in another account, through the registry's group policy on exactly model-<project>", () => {
    const [statement] = readVersions(built.qa);
    expect(statement).toBeDefined();
    expect(statement?.Condition).toBeUndefined();
  });
});

describe('registry side of a cross-account stage (project template)', () => {
  it('shares the group with the stage accounts for DescribeModelPackage and ListModelPackages only', () => {
    built.product.hasResourceProperties('AWS::SageMaker::ModelPackageGroup', {
      ModelPackageGroupPolicy: {
        Version: '2012-10-17',
        Statement: [
          Match.objectLike({
            Principal: {
              AWS: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${STAGE_ACCOUNT}:root`]] }],
            },
            Action: ['sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages'],
          }),
        ],
      },
    });
  });

  it('encrypts the artifact bucket with a rotated customer-managed key the stage may decrypt through S3', () => {
    built.product.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'StagesDecryptThroughS3',
            Action: 'kms:Decrypt',
            Condition: Match.objectLike({ StringEquals: Match.objectLike({ 'kms:ViaService': Match.anyValue() }) }),
          }),
        ]),
      }),
    });
    built.product.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) }),
        ],
      },
    });
    built.product.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'ServingStagesReadArtifacts', Action: ['s3:GetObject', 's3:GetObjectVersion'] }),
        ]),
      }),
    });
  });

  it("forwards the group's Approved and Rejected changes to the stage account's default bus", () => {
    built.product.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: {
          ModelPackageGroupName: [{ 'Fn::Join': ['', ['model-', { Ref: 'SageMakerProjectName' }]] }],
          ModelApprovalStatus: ['Approved', 'Rejected'],
        },
      }),
      Targets: [
        Match.objectLike({
          Arn: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':events:',
                { Ref: 'AWS::Region' },
                `:${STAGE_ACCOUNT}:event-bus/default`,
              ],
            ],
          },
        }),
      ],
    });
  });

  it("lets the launch role create the key and the group's policy: AWS's handler permissions for them", () => {
    // A targeted check for the resources this part adds; the general handler-permission check is the oracles
    // helper's (not on this branch yet).
    const data = JSON.parse(fs.readFileSync(path.join(SHARED_DIR, 'data', 'cfn-handler-permissions.json'), 'utf8')) as {
      types: Record<string, { handlers: Record<string, string[]> }>;
    };
    const needed = (type: string, filter: (action: string) => boolean = () => true) =>
      ['create', 'read', 'update', 'delete'].flatMap((h) => data.types[type]?.handlers[h] ?? []).filter(filter);
    const launchRoleActions = (template: Template) =>
      Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((p) => JSON.stringify(p).includes('LaunchRole'))
        .flatMap((p) =>
          (
            p as { Properties: { PolicyDocument: { Statement: Array<{ Action: string | string[] }> } } }
          ).Properties.PolicyDocument.Statement.flatMap((st) => (Array.isArray(st.Action) ? st.Action : [st.Action])),
        );
    const granted = new Set(launchRoleActions(built.baseline));
    const required = [
      ...needed('AWS::KMS::Key'),
      ...needed('AWS::SageMaker::ModelPackageGroup', (a) => a.includes('ModelPackageGroupPolicy')),
    ];
    expect(required.length).toBeGreaterThan(10);
    expect([...new Set(required)].filter((a) => !granted.has(a))).toEqual([]);
    // Without a stage in another account the launch role keeps only what the rest of the template needs: the
    // alarm topic's key (kms:CreateKey and the key actions), but not the group policy nor passing a role to events.
    const sameAccountActions = launchRoleActions(sameAccount.baseline);
    for (const action of ['sagemaker:PutModelPackageGroupPolicy', 'sagemaker:DeleteModelPackageGroupPolicy'])
      expect(sameAccountActions).not.toContain(action);
    expect(JSON.stringify(sameAccount.baseline.findResources('AWS::IAM::Policy'))).not.toContain('ServingAccess');
  });

  it('adds nothing to the project template when every stage is in the registry account', () => {
    // The one key is the alarm topic's (alarm-topic.test.ts); the registry's artifact key is not there.
    const keys = sameAccount.product.findResources('AWS::KMS::Key');
    expect(Object.keys(keys)).toHaveLength(1);
    expect(Object.keys(keys)[0]).toMatch(/^AlarmTopicKey/);
    expect(Object.keys(built.product.findResources('AWS::KMS::Key'))).toHaveLength(2);
    expect(JSON.stringify(sameAccount.product.findResources('AWS::SageMaker::ModelPackageGroup'))).not.toContain(
      'ModelPackageGroupPolicy',
    );
    sameAccount.product.resourceCountIs('AWS::Events::EventBusPolicy', 0);
  });
});
