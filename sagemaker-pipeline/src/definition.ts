/**
 * Builds the SageMaker pipeline definition (version 2020-12-01) of one branch at one commit from `pipeline.yaml`
 * and the run context:
 *
 *   data sources → processing steps (in dependency order) → per model: Training (or Tuning: the best job's artifact)
 *   → Evaluation (evaluation.json read as a property file) → Condition (the gate) → RegisterModel | (Fail)
 *
 * With one model the steps are `PreprocessData`-style processing steps, `TrainModel` (or `TuneModel`),
 * `EvaluateModel`, `CheckMetric`, `RegisterModel` and `GateFailed`; with several, each model's steps carry its name
 * (`TrainModel-forest`, ...) and a gate that fails registers nothing for that model without stopping the others
 * (no Fail step: it would end the execution while the other models are still running; the execution succeeds and
 * the step `CheckMetric-<model>` shows the outcome, which `node run.js --wait` reports per model).
 *
 * Everything that identifies the run (commit, branch, approval status, input data) is a literal of the definition,
 * which the run command builds per commit: the pipeline has no parameter that could change what it registers.
 * Each step's `Arguments` is typed as the SageMaker request it becomes (`Pipelined<Omit<CreateXRequest, 'XName'>>`).
 */
import type {
  Channel,
  CreateHyperParameterTuningJobRequest,
  CreateModelPackageInput,
  CreateProcessingJobRequest,
  CreateTrainingJobRequest,
  HyperParameterTuningJobWarmStartConfig,
  ProcessingInput,
  ProcessingInstanceType,
  ProcessingOutput,
  TrainingInstanceType,
} from '@aws-sdk/client-sagemaker';
import * as path from 'node:path';
import { COMMIT_ID_PATTERN } from '../../contracts/events';
import { branchTagValue, TAG_PROJECT_ID, TAG_PROJECT_NAME } from '../../contracts/naming';
import { METADATA_DISALLOWED, METADATA_VALUE_MAX, MODEL_METADATA } from '../../contracts/model-metadata';
import { Get, Join, JsonGet, Pipelined, execution, get, join, jsonGet } from './expressions';
import { frameworkImageUri } from './images';
import { PipelineConfig, processingOrder } from './pipeline-file';
import type { ImageSpec, ModelSpec, PipelineSpec, ProcessingSpec } from './pipeline-schema';
// Types only: the contract-4 context is retrain.ts's; this module renders it (and pulls in no SDK client).
import type { RetrainContext, WarmStart } from './retrain';
import { CompiledSource, codePrefixOf, compileSource } from './sources';
import type { Warehouse } from './sql-source';

export const DEFINITION_VERSION = '2020-12-01';

/** Step names of the one-model pipeline; with several models each gets `-<model name>`. */
export const STEP = {
  preprocess: 'PreprocessData',
  train: 'TrainModel',
  tune: 'TuneModel',
  evaluate: 'EvaluateModel',
  gate: 'CheckMetric',
  register: 'RegisterModel',
  fail: 'GateFailed',
} as const;

/** The evaluation report: output name, file, and the property file that the gate reads. */
export const EVALUATION = { output: 'evaluation', file: 'evaluation.json', propertyFile: 'EvaluationReport' } as const;

/** Paths inside the containers (SageMaker's processing conventions). */
export const PROCESSING_ROOT = '/opt/ml/processing';
export const CODE_DIR = `${PROCESSING_ROOT}/input/code`;
export const processingInputPath = (name: string) => `${PROCESSING_ROOT}/input/${name}`;
export const processingOutputPath = (name: string) => `${PROCESSING_ROOT}/output/${name}`;

/** A full commit id: the release function's own pattern, so that what the pipeline registers is what it matches. */
export const COMMIT_PATTERN = COMMIT_ID_PATTERN;

/** The approval status of every registered version (contract 2): only the release function approves. */
export const REGISTERED_STATUS = 'PendingManualApproval';

/**
 * Room kept for the execution id when deciding whether `pipeline_execution_arn` fits SageMaker's 256-character
 * metadata limit (SageMaker's execution ids are 12 characters; the margin keeps the guarantee if that grows).
 */
export const EXECUTION_ID_ROOM = 32;
export { METADATA_VALUE_MAX };

/** The branch as the model package records it: `branchTagValue(branch)` (see docs/design.md). */
export function recordedBranch(branch: string): string {
  return branchTagValue(branch);
}

/** SageMaker's limit on the parents of a warm-started tuning job (HyperParameterTuningJobWarmStartConfig). */
export const MAX_WARM_START_PARENTS = 5;

/**
 * The WarmStartConfig of a tuned model's Tuning step for its context entry (contract 4): none when the model runs
 * cold or has no entry, never an empty one; 1 to 5 parents or an error.
 */
export function warmStartConfigOf(
  warmStart: WarmStart | undefined,
): HyperParameterTuningJobWarmStartConfig | undefined {
  if (warmStart === undefined || 'cold' in warmStart) return undefined;
  if (warmStart.parents.length < 1 || warmStart.parents.length > MAX_WARM_START_PARENTS) {
    throw new Error(
      `a warm start needs 1 to ${MAX_WARM_START_PARENTS} parent tuning jobs, got ${warmStart.parents.length}: ` +
        'give the model { cold: <reason> } instead of an empty list',
    );
  }
  return {
    ParentHyperParameterTuningJobs: warmStart.parents.map((name) => ({ HyperParameterTuningJobName: name })),
    WarmStartType: warmStart.type,
  };
}

/** The `warm_start` metadata value (contract 2): the parent job names separated by spaces, or `cold: <reason>`. */
export function warmStartRecord(warmStart: WarmStart): string {
  return metadataValue('parents' in warmStart ? warmStart.parents.join(' ') : `cold: ${warmStart.cold}`);
}

/** What varies per run and per account, as opposed to the pipeline file. */
export interface RunContext {
  readonly projectName: string;
  /** The exact git branch name; the model package records `recordedBranch(branch)`. */
  readonly branch: string;
  /** Full 40-hex commit id. */
  readonly commit: string;
  readonly region: string;
  /** Role the pipeline and its jobs run as. */
  readonly roleArn: string;
  /** Bucket for code, data splits, models and reports. */
  readonly bucket: string;
  /** SageMaker pipeline name (from the shared naming module). */
  readonly pipelineName: string;
  /** The first model's group, `model-<project>` (contract 1). */
  readonly modelPackageGroupName: string;
  /** Contract 4 (retraining): what started the run; default `push`. */
  readonly trigger?: RetrainContext['trigger'];
  /** Contract 4: a tuned model runs one training job and registers with `test_mode: true`. */
  readonly testMode?: RetrainContext['testMode'];
  /** Contract 4: the data window of a scheduled run (ISO dates), recorded as `window_start`/`window_end`. */
  readonly window?: RetrainContext['window'];
  /** Contract 4: per model name, warm start parents or the reason it starts cold (`warmStartConfigOf`). */
  readonly warmStart?: RetrainContext['warmStart'];
  /** The project's ECR registry, for `image: {ecr}` (`<account>.dkr.ecr.<region>.<domain>`); from the role's account by default. */
  readonly ecrRegistry?: string;
  /**
   * SageMaker project id. Jobs and model versions the definition creates carry it as the `sagemaker:project-id` tag:
   * the execution role may create, watch and register only what carries its project's id (issue 10, isolation).
   */
  readonly projectId?: string;
  /** The project's warehouse (WAREHOUSE_* of the build), for `sql:` data sources. */
  readonly warehouse?: Warehouse;
  /** The day `today` means in a `sql:` window (UTC), resolved once per run. @default the current date */
  readonly today?: Date;
}

/** The project tags every job and model version of the definition carries (none in a dry run without an id). */
function projectTags(ctx: RunContext): { Tags?: { Key: string; Value: string }[] } {
  if (ctx.projectId === undefined) return {};
  return {
    Tags: [
      { Key: TAG_PROJECT_NAME, Value: ctx.projectName },
      { Key: TAG_PROJECT_ID, Value: ctx.projectId },
    ],
  };
}

export interface StringParameter {
  readonly Name: string;
  readonly Type: 'String';
  readonly DefaultValue: string;
}
export type Parameter = StringParameter;

export interface ProcessingStep {
  readonly Name: string;
  readonly Type: 'Processing';
  readonly Arguments: Pipelined<Omit<CreateProcessingJobRequest, 'ProcessingJobName'>>;
  readonly PropertyFiles?: readonly { PropertyFileName: string; OutputName: string; FilePath: string }[];
}
export interface TrainingStep {
  readonly Name: string;
  readonly Type: 'Training';
  readonly Arguments: Pipelined<Omit<CreateTrainingJobRequest, 'TrainingJobName'>>;
}
export interface TuningStep {
  readonly Name: string;
  readonly Type: 'Tuning';
  readonly Arguments: Pipelined<Omit<CreateHyperParameterTuningJobRequest, 'HyperParameterTuningJobName'>>;
}
export interface RegisterModelStep {
  readonly Name: string;
  readonly Type: 'RegisterModel';
  readonly Arguments: Pipelined<CreateModelPackageInput>;
}
export interface FailStep {
  readonly Name: string;
  readonly Type: 'Fail';
  readonly Arguments: { readonly ErrorMessage: string | Get | Join };
}
export interface BinaryCondition {
  readonly Type: 'GreaterThanOrEqualTo' | 'LessThanOrEqualTo';
  readonly LeftValue: JsonGet;
  readonly RightValue: number;
}
export interface ConditionStep {
  readonly Name: string;
  readonly Type: 'Condition';
  readonly Arguments: {
    readonly Conditions: readonly BinaryCondition[];
    readonly IfSteps: readonly Step[];
    readonly ElseSteps: readonly Step[];
  };
}
export type Step = ProcessingStep | TrainingStep | TuningStep | RegisterModelStep | FailStep | ConditionStep;

export interface PipelineDefinition {
  readonly Version: typeof DEFINITION_VERSION;
  readonly Metadata: Readonly<Record<string, string>>;
  readonly Parameters: readonly Parameter[];
  readonly PipelineExperimentConfig: { readonly ExperimentName: string; readonly TrialName: string | Get };
  readonly Steps: readonly Step[];
}

/** The promised SageMaker experiment of a project. */
export const experimentName = (projectName: string) => `model-${projectName}`;

/** The names of one model's steps and its group. */
export interface ModelPlan {
  readonly model: ModelSpec;
  readonly index: number;
  readonly group: string;
  readonly train: string;
  readonly evaluate: string;
  readonly gate: string;
  readonly register: string;
  /** Only with one model. */
  readonly fail?: string;
  readonly tuned: boolean;
}

/** Group of the model at `index` (contract 1): the first keeps the project's group, the others add their name. */
export function modelGroupName(
  ctx: Pick<RunContext, 'projectName' | 'modelPackageGroupName'>,
  index: number,
  name: string,
) {
  return index === 0 ? ctx.modelPackageGroupName : `model-${ctx.projectName}-${name}`;
}

export function modelPlans(
  spec: PipelineSpec,
  ctx: Pick<RunContext, 'projectName' | 'modelPackageGroupName'>,
): ModelPlan[] {
  const single = spec.models.length === 1;
  return spec.models.map((model, index) => {
    const suffix = single ? '' : `-${model.name}`;
    const tuned = model.tuning !== undefined;
    return {
      model,
      index,
      group: modelGroupName(ctx, index, model.name),
      train: `${tuned ? STEP.tune : STEP.train}${suffix}`,
      evaluate: `${STEP.evaluate}${suffix}`,
      gate: `${STEP.gate}${suffix}`,
      register: `${STEP.register}${suffix}`,
      ...(single ? { fail: STEP.fail } : {}),
      tuned,
    };
  });
}

/** Where the run command uploads the step code: keyed by pipeline and commit, so every run's code is kept. */
export function codeLocation(ctx: Pick<RunContext, 'bucket' | 'pipelineName' | 'commit'>) {
  const prefix = codePrefixOf(ctx);
  const key = (name: string) => `${prefix}/${name}`;
  const uri = (name: string) => `s3://${ctx.bucket}/${key(name)}`;
  return {
    prefix,
    key,
    uri,
    /** A processing or evaluation script, by its file name. */
    script: (script: string) => path.posix.basename(script),
    /** A model's training source directory, packed as the framework containers expect. */
    sourceDir: (index: number, name: string) => (index === 0 ? 'sourcedir.tar.gz' : `sourcedir-${name}.tar.gz`),
  };
}

function s3Output(ctx: RunContext, ...what: string[]): Join {
  return join('/', ['s3:/', ctx.bucket, ctx.pipelineName, execution('PipelineExecutionId'), ...what]);
}

const processingOutputUri = (step: string, output: string): Get =>
  get(`Steps.${step}.ProcessingOutputConfig.Outputs['${output}'].S3Output.S3Uri`);

function s3Input(name: string, uri: string | Get | Join, localPath: string): Pipelined<ProcessingInput> {
  return {
    InputName: name,
    S3Input: {
      S3Uri: uri,
      LocalPath: localPath,
      S3DataType: 'S3Prefix',
      S3InputMode: 'File',
      S3DataDistributionType: 'FullyReplicated',
    },
  };
}

/** Resolves `data` and `<step>.<output>` references to what a consuming step reads. */
type Resolve = (ref: string) => string | Get | Join;

function imageUri(image: ImageSpec, ctx: RunContext): string {
  if (image.ecr !== undefined) {
    const account = /:iam::(\d{12}):/.exec(ctx.roleArn)?.[1] ?? '000000000000';
    const registry =
      ctx.ecrRegistry ??
      `${account}.dkr.ecr.${ctx.region}.${ctx.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`;
    return `${registry}/${image.ecr}`;
  }
  return frameworkImageUri(image.framework!, image.version!, ctx.region);
}

function argumentList(args: Readonly<Record<string, string | number | boolean>>): string[] {
  return Object.entries(args).flatMap(([k, v]) => [`--${k}`, String(v)]);
}

interface ProcessingPlan {
  readonly name: string;
  readonly script: string;
  readonly image: ImageSpec;
  readonly instance: string;
  readonly instanceCount: number;
  readonly volumeSizeGB: number;
  readonly maxRuntimeSeconds: number;
  readonly inputs: readonly { name: string; uri: string | Get | Join }[];
  readonly outputs: readonly string[];
  readonly arguments: Readonly<Record<string, string | number | boolean>>;
}

function processingStep(plan: ProcessingPlan, ctx: RunContext): ProcessingStep {
  const code = codeLocation(ctx);
  const scriptName = code.script(plan.script);
  const args = [
    ...plan.inputs.flatMap((i) => [`--${i.name}`, processingInputPath(i.name)]),
    ...plan.outputs.flatMap((o) => [`--${o}`, processingOutputPath(o)]),
    ...argumentList(plan.arguments),
  ];
  return {
    Name: plan.name,
    Type: 'Processing',
    Arguments: {
      ProcessingResources: {
        ClusterConfig: {
          InstanceCount: plan.instanceCount,
          InstanceType: plan.instance as ProcessingInstanceType,
          VolumeSizeInGB: plan.volumeSizeGB,
        },
      },
      AppSpecification: {
        ImageUri: imageUri(plan.image, ctx),
        ContainerEntrypoint: ['python3', `${CODE_DIR}/${scriptName}`],
        // The service rejects an empty list (ContainerArguments has at least one item).
        ...(args.length > 0 ? { ContainerArguments: args } : {}),
      },
      RoleArn: ctx.roleArn,
      StoppingCondition: { MaxRuntimeInSeconds: plan.maxRuntimeSeconds },
      ...projectTags(ctx),
      ProcessingInputs: [
        ...plan.inputs.map((i) => s3Input(i.name, i.uri, processingInputPath(i.name))),
        s3Input('code', code.uri(scriptName), CODE_DIR),
      ],
      ...(plan.outputs.length > 0
        ? {
            ProcessingOutputConfig: {
              Outputs: plan.outputs.map((o): Pipelined<ProcessingOutput> => ({
                OutputName: o,
                S3Output: {
                  S3Uri: s3Output(ctx, plan.name, o),
                  LocalPath: processingOutputPath(o),
                  S3UploadMode: 'EndOfJob',
                },
              })),
            },
          }
        : {}),
    } satisfies ProcessingStep['Arguments'],
  };
}

function stepFromSpec(name: string, step: ProcessingSpec, resolve: Resolve, ctx: RunContext): ProcessingStep {
  return processingStep(
    {
      name,
      script: step.script,
      image: step.image,
      instance: step.instance,
      instanceCount: step.instanceCount,
      volumeSizeGB: step.volumeSizeGB,
      maxRuntimeSeconds: step.maxRuntimeSeconds,
      inputs: Object.entries(step.inputs).map(([input, ref]) => ({ name: input, uri: resolve(ref) })),
      outputs: step.outputs,
      arguments: step.arguments,
    },
    ctx,
  );
}

/** Training metric definitions of a script: `<channel>:<metric>=<value>;` lines for the script's METRICS. */
export function metricDefinitions(
  channels: readonly string[],
  metrics: readonly string[],
): { Name: string; Regex: string }[] {
  return channels.flatMap((channel) =>
    metrics.map((metric) => ({
      Name: `${channel}:${metric}`,
      Regex: `${channel}:${metric}=([-+]?[0-9]*\\.?[0-9]+([eE][-+]?[0-9]+)?);`,
    })),
  );
}

/** The framework (or built-in algorithm) a model trains with. */
export const modelFramework = (model: ModelSpec): 'sklearn' | 'xgboost' =>
  model.training.algorithm ?? model.training.framework!;
const modelImage = (model: ModelSpec, ctx: RunContext) =>
  frameworkImageUri(modelFramework(model), model.training.version!, ctx.region);

/** Hyperparameters as SageMaker passes them: script mode JSON-encodes every value, built-in algorithms take text. */
function staticHyperParameters(plan: ModelPlan, ctx: RunContext): Record<string, string> {
  const { model } = plan;
  if (model.training.algorithm !== undefined) {
    return Object.fromEntries(Object.entries(model.hyperparameters).map(([k, v]) => [k, String(v)]));
  }
  const own = Object.fromEntries(Object.entries(model.hyperparameters).map(([k, v]) => [k, JSON.stringify(v)]));
  const code = codeLocation(ctx);
  return {
    ...own,
    sagemaker_program: JSON.stringify(path.posix.basename(model.training.entry!)),
    sagemaker_submit_directory: JSON.stringify(code.uri(code.sourceDir(plan.index, model.name))),
    sagemaker_region: JSON.stringify(ctx.region),
    sagemaker_container_log_level: '20',
  };
}

type TrainingDefinition = NonNullable<TuningStep['Arguments']['TrainingJobDefinition']>;

function trainingJob(config: PipelineConfig, plan: ModelPlan, resolve: Resolve, ctx: RunContext) {
  const { model } = plan;
  const t = model.training;
  const channel = ([name, ref]: [string, string]): Pipelined<Channel> => ({
    ChannelName: name,
    ContentType: 'text/csv',
    DataSource: {
      S3DataSource: { S3DataType: 'S3Prefix', S3Uri: resolve(ref), S3DataDistributionType: 'FullyReplicated' },
    },
  });
  const metrics = t.entry !== undefined ? (config.scripts.get(t.entry)?.metrics ?? []) : [];
  const definitions = t.algorithm === undefined ? metricDefinitions(Object.keys(t.inputs), metrics) : [];
  return {
    AlgorithmSpecification: {
      TrainingImage: modelImage(model, ctx),
      TrainingInputMode: 'File' as const,
      ...(definitions.length > 0 ? { MetricDefinitions: definitions } : {}),
    },
    RoleArn: ctx.roleArn,
    OutputDataConfig: { S3OutputPath: s3Output(ctx, plan.train) },
    ResourceConfig: {
      InstanceCount: t.instanceCount,
      InstanceType: t.instance as TrainingInstanceType,
      VolumeSizeInGB: t.volumeSizeGB,
    },
    StoppingCondition: { MaxRuntimeInSeconds: t.maxRuntimeSeconds },
    InputDataConfig: Object.entries(t.inputs).map(channel),
  };
}

function trainStep(config: PipelineConfig, plan: ModelPlan, resolve: Resolve, ctx: RunContext): TrainingStep {
  return {
    Name: plan.train,
    Type: 'Training',
    Arguments: {
      ...trainingJob(config, plan, resolve, ctx),
      HyperParameters: staticHyperParameters(plan, ctx),
      ...projectTags(ctx),
    } satisfies TrainingStep['Arguments'],
  };
}

function tuneStep(config: PipelineConfig, plan: ModelPlan, resolve: Resolve, ctx: RunContext): TuningStep {
  const tuning = plan.model.tuning!;
  const ranges = Object.entries(tuning.ranges);
  const numeric = (type: 'integer' | 'continuous') =>
    ranges
      .filter(([, r]) => r.type === type)
      .map(([Name, r]) => ({ Name, MinValue: String(r.min), MaxValue: String(r.max), ScalingType: r.scaling }));
  const categorical = ranges
    .filter(([, r]) => r.type === 'categorical')
    .map(([Name, r]) => ({
      Name,
      // Script mode reads every hyperparameter as JSON; built-in algorithms take the text.
      Values: (r.values ?? []).map((v) =>
        plan.model.training.algorithm === undefined ? JSON.stringify(v) : String(v),
      ),
    }));
  const warmStartConfig = warmStartConfigOf(ctx.warmStart?.[plan.model.name]);
  const testMode = ctx.testMode === true;
  const definition: TrainingDefinition = {
    ...trainingJob(config, plan, resolve, ctx),
    StaticHyperParameters: staticHyperParameters(plan, ctx),
  };
  return {
    Name: plan.train,
    Type: 'Tuning',
    Arguments: {
      HyperParameterTuningJobConfig: {
        Strategy: tuning.strategy,
        HyperParameterTuningJobObjective: {
          Type: tuning.objective.direction === 'minimize' ? 'Minimize' : 'Maximize',
          MetricName: tuning.objective.metric,
        },
        ResourceLimits: {
          MaxNumberOfTrainingJobs: testMode ? 1 : tuning.maxJobs,
          MaxParallelTrainingJobs: testMode ? 1 : tuning.maxParallel,
        },
        ParameterRanges: {
          ...(numeric('integer').length > 0 ? { IntegerParameterRanges: numeric('integer') } : {}),
          ...(numeric('continuous').length > 0 ? { ContinuousParameterRanges: numeric('continuous') } : {}),
          ...(categorical.length > 0 ? { CategoricalParameterRanges: categorical } : {}),
        },
        TrainingJobEarlyStoppingType: tuning.earlyStopping ? 'Auto' : 'Off',
      },
      TrainingJobDefinition: definition,
      // SageMaker propagates the tuning job's tags to the training jobs it launches.
      ...projectTags(ctx),
      // Only with parents: never an empty WarmStartConfig (contract 4).
      ...(warmStartConfig !== undefined ? { WarmStartConfig: warmStartConfig } : {}),
    } satisfies TuningStep['Arguments'],
  };
}

/** The model artifact of a model's training: the training job's, or the best job's of the tuning job. */
export function modelArtifact(plan: ModelPlan, ctx: RunContext): Get | Join {
  if (!plan.tuned) return get(`Steps.${plan.train}.ModelArtifacts.S3ModelArtifacts`);
  // As the SageMaker Python SDK's TuningStep.get_top_model_s3_uri(top_k=0): <output path>/<best job>/output/model.tar.gz
  return join('/', [
    's3:/',
    ctx.bucket,
    ctx.pipelineName,
    execution('PipelineExecutionId'),
    plan.train,
    get(`Steps.${plan.train}.TrainingJobSummaries[0].TrainingJobName`),
    'output/model.tar.gz',
  ]);
}

function evaluateStep(plan: ModelPlan, resolve: Resolve, ctx: RunContext): ProcessingStep {
  const e = plan.model.evaluation;
  const step = processingStep(
    {
      name: plan.evaluate,
      script: e.script,
      image: e.image ?? { framework: modelFramework(plan.model), version: plan.model.training.version },
      instance: e.instance,
      instanceCount: 1,
      volumeSizeGB: 30,
      maxRuntimeSeconds: e.maxRuntimeSeconds,
      inputs: [
        { name: 'model', uri: modelArtifact(plan, ctx) },
        ...Object.entries(e.inputs).map(([name, ref]) => ({ name, uri: resolve(ref) })),
      ],
      outputs: [EVALUATION.output],
      arguments: {},
    },
    ctx,
  );
  return {
    ...step,
    PropertyFiles: [
      { PropertyFileName: EVALUATION.propertyFile, OutputName: EVALUATION.output, FilePath: EVALUATION.file },
    ],
  };
}

const evaluationReportUri = (plan: ModelPlan): Join =>
  join('/', [processingOutputUri(plan.evaluate, EVALUATION.output), EVALUATION.file]);

/** SageMaker's partition of a region. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  return 'aws';
}

/**
 * Whether every execution ARN of this pipeline fits a customer metadata value (256 characters): SageMaker builds
 * it as `arn:<partition>:sagemaker:<region>:<account>:pipeline/<lower-case name>/execution/<id>`.
 */
export function executionArnFits(ctx: Pick<RunContext, 'region' | 'roleArn' | 'pipelineName'>): boolean {
  const account = /:iam::(\d{12}):/.exec(ctx.roleArn)?.[1] ?? '000000000000';
  const prefix = `arn:${partitionOf(ctx.region)}:sagemaker:${ctx.region}:${account}:pipeline/${ctx.pipelineName.toLowerCase()}/execution/`;
  return prefix.length + EXECUTION_ID_ROOM <= METADATA_VALUE_MAX;
}

/** A customer metadata value SageMaker accepts: its characters (others become `-`), at most 256. */
export function metadataValue(text: string): string {
  return text.replace(METADATA_DISALLOWED, '-').slice(0, METADATA_VALUE_MAX) || '-';
}

/**
 * The data entries a model reads, directly or through processing steps, in the order of `data:` in pipeline.yaml.
 */
export function dataConsumedBy(spec: PipelineSpec, model: ModelSpec): string[] {
  const found = new Set<string>();
  const seen = new Set<string>();
  const visit = (ref: string): void => {
    if (seen.has(ref)) return;
    seen.add(ref);
    const [step, output] = ref.split('.');
    if (output === undefined) {
      if (spec.data[ref] !== undefined) found.add(ref);
      return;
    }
    for (const input of Object.values(spec.steps[step as string]?.inputs ?? {})) visit(input);
  };
  for (const ref of [...Object.values(model.training.inputs), ...Object.values(model.evaluation.inputs)]) visit(ref);
  return Object.keys(spec.data).filter((name) => found.has(name));
}

/**
 * Contract 2: the customer metadata of a model's version. `sources` are the data entries the model reads, in file
 * order: when several add the same key (two `sql:` sources feeding one model), the first one's value is recorded.
 */
function customerMetadata(plan: ModelPlan, ctx: RunContext, sources: readonly CompiledSource[]) {
  const warm = ctx.warmStart?.[plan.model.name];
  const metadata: Record<string, string | Get | Join> = {};
  for (const source of [...sources].reverse()) Object.assign(metadata, source.metadata ?? {});
  Object.assign(metadata, {
    [MODEL_METADATA.commitId]: ctx.commit,
    [MODEL_METADATA.branch]: recordedBranch(ctx.branch),
    [MODEL_METADATA.pipelineExecutionId]: execution('PipelineExecutionId'),
    ...(executionArnFits(ctx) ? { [MODEL_METADATA.pipelineExecutionArn]: execution('PipelineExecutionArn') } : {}),
    [MODEL_METADATA.modelName]: plan.model.name,
    ...(plan.tuned ? { [MODEL_METADATA.tuningJob]: get(`Steps.${plan.train}.HyperParameterTuningJobName`) } : {}),
    [MODEL_METADATA.trigger]: ctx.trigger ?? 'push',
    [MODEL_METADATA.testMode]: ctx.testMode === true ? 'true' : 'false',
    ...(ctx.window
      ? {
          [MODEL_METADATA.windowStart]: metadataValue(ctx.window.start),
          [MODEL_METADATA.windowEnd]: metadataValue(ctx.window.end),
        }
      : {}),
    ...(plan.tuned && warm !== undefined ? { [MODEL_METADATA.warmStart]: warmStartRecord(warm) } : {}),
  });
  return metadata;
}

function registerStep(plan: ModelPlan, ctx: RunContext, sources: readonly CompiledSource[]): RegisterModelStep {
  const { model } = plan;
  const code = codeLocation(ctx);
  const branch = recordedBranch(ctx.branch);
  const environment =
    model.training.entry !== undefined
      ? {
          Environment: {
            SAGEMAKER_PROGRAM: path.posix.basename(model.training.entry),
            SAGEMAKER_SUBMIT_DIRECTORY: code.uri(code.sourceDir(plan.index, model.name)),
            SAGEMAKER_REGION: ctx.region,
            SAGEMAKER_CONTAINER_LOG_LEVEL: '20',
          },
        }
      : {};
  return {
    Name: plan.register,
    Type: 'RegisterModel',
    Arguments: {
      ModelPackageGroupName: plan.group,
      ModelPackageDescription: `commit ${ctx.commit} on branch ${branch}`.slice(0, 1024),
      ModelApprovalStatus: REGISTERED_STATUS,
      InferenceSpecification: {
        Containers: [{ Image: modelImage(model, ctx), ModelDataUrl: modelArtifact(plan, ctx), ...environment }],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['text/csv'],
        SupportedRealtimeInferenceInstanceTypes: ['ml.t2.medium', 'ml.m5.large', 'ml.m5.xlarge'],
        SupportedTransformInstanceTypes: ['ml.m5.large', 'ml.m5.xlarge'],
      },
      ModelMetrics: {
        ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: evaluationReportUri(plan) } },
      },
      MetadataProperties: { CommitId: ctx.commit },
      CustomerMetadataProperties: customerMetadata(plan, ctx, sources),
      ...projectTags(ctx),
    } satisfies RegisterModelStep['Arguments'],
  };
}

/** The gate's comparison: `metric <= max` or `metric >= min`. */
export function gateComparison(model: ModelSpec): {
  type: BinaryCondition['Type'];
  symbol: '<=' | '>=';
  threshold: number;
} {
  return model.gate.max !== undefined
    ? { type: 'LessThanOrEqualTo', symbol: '<=', threshold: model.gate.max }
    : { type: 'GreaterThanOrEqualTo', symbol: '>=', threshold: model.gate.min! };
}

/** Where the evaluation script writes the gate's metric in evaluation.json (its METRIC_PATHS). */
export function gateMetricPath(config: PipelineConfig, model: ModelSpec): string {
  const found = config.scripts.get(model.evaluation.script)?.metricPaths?.[model.gate.metric];
  if (found === undefined)
    throw new Error(`${model.evaluation.script} declares no METRIC_PATHS entry for ${model.gate.metric}`);
  return found;
}

function gateStep(
  config: PipelineConfig,
  plan: ModelPlan,
  ctx: RunContext,
  sources: readonly CompiledSource[],
): ConditionStep {
  const { metric } = plan.model.gate;
  const { type, symbol, threshold } = gateComparison(plan.model);
  const elseSteps: Step[] = [];
  if (plan.fail !== undefined) {
    elseSteps.push({
      Name: plan.fail,
      Type: 'Fail',
      Arguments: {
        ErrorMessage: join('', [
          `Quality gate failed: the model's ${metric} on the test set does not pass ${metric} ${symbol} ${threshold} `,
          `(gate from pipeline.yaml); the model was not registered. Evaluation report: `,
          processingOutputUri(plan.evaluate, EVALUATION.output),
          `/${EVALUATION.file}`,
        ]),
      },
    });
  }
  return {
    Name: plan.gate,
    Type: 'Condition',
    Arguments: {
      Conditions: [
        {
          Type: type,
          LeftValue: jsonGet(plan.evaluate, EVALUATION.propertyFile, gateMetricPath(config, plan.model)),
          RightValue: threshold,
        },
      ],
      IfSteps: [registerStep(plan, ctx, sources)],
      ElseSteps: elseSteps,
    },
  };
}

export function buildDefinition(config: PipelineConfig, ctx: RunContext): PipelineDefinition {
  if (!COMMIT_PATTERN.test(ctx.commit)) {
    throw new Error(`commit id ${JSON.stringify(ctx.commit)} is not a full 40-hex git commit id`);
  }
  const { spec } = config;
  const compiled = new Map(
    Object.entries(spec.data).map(([name, entry]) => [
      name,
      compileSource(name, entry as Record<string, unknown>, ctx),
    ]),
  );
  const resolve: Resolve = (ref) => {
    const [step, output] = ref.split('.');
    if (output === undefined) {
      const source = compiled.get(ref);
      if (source === undefined) throw new Error(`no data entry ${ref}`);
      return source.uri;
    }
    return processingOutputUri(step as string, output);
  };
  const steps: Step[] = [...[...compiled.values()].flatMap((s) => s.steps)];
  for (const name of processingOrder(spec)) steps.push(stepFromSpec(name, spec.steps[name]!, resolve, ctx));
  for (const plan of modelPlans(spec, ctx)) {
    steps.push(plan.tuned ? tuneStep(config, plan, resolve, ctx) : trainStep(config, plan, resolve, ctx));
    steps.push(evaluateStep(plan, resolve, ctx));
    const consumed = dataConsumedBy(spec, plan.model).map((name) => compiled.get(name)!);
    steps.push(gateStep(config, plan, ctx, consumed));
  }
  return {
    Version: DEFINITION_VERSION,
    Metadata: {},
    Parameters: [],
    PipelineExperimentConfig: { ExperimentName: experimentName(ctx.projectName), TrialName: ctx.commit },
    Steps: steps,
  };
}
