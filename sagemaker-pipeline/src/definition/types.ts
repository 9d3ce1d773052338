/**
 * The shape of a pipeline definition (version 2020-12-01): its constants, the run context, and each step type typed
 * as the SageMaker request it becomes.
 */
import type {
  CreateHyperParameterTuningJobRequest,
  CreateModelPackageInput,
  CreateProcessingJobRequest,
  CreateTrainingJobRequest,
} from '@aws-sdk/client-sagemaker';
import { COMMIT_ID_PATTERN } from '../../../contracts/patterns';
import { Get, Join, JsonGet, Pipelined } from '../expressions';
import type { RetrainContext } from '../retrain/settings';
import type { Warehouse } from '../sql-source';

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
