/** Which steps and groups each model of pipeline.yaml gets (contract 1), and where a run's code lives in S3. */
import * as path from 'node:path';
import { TAG_PROJECT_ID, TAG_PROJECT_NAME } from '../../../contracts/naming';
import type { ModelSpec, PipelineSpec } from '../pipeline-schema';
import { codePrefixOf } from '../sources';
import { RunContext, STEP } from './types';

/** The project tags every job and model version of the definition carries (none in a dry run without an id). */
export function projectTags(ctx: RunContext): { Tags?: { Key: string; Value: string }[] } {
  if (ctx.projectId === undefined) return {};
  return {
    Tags: [
      { Key: TAG_PROJECT_NAME, Value: ctx.projectName },
      { Key: TAG_PROJECT_ID, Value: ctx.projectId },
    ],
  };
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
