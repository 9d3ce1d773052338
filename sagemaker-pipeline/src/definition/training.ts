/** The Training and Tuning steps of a model, and where its artifact lands. */
import type { Channel, TrainingInstanceType } from '@aws-sdk/client-sagemaker';
import * as path from 'node:path';
import { Get, Join, Pipelined, execution, get, join } from '../expressions';
import { frameworkImageUri } from '../images';
import { PipelineConfig } from '../pipeline-file';
import type { ModelSpec } from '../pipeline-schema';
import { Resolve, s3Output } from './processing';
import { warmStartConfigOf } from './metadata';
import { ModelPlan, codeLocation, projectTags } from './plan';
import { RunContext, TrainingStep, TuningStep } from './types';

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

export const modelImage = (model: ModelSpec, ctx: RunContext) =>
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

export function trainStep(config: PipelineConfig, plan: ModelPlan, resolve: Resolve, ctx: RunContext): TrainingStep {
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

export function tuneStep(config: PipelineConfig, plan: ModelPlan, resolve: Resolve, ctx: RunContext): TuningStep {
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
