/** The Evaluation, Condition (the quality gate) and RegisterModel steps of a model. */
import * as path from 'node:path';
import { Join, join, jsonGet } from '../expressions';
import { PipelineConfig } from '../pipeline-file';
import type { ModelSpec } from '../pipeline-schema';
import { CompiledSource } from '../sources';
import { Resolve, processingOutputUri, processingStep } from './processing';
import { customerMetadata, recordedBranch } from './metadata';
import { ModelPlan, codeLocation, projectTags } from './plan';
import { modelArtifact, modelFramework, modelImage } from './training';
import {
  BinaryCondition,
  ConditionStep,
  EVALUATION,
  ProcessingStep,
  REGISTERED_STATUS,
  RegisterModelStep,
  RunContext,
  Step,
} from './types';

export function evaluateStep(plan: ModelPlan, resolve: Resolve, ctx: RunContext): ProcessingStep {
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

export function gateStep(
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
