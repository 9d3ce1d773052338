import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, IPolicyValidationPlugin, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  BRANCH_TEMPLATE_PARAMETERS,
  synthesizeBranchTemplate,
  triggerRuleNamePrefix,
} from '../../lib/branch-pipeline-stack';
import { TAG_BRANCH, TAG_PROJECT_ID, TAG_PROJECT_NAME } from '../../contracts/naming';
import { NO_CREATION_STACKS } from '../support/creation-stacks';

type Resource = { Type: string; Properties: Record<string, unknown> };

/** A value for every parameter but BranchName (the tests set that one). */
function placeholderParameters(): Record<string, string> {
  return Object.fromEntries(BRANCH_TEMPLATE_PARAMETERS.map((name) => [name, `value-of-${name}`]));
}

describe('BranchPipelineStack', () => {
  let dir: string;
  let template: Template;
  let raw: { Parameters: Record<string, unknown>; Resources: Record<string, Resource>; Rules?: unknown };

  beforeAll(() => {
    process.env.CDK_VALIDATION = 'false';
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mbm-branch-'));
    const file = synthesizeBranchTemplate(path.join(dir, 'branch.template.json'), { context: NO_CREATION_STACKS });
    raw = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof raw;
    template = Template.fromJSON(raw);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('has exactly the parameters of the contract, and nothing for the CDK bootstrap', () => {
    expect(Object.keys(raw.Parameters).sort()).toEqual([...BRANCH_TEMPLATE_PARAMETERS].sort());
    expect(raw.Rules).toBeUndefined();
  });

  it('creates no IAM role, no policy and no bucket: two resources, the pipeline and its trigger rule', () => {
    template.resourceCountIs('AWS::IAM::Role', 0);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
    expect(
      Object.values(raw.Resources)
        .map((r) => r.Type)
        .sort(),
    ).toEqual(['AWS::CodePipeline::Pipeline', 'AWS::Events::Rule']);
  });

  it("runs a V2 pipeline named by the parameter with the project's role and artifact bucket", () => {
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Name: { Ref: 'PipelineName' },
      PipelineType: 'V2',
      RoleArn: { Ref: 'PipelineRoleArn' },
      ArtifactStore: { Type: 'S3', Location: { Ref: 'ArtifactBucketName' }, EncryptionKey: Match.absent() },
    });
  });

  it('sources the branch from the repository and trains it on the shared build project', () => {
    const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline')) as Resource[];
    const stages = pipeline?.Properties.Stages as Array<{ Name: string; Actions: Array<Record<string, unknown>> }>;
    expect(stages.map((s) => s.Name)).toEqual(['Source', 'Train']);
    const [source] = stages[0]?.Actions ?? [];
    const [train] = stages[1]?.Actions ?? [];
    expect(source).toMatchObject({
      ActionTypeId: { Category: 'Source', Provider: 'CodeCommit' },
      Configuration: {
        RepositoryName: { Ref: 'RepositoryName' },
        BranchName: { Ref: 'BranchName' },
        PollForSourceChanges: false,
      },
      Namespace: 'SourceVariables',
    });
    expect(train).toMatchObject({
      ActionTypeId: { Category: 'Build', Provider: 'CodeBuild' },
      Configuration: { ProjectName: { Ref: 'CodeBuildProjectName' } },
    });
    // The actions run with the pipeline role: no action role of their own.
    expect(source?.RoleArn).toBeUndefined();
    expect(train?.RoleArn).toBeUndefined();
  });

  /** The build action's EnvironmentVariables as CloudFormation passes them, with `parameters` substituted. */
  function renderEnvironmentVariables(parameters: Record<string, string>): string {
    const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline')) as Resource[];
    const stages = pipeline?.Properties.Stages as Array<{ Actions: Array<{ Configuration: Record<string, unknown> }> }>;
    const env = stages[1]?.Actions[0]?.Configuration.EnvironmentVariables;
    if (typeof env === 'string') return env;
    const join = env as { 'Fn::Join': [string, unknown[]] };
    return join['Fn::Join'][1]
      .map((part) => {
        if (typeof part === 'string') return part;
        const ref = (part as { Ref: string }).Ref;
        const value = parameters[ref];
        if (value === undefined) throw new Error(`EnvironmentVariables refers to ${ref}, which the test does not set`);
        return value;
      })
      .join(join['Fn::Join'][0]);
  }

  it('passes the branch name and the commit to the build as the source action variables', () => {
    expect(JSON.parse(renderEnvironmentVariables({}))).toEqual([
      { name: 'BRANCH_NAME', type: 'PLAINTEXT', value: '#{SourceVariables.BranchName}' },
      { name: 'COMMIT_HASH', type: 'PLAINTEXT', value: '#{SourceVariables.CommitId}' },
    ]);
  });

  it('never splices the BranchName parameter into the JSON of the build variables', () => {
    const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline')) as Resource[];
    const stages = pipeline?.Properties.Stages as Array<{ Actions: Array<{ Configuration: Record<string, unknown> }> }>;
    const env = stages[1]?.Actions[0]?.Configuration.EnvironmentVariables;
    expect(JSON.stringify(env)).not.toContain('"Ref":"BranchName"');
  });

  it.each(['experiment/a"b', 'experiment/back\\slash', 'experiment/"}]{[', 'experiment/ü-\\"\\u0041\''])(
    'gives the build valid JSON for the branch %j',
    (branch) => {
      const rendered = renderEnvironmentVariables({ ...placeholderParameters(), BranchName: branch });
      expect(() => JSON.parse(rendered) as unknown).not.toThrow();
    },
  );

  it('starts the pipeline on each push to the branch, with the events role', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.codecommit'],
        'detail-type': ['CodeCommit Repository State Change'],
        resources: [Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([{ Ref: 'RepositoryName' }])]) })],
        detail: { event: ['referenceCreated', 'referenceUpdated'], referenceName: [{ Ref: 'BranchName' }] },
      },
      Targets: [Match.objectLike({ RoleArn: { Ref: 'EventsRoleArn' } })],
    });
  });

  it('names the trigger rule "mbm-<project id>-<stack uuid>", which the CloudFormation role is scoped to', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: {
        'Fn::Join': [
          '',
          ['mbm-', { Ref: 'ProjectId' }, '-', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }],
        ],
      },
    });
    // 4 + 16 (longest project id) + 1 + 36 (UUID) characters fit EventBridge's limit of 64.
    expect(triggerRuleNamePrefix('p-abcdefghijklmn').length + 36).toBeLessThanOrEqual(64);
  });

  it('tags its resources with the project, and never with the raw branch name (not a valid tag value)', () => {
    for (const type of ['AWS::CodePipeline::Pipeline', 'AWS::Events::Rule']) {
      template.hasResourceProperties(type, {
        Tags: Match.arrayWith([
          // CDK sorts tags by key.
          { Key: TAG_PROJECT_ID, Value: { Ref: 'ProjectId' } },
          { Key: TAG_PROJECT_NAME, Value: { Ref: 'ProjectName' } },
        ]),
      });
    }
    // The branch tag comes from the stack's tags (branchTagValue), which CloudFormation propagates.
    expect(JSON.stringify(template.toJSON().Resources)).not.toContain(TAG_BRANCH);
  });
});

describe('synthesizeBranchTemplate', () => {
  it('runs the validation plugins it is given on the branch app and fails on their findings', () => {
    process.env.CDK_VALIDATION = 'false';
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mbm-branch-'));
    const seen: App[] = [];
    const rejectPipelines: IPolicyValidationPlugin = {
      name: 'reject-pipelines',
      validate: (context): PolicyValidationPluginReport => ({
        success: false,
        violations: [
          {
            ruleName: 'no-pipelines',
            description: 'test plugin that rejects every template',
            violatingResources: context.templatePaths.map((templatePath) => ({
              resourceLogicalId: 'Pipeline',
              templatePath,
              locations: ['Resources'],
            })),
          },
        ],
      }),
    };
    try {
      expect(() =>
        synthesizeBranchTemplate(path.join(dir, 'branch.template.json'), {
          context: NO_CREATION_STACKS,
          validationPlugins: (app) => {
            seen.push(app);
            return [rejectPipelines];
          },
        }),
      ).toThrow(/reject-pipelines/);
      expect(seen).toHaveLength(1);
      expect(fs.existsSync(path.join(dir, 'branch.template.json'))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
