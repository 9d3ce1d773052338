/**
 * Builds the SageMaker pipeline definition (version 2020-12-01) of one branch from the configuration file and the
 * run context:
 *
 *   PreprocessData (preprocess.py) → TrainModel (train.py) → EvaluateModel (evaluate.py, evaluation.json read as a
 *   property file) → CheckMetric (the quality gate) → RegisterModel (with the metadata contract) | GateFailed (Fail)
 *
 * Each step's `Arguments` is typed as the SageMaker request it becomes (`Pipelined<Omit<CreateXRequest, 'XName'>>`),
 * so the compiler checks field names, required fields and enum values.
 */
import type {
  Channel,
  CreateModelPackageInput,
  CreateProcessingJobRequest,
  CreateTrainingJobRequest,
  ProcessingInput,
  ProcessingOutput,
} from '@aws-sdk/client-sagemaker';
import { COMMIT_ID_PATTERN } from '../../lambda/shared/events';
import { branchTagValue, TAG_PROJECT_ID, TAG_PROJECT_NAME } from '../../lambda/shared/naming';
import { METRICS, PipelineConfig, inputDataUri } from './config';
import { Get, Join, JsonGet, Pipelined, execution, get, join, jsonGet, param } from './expressions';
import { sklearnImageUri } from './images';

export const DEFINITION_VERSION = '2020-12-01';

export const STEP = {
  preprocess: 'PreprocessData',
  train: 'TrainModel',
  evaluate: 'EvaluateModel',
  gate: 'CheckMetric',
  register: 'RegisterModel',
  fail: 'GateFailed',
} as const;

export const PARAMETER = {
  inputData: 'InputDataUrl',
  approvalStatus: 'ModelApprovalStatus',
  commitId: 'CommitId',
  branch: 'BranchName',
  processingInstanceType: 'ProcessingInstanceType',
  trainingInstanceType: 'TrainingInstanceType',
} as const;

/** The evaluation report: output name, file, and the property file that the gate reads. */
export const EVALUATION = { output: 'evaluation', file: 'evaluation.json', propertyFile: 'EvaluationReport' } as const;

/** Paths inside the containers (SageMaker's processing and training conventions). */
const PROCESSING_ROOT = '/opt/ml/processing';
const CODE_DIR = `${PROCESSING_ROOT}/input/code`;

/** A full commit id: the release function's own pattern, so that what the pipeline registers is what it matches. */
export const COMMIT_PATTERN = COMMIT_ID_PATTERN;

/**
 * The branch as the model package records it (`BranchName` parameter → customer metadata `branch` and the
 * description): `branchTagValue(branch)`, which is the branch itself whenever SageMaker can store it as a metadata
 * value, and otherwise its allowed characters followed by `---` and the branch hash (unique and traceable).
 */
export function recordedBranch(branch: string): string {
  return branchTagValue(branch);
}

/** What varies per run and per account, as opposed to the configuration file. */
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
  readonly modelPackageGroupName: string;
  /**
   * SageMaker project id. Jobs and model versions the definition creates carry it as the `sagemaker:project-id` tag:
   * the execution role may create, watch and register only what carries its project's id (issue 10, isolation).
   */
  readonly projectId?: string;
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
export type Step = ProcessingStep | TrainingStep | RegisterModelStep | FailStep | ConditionStep;

export interface PipelineDefinition {
  readonly Version: typeof DEFINITION_VERSION;
  readonly Metadata: Readonly<Record<string, string>>;
  readonly Parameters: readonly Parameter[];
  readonly PipelineExperimentConfig: { readonly ExperimentName: string; readonly TrialName: Get };
  readonly Steps: readonly Step[];
}

/** Where the run command uploads the step code: keyed by pipeline and commit, so every run's code is kept. */
export function codeLocation(ctx: Pick<RunContext, 'bucket' | 'pipelineName' | 'commit'>) {
  const prefix = `${ctx.pipelineName}/code/${ctx.commit}`;
  const keys = {
    preprocess: `${prefix}/preprocess.py`,
    evaluate: `${prefix}/evaluate.py`,
    /** train.py packed as the framework containers expect (`sagemaker_submit_directory`). */
    sourceDir: `${prefix}/sourcedir.tar.gz`,
  };
  const uri = (key: string) => `s3://${ctx.bucket}/${key}`;
  return {
    prefix,
    keys,
    uris: { preprocess: uri(keys.preprocess), evaluate: uri(keys.evaluate), sourceDir: uri(keys.sourceDir) },
  };
}

/** The promised SageMaker experiment of a project. */
export const experimentName = (projectName: string) => `model-${projectName}`;

/** The evaluation report's path for a metric, as evaluate.py writes it. */
export const metricPath = (metric: string) => `regression_metrics.${metric}.value`;

function s3Output(ctx: RunContext, what: string): Join {
  return join('/', ['s3:/', ctx.bucket, ctx.pipelineName, execution('PipelineExecutionId'), what]);
}

const processingOutput = (step: string, output: string): Get =>
  get(`Steps.${step}.ProcessingOutputConfig.Outputs['${output}'].S3Output.S3Uri`);

const MODEL_ARTIFACTS = get(`Steps.${STEP.train}.ModelArtifacts.S3ModelArtifacts`);

function s3Input(name: string, uri: string | Get, localPath: string): Pipelined<ProcessingInput> {
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

function s3OutputOf(ctx: RunContext, name: string, localPath: string): Pipelined<ProcessingOutput> {
  return { OutputName: name, S3Output: { S3Uri: s3Output(ctx, name), LocalPath: localPath, S3UploadMode: 'EndOfJob' } };
}

function codeInput(uri: string): Pipelined<ProcessingInput> {
  return s3Input('code', uri, CODE_DIR);
}

function processingBase(config: PipelineConfig, ctx: RunContext, script: string, args: string[]) {
  return {
    ProcessingResources: {
      ClusterConfig: { InstanceCount: 1, InstanceType: param(PARAMETER.processingInstanceType), VolumeSizeInGB: 30 },
    },
    AppSpecification: {
      ImageUri: sklearnImageUri(ctx.region, config.frameworkVersion),
      ContainerEntrypoint: ['python3', `${CODE_DIR}/${script}`],
      // The service rejects an empty list (ContainerArguments has at least one item).
      ...(args.length > 0 ? { ContainerArguments: args } : {}),
    },
    RoleArn: ctx.roleArn,
    StoppingCondition: { MaxRuntimeInSeconds: config.processing.maxRuntimeSeconds },
    ...projectTags(ctx),
  } as const;
}

function preprocessStep(config: PipelineConfig, ctx: RunContext): ProcessingStep {
  const output = (name: string) => s3OutputOf(ctx, name, `${PROCESSING_ROOT}/${name}`);
  return {
    Name: STEP.preprocess,
    Type: 'Processing',
    Arguments: {
      ...processingBase(config, ctx, 'preprocess.py', [
        '--validation-fraction',
        String(config.split.validation),
        '--test-fraction',
        String(config.split.test),
      ]),
      ProcessingInputs: [
        s3Input('input-data', param(PARAMETER.inputData), `${PROCESSING_ROOT}/input/data`),
        codeInput(codeLocation(ctx).uris.preprocess),
      ],
      ProcessingOutputConfig: { Outputs: ['train', 'validation', 'test'].map(output) },
    } satisfies ProcessingStep['Arguments'],
  };
}

/** Hyperparameters as the framework containers read them: every value JSON-encoded. */
function hyperParameters(config: PipelineConfig, ctx: RunContext): Record<string, string> {
  const own = Object.fromEntries(Object.entries(config.hyperparameters).map(([k, v]) => [k, JSON.stringify(v)]));
  return {
    ...own,
    sagemaker_program: JSON.stringify('train.py'),
    sagemaker_submit_directory: JSON.stringify(codeLocation(ctx).uris.sourceDir),
    sagemaker_region: JSON.stringify(ctx.region),
    sagemaker_container_log_level: '20',
  };
}

/** Metric definitions: train.py prints `<channel>:<metric>=<value>;` lines. */
export function metricDefinitions(): { Name: string; Regex: string }[] {
  return ['train', 'validation'].flatMap((channel) =>
    Object.keys(METRICS).map((metric) => ({
      Name: `${channel}:${metric}`,
      Regex: `${channel}:${metric}=([-+]?[0-9]*\\.?[0-9]+([eE][-+]?[0-9]+)?);`,
    })),
  );
}

function trainStep(config: PipelineConfig, ctx: RunContext): TrainingStep {
  const channel = (name: string): Pipelined<Channel> => ({
    ChannelName: name,
    ContentType: 'text/csv',
    DataSource: {
      S3DataSource: {
        S3DataType: 'S3Prefix',
        S3Uri: processingOutput(STEP.preprocess, name),
        S3DataDistributionType: 'FullyReplicated',
      },
    },
  });
  return {
    Name: STEP.train,
    Type: 'Training',
    Arguments: {
      AlgorithmSpecification: {
        TrainingImage: sklearnImageUri(ctx.region, config.frameworkVersion),
        TrainingInputMode: 'File',
        MetricDefinitions: metricDefinitions(),
      },
      RoleArn: ctx.roleArn,
      OutputDataConfig: { S3OutputPath: s3Output(ctx, 'model') },
      ResourceConfig: { InstanceCount: 1, InstanceType: param(PARAMETER.trainingInstanceType), VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: config.training.maxRuntimeSeconds },
      HyperParameters: hyperParameters(config, ctx),
      InputDataConfig: [channel('train'), channel('validation')],
      ...projectTags(ctx),
    } satisfies TrainingStep['Arguments'],
  };
}

function evaluateStep(config: PipelineConfig, ctx: RunContext): ProcessingStep {
  return {
    Name: STEP.evaluate,
    Type: 'Processing',
    Arguments: {
      ...processingBase(config, ctx, 'evaluate.py', []),
      ProcessingInputs: [
        s3Input('model', MODEL_ARTIFACTS, `${PROCESSING_ROOT}/model`),
        s3Input('test', processingOutput(STEP.preprocess, 'test'), `${PROCESSING_ROOT}/test`),
        codeInput(codeLocation(ctx).uris.evaluate),
      ],
      ProcessingOutputConfig: {
        Outputs: [s3OutputOf(ctx, EVALUATION.output, `${PROCESSING_ROOT}/evaluation`)],
      },
    } satisfies ProcessingStep['Arguments'],
    PropertyFiles: [
      { PropertyFileName: EVALUATION.propertyFile, OutputName: EVALUATION.output, FilePath: EVALUATION.file },
    ],
  };
}

const evaluationReportUri = (): Join =>
  join('/', [processingOutput(STEP.evaluate, EVALUATION.output), EVALUATION.file]);

function registerStep(config: PipelineConfig, ctx: RunContext): RegisterModelStep {
  const image = sklearnImageUri(ctx.region, config.frameworkVersion);
  return {
    Name: STEP.register,
    Type: 'RegisterModel',
    Arguments: {
      ModelPackageGroupName: ctx.modelPackageGroupName,
      ModelPackageDescription: join('', ['commit ', param(PARAMETER.commitId), ' on branch ', param(PARAMETER.branch)]),
      ModelApprovalStatus: param(PARAMETER.approvalStatus),
      InferenceSpecification: {
        Containers: [
          {
            Image: image,
            ModelDataUrl: MODEL_ARTIFACTS,
            Environment: {
              SAGEMAKER_PROGRAM: 'train.py',
              SAGEMAKER_SUBMIT_DIRECTORY: codeLocation(ctx).uris.sourceDir,
              SAGEMAKER_REGION: ctx.region,
              SAGEMAKER_CONTAINER_LOG_LEVEL: '20',
            },
          },
        ],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['text/csv'],
        SupportedRealtimeInferenceInstanceTypes: ['ml.t2.medium', 'ml.m5.large', 'ml.m5.xlarge'],
        SupportedTransformInstanceTypes: ['ml.m5.large', 'ml.m5.xlarge'],
      },
      ModelMetrics: {
        ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: evaluationReportUri() } },
      },
      MetadataProperties: { CommitId: param(PARAMETER.commitId) },
      CustomerMetadataProperties: {
        commit_id: param(PARAMETER.commitId),
        branch: param(PARAMETER.branch),
        pipeline_execution_arn: execution('PipelineExecutionArn'),
      },
      ...projectTags(ctx),
    } satisfies RegisterModelStep['Arguments'],
  };
}

/** The gate's comparison: `<metric> <= threshold` for error metrics, `>=` for r2. */
export function gateComparison(config: PipelineConfig): BinaryCondition['Type'] {
  return METRICS[config.gate.metric] === 'lower' ? 'LessThanOrEqualTo' : 'GreaterThanOrEqualTo';
}

function gateStep(config: PipelineConfig, ctx: RunContext): ConditionStep {
  const { metric, threshold } = config.gate;
  const symbol = gateComparison(config) === 'LessThanOrEqualTo' ? '<=' : '>=';
  const fail: FailStep = {
    Name: STEP.fail,
    Type: 'Fail',
    Arguments: {
      ErrorMessage: join('', [
        `Quality gate failed: the model's ${metric} on the test set does not pass ${metric} ${symbol} ${threshold} `,
        `(threshold from pipeline.config.json); the model was not registered. Evaluation report: `,
        processingOutput(STEP.evaluate, EVALUATION.output),
        `/${EVALUATION.file}`,
      ]),
    },
  };
  return {
    Name: STEP.gate,
    Type: 'Condition',
    Arguments: {
      Conditions: [
        {
          Type: gateComparison(config),
          LeftValue: jsonGet(STEP.evaluate, EVALUATION.propertyFile, metricPath(metric)),
          RightValue: threshold,
        },
      ],
      IfSteps: [registerStep(config, ctx)],
      ElseSteps: [fail],
    },
  };
}

export function buildDefinition(config: PipelineConfig, ctx: RunContext): PipelineDefinition {
  if (!COMMIT_PATTERN.test(ctx.commit)) {
    throw new Error(`commit id ${JSON.stringify(ctx.commit)} is not a full 40-hex git commit id`);
  }
  const parameters: Parameter[] = [
    { Name: PARAMETER.inputData, Type: 'String', DefaultValue: inputDataUri(config, ctx.region) },
    { Name: PARAMETER.approvalStatus, Type: 'String', DefaultValue: 'PendingManualApproval' },
    { Name: PARAMETER.commitId, Type: 'String', DefaultValue: ctx.commit },
    { Name: PARAMETER.branch, Type: 'String', DefaultValue: recordedBranch(ctx.branch) },
    { Name: PARAMETER.processingInstanceType, Type: 'String', DefaultValue: config.processing.instanceType },
    { Name: PARAMETER.trainingInstanceType, Type: 'String', DefaultValue: config.training.instanceType },
  ];
  return {
    Version: DEFINITION_VERSION,
    Metadata: {},
    Parameters: parameters,
    PipelineExperimentConfig: {
      ExperimentName: experimentName(ctx.projectName),
      TrialName: param(PARAMETER.commitId),
    },
    Steps: [preprocessStep(config, ctx), trainStep(config, ctx), evaluateStep(config, ctx), gateStep(config, ctx)],
  };
}
