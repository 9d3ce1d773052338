/** Processing steps and step inputs and outputs: S3 locations, processing inputs, images and script arguments. */
import type { ProcessingInput, ProcessingInstanceType, ProcessingOutput } from '@aws-sdk/client-sagemaker';
import { Get, Join, Pipelined, execution, get, join } from '../expressions';
import { frameworkImageUri } from '../images';
import type { ImageSpec, ProcessingSpec } from '../pipeline-schema';
import { codeLocation, projectTags } from './plan';
import { CODE_DIR, ProcessingStep, RunContext, processingInputPath, processingOutputPath } from './types';

export function s3Output(ctx: RunContext, ...what: string[]): Join {
  return join('/', ['s3:/', ctx.bucket, ctx.pipelineName, execution('PipelineExecutionId'), ...what]);
}

export const processingOutputUri = (step: string, output: string): Get =>
  get(`Steps.${step}.ProcessingOutputConfig.Outputs['${output}'].S3Output.S3Uri`);

export function s3Input(name: string, uri: string | Get | Join, localPath: string): Pipelined<ProcessingInput> {
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
export type Resolve = (ref: string) => string | Get | Join;

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

export function processingStep(plan: ProcessingPlan, ctx: RunContext): ProcessingStep {
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

export function stepFromSpec(name: string, step: ProcessingSpec, resolve: Resolve, ctx: RunContext): ProcessingStep {
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
