/**
 * The per-branch template: one CodePipeline (V2) that trains the branch on every push.
 *
 * Synthesized once, at synth time, to a parameterized CloudFormation template; the branch Lambda creates one stack
 * from it per experiment branch (parameters `BranchName` and `PipelineName`) and passes the project's static
 * parameters unchanged. The template creates no IAM role and no bucket: the pipeline, its actions and its trigger
 * rule run with the project's roles and store artifacts in the project's bucket.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  App,
  Aws,
  BootstraplessSynthesizer,
  CfnParameter,
  IPolicyValidationPlugin,
  Stack,
  StackProps,
  Fn,
  Tags,
  Validations,
} from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as events from 'aws-cdk-lib/aws-events';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { TAG_PROJECT_ID, TAG_PROJECT_NAME } from '../contracts/naming';

/** The template's parameters, as docs/design.md fixes them. */
export const BRANCH_TEMPLATE_PARAMETERS = [
  'BranchName',
  'PipelineName',
  'ProjectName',
  'ProjectId',
  'RepositoryName',
  'CodeBuildProjectName',
  'ArtifactBucketName',
  'PipelineRoleArn',
  'EventsRoleArn',
] as const;
export type BranchTemplateParameter = (typeof BRANCH_TEMPLATE_PARAMETERS)[number];

const DESCRIPTIONS: Record<BranchTemplateParameter, string> = {
  BranchName: 'Full name of the experiment branch this pipeline trains (for example experiment/deeper-trees).',
  PipelineName: 'Name of the CodePipeline pipeline, derived from the project and branch names.',
  ProjectName: 'Name of the SageMaker project.',
  ProjectId: 'Id of the SageMaker project.',
  RepositoryName: "Name of the project's CodeCommit repository.",
  CodeBuildProjectName: "Name of the project's shared CodeBuild project that runs the training.",
  ArtifactBucketName: "Name of the project's artifact bucket.",
  PipelineRoleArn: 'ARN of the role that the pipeline and its actions use.',
  EventsRoleArn: 'ARN of the role that EventBridge uses to start the pipeline on a push.',
};

/**
 * The name prefix of a branch stack's trigger rule: `mbm-<project id>-`, followed by the stack's id (a UUID), so the
 * name is unique, at most 57 characters (the limit is 64), and the project's CloudFormation role can be scoped to it.
 */
export function triggerRuleNamePrefix(projectId: string): string {
  return `mbm-${projectId}-`;
}

/** Stage and action names of the branch pipeline. */
export const SOURCE_STAGE = 'Source';
export const TRAIN_STAGE = 'Train';

export class BranchPipelineStack extends Stack {
  /** The template's parameters by name. */
  readonly parameters: Record<BranchTemplateParameter, CfnParameter>;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, {
      description: 'multibranch-mlops: the training pipeline of one experiment branch',
      analyticsReporting: false,
      ...props,
    });

    const parameters = {} as Record<BranchTemplateParameter, CfnParameter>;
    for (const name of BRANCH_TEMPLATE_PARAMETERS) {
      parameters[name] = new CfnParameter(this, name, {
        type: 'String',
        description: DESCRIPTIONS[name],
        minLength: 1,
      });
    }
    parameters.PipelineName.allowedPattern = '[A-Za-z0-9.@_-]{1,100}';
    parameters.PipelineRoleArn.allowedPattern = 'arn:aws[a-z-]*:iam::[0-9]{12}:role/.+';
    parameters.EventsRoleArn.allowedPattern = 'arn:aws[a-z-]*:iam::[0-9]{12}:role/.+';
    this.parameters = parameters;
    const value = (name: BranchTemplateParameter) => parameters[name].valueAsString;

    // Imported, immutable: CDK adds no policy and creates no role for the pipeline, its actions or its trigger.
    const pipelineRole = iam.Role.fromRoleArn(this, 'PipelineRole', value('PipelineRoleArn'), { mutable: false });
    const eventsRole = iam.Role.fromRoleArn(this, 'EventsRole', value('EventsRoleArn'), { mutable: false });
    const artifactBucket = s3.Bucket.fromBucketName(this, 'ArtifactBucket', value('ArtifactBucketName'));
    const repository = codecommit.Repository.fromRepositoryName(this, 'Repository', value('RepositoryName'));
    const buildProject = codebuild.Project.fromProjectName(this, 'TrainProject', value('CodeBuildProjectName'));

    const sourceOutput = new codepipeline.Artifact('SourceOutput');
    const source = new actions.CodeCommitSourceAction({
      actionName: 'Source',
      repository,
      branch: value('BranchName'),
      output: sourceOutput,
      trigger: actions.CodeCommitTrigger.EVENTS,
      eventRole: eventsRole,
      variablesNamespace: 'SourceVariables',
    });
    const train = new actions.CodeBuildAction({
      actionName: 'Train',
      project: buildProject,
      input: sourceOutput,
      // CodePipeline substitutes action variables after it has parsed this JSON, so the branch goes in as the source
      // action's variable: the raw parameter, spliced into the JSON string by Fn::Join, would break the JSON for a
      // branch with `"` or `\` (both allowed by git) and the stack would fail to create.
      environmentVariables: {
        BRANCH_NAME: { value: source.variables.branchName },
        COMMIT_HASH: { value: source.variables.commitId },
      },
    });

    new codepipeline.Pipeline(this, 'Pipeline', {
      pipelineName: value('PipelineName'),
      pipelineType: codepipeline.PipelineType.V2,
      role: pipelineRole,
      artifactBucket,
      crossAccountKeys: false,
      // The actions run with the pipeline role: no action role, so the template creates none.
      usePipelineRoleForActions: true,
      restartExecutionOnUpdate: false,
      stages: [
        { stageName: SOURCE_STAGE, actions: [source] },
        { stageName: TRAIN_STAGE, actions: [train] },
      ],
    });

    // Name the trigger rule that the source action creates; CloudFormation's generated name would be cut to 64
    // characters at an unpredictable place, which no IAM policy can be scoped to.
    const triggerRules = this.node.findAll().filter((c): c is events.CfnRule => c instanceof events.CfnRule);
    if (triggerRules.length !== 1) throw new Error(`expected one trigger rule, found ${triggerRules.length}`);
    triggerRules[0]!.name = Fn.join('', [
      triggerRuleNamePrefix(value('ProjectId')),
      Fn.select(2, Fn.split('/', Aws.STACK_ID)),
    ]);

    Tags.of(this).add(TAG_PROJECT_NAME, value('ProjectName'));
    Tags.of(this).add(TAG_PROJECT_ID, value('ProjectId'));
    // No resource tag carries the raw BranchName: tag values allow only letters, digits, spaces and `_.:/=+-@`, and
    // branch names may hold anything git accepts. The branch Lambda tags the stack with `branchTagValue(branch)`,
    // which CloudFormation propagates to these resources.
  }
}

export interface BranchTemplateOptions {
  /**
   * Creates the policy validation plugins (cdk-nag) that run on the branch template's own app.
   * @default - no plugins
   */
  readonly validationPlugins?: (app: App) => IPolicyValidationPlugin[];
  /** Context of the branch template's app. @default - no context */
  readonly context?: Record<string, unknown>;
}

/**
 * Synthesizes {@link BranchPipelineStack} in an assembly of its own (a temporary directory, removed afterwards)
 * and writes its template to `targetFile`. Returns `targetFile`.
 */
export function synthesizeBranchTemplate(targetFile: string, options: BranchTemplateOptions = {}): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'branch-pipeline-'));
  try {
    const app = new App({ outdir, context: options.context });
    // No bootstrap version rule or parameter: the branch Lambda deploys this template directly, not the CDK CLI.
    const stack = new BranchPipelineStack(app, 'BranchPipeline', { synthesizer: new BootstraplessSynthesizer() });
    const plugins = options.validationPlugins?.(app) ?? [];
    if (plugins.length > 0) Validations.of(app).addPlugins(...plugins);
    const assembly = app.synth();
    const artifact = assembly.getStackByName(stack.stackName);
    fs.mkdirSync(path.dirname(targetFile), { recursive: true });
    fs.copyFileSync(artifact.templateFullPath, targetFile);
    return targetFile;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
