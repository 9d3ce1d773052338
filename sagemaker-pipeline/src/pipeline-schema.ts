/**
 * The shape of `pipeline.yaml`, the data scientist's pipeline file: one zod schema that checks the file and from
 * which `pipeline.schema.json` (what editors complete and check against) is generated. Rules a schema cannot say
 * (references, cycles, script interfaces, gates, images) are checked afterwards, in `pipeline-file.ts`.
 */
import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { SOURCE_SCHEMAS } from './sources';

// zod/mini loads no locale: without one every issue reads "Invalid input". Only the English one is loaded.
z.config(en());

const d = (text: string) => z.describe(text);

/** Names of steps (SageMaker step names, referred to as `<step>.<output>`) and of data entries. */
export const STEP_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,47}$/;
/** Model names become group names `model-<project>-<name>` (at most 63 characters) and step name suffixes. */
export const MODEL_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
export const MODEL_NAME_MAX = 24;
/** An input: a data entry's name, or `<step>.<output>`. */
export const REFERENCE = /^[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z][A-Za-z0-9_-]*)?$/;
/** Script arguments and hyperparameters: what argparse declares as `--<name>`. */
export const ARGUMENT_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

const instance = z
  .string()
  .check(
    z.regex(/^ml\.[a-z0-9-]+\.[a-z0-9]+$/, 'must be a SageMaker instance type like ml.m5.large'),
    d('SageMaker instance type (ml.<family>.<size>); checked against what SageMaker offers for the job type'),
  );
const maxRuntimeSeconds = z
  .number()
  .check(z.int(), z.gte(60), z.lte(432000), d('stop the job after this many seconds (60 to 432000)'));
const scriptPath = z
  .string()
  .check(
    z.regex(/^[A-Za-z0-9_./-]+\.py$/, 'must be a relative path to a .py file, like scripts/preprocess.py'),
    d('Python script, relative to this file'),
  );
const scalar = z.union([z.number(), z.string().check(z.maxLength(256)), z.boolean()]);
const inputs = z
  .record(z.string().check(z.regex(ARGUMENT_NAME, 'input names are words like train or test')), z.string())
  .check(
    d('input name → a data entry or <step>.<output>; the script receives --<name> <directory> (training: the channel)'),
  );

export const FRAMEWORKS = ['sklearn', 'xgboost'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

const image = z
  .strictObject({
    framework: z.optional(z.enum(FRAMEWORKS).check(d("SageMaker's framework image"))),
    version: z.optional(z.string().check(d('framework version, like 1.2-1 (sklearn) or 1.3-1 (xgboost)'))),
    ecr: z.optional(
      z
        .string()
        .check(
          z.regex(/^[a-z0-9][a-z0-9._/-]{1,255}:[A-Za-z0-9_.-]{1,128}$/, 'must be <repository>:<tag>'),
          d("an image of the project's ECR repository, <repository>:<tag> (runs only in SageMaker, not --local)"),
        ),
    ),
  })
  .check(d('the container: {framework, version} or {ecr}'));

const processingStep = z.strictObject({
  script: scriptPath,
  image,
  instance: z._default(instance, 'ml.m5.large'),
  instanceCount: z._default(z.number().check(z.int(), z.gte(1), z.lte(100)), 1),
  volumeSizeGB: z._default(z.number().check(z.int(), z.gte(1), z.lte(16384)), 30),
  maxRuntimeSeconds: z._default(maxRuntimeSeconds, 3600),
  inputs: z._default(inputs, {}),
  outputs: z._default(
    z
      .array(z.string().check(z.regex(ARGUMENT_NAME, 'output names are words like train')))
      .check(d('output names; the script receives --<name> <directory> and writes there')),
    [],
  ),
  arguments: z._default(
    z
      .record(z.string().check(z.regex(ARGUMENT_NAME, 'argument names are words')), scalar)
      .check(d('further arguments, passed as --<name> <value>; checked against the script')),
    {},
  ),
});

const training = z
  .strictObject({
    framework: z.optional(z.enum(FRAMEWORKS).check(d('script mode: the framework image that runs entry'))),
    version: z.optional(z.string().check(d('framework version'))),
    entry: z.optional(scriptPath),
    algorithm: z.optional(z.enum(['xgboost']).check(d("SageMaker's built-in algorithm (no script)"))),
    instance: z._default(instance, 'ml.m5.large'),
    instanceCount: z._default(z.number().check(z.int(), z.gte(1), z.lte(100)), 1),
    volumeSizeGB: z._default(z.number().check(z.int(), z.gte(1), z.lte(16384)), 30),
    maxRuntimeSeconds: z._default(maxRuntimeSeconds, 3600),
    inputs,
  })
  .check(d('{framework, version, entry} (script mode) or {algorithm, version} (built-in)'));

const range = z.strictObject({
  type: z.enum(['integer', 'continuous', 'categorical']),
  min: z.optional(z.number()),
  max: z.optional(z.number()),
  values: z.optional(z.array(scalar).check(z.minLength(1), z.maxLength(30))),
  scaling: z._default(z.enum(['Auto', 'Linear', 'Logarithmic', 'ReverseLogarithmic']), 'Auto'),
});

const tuning = z.strictObject({
  strategy: z._default(z.enum(['Bayesian', 'Random']), 'Bayesian'),
  objective: z.strictObject({
    metric: z.string().check(d('a metric the training job reports, like validation:rmse')),
    direction: z.enum(['minimize', 'maximize']),
  }),
  ranges: z
    .record(z.string().check(z.regex(ARGUMENT_NAME, 'hyperparameter names are words')), range)
    .check(d('hyperparameter → {type: integer|continuous with min, max, scaling} or {type: categorical, values}')),
  maxJobs: z.number().check(z.int(), z.gte(1), z.lte(750), d('training jobs in total')),
  maxParallel: z.number().check(z.int(), z.gte(1), z.lte(100), d('training jobs at a time')),
  earlyStopping: z._default(z.boolean(), false),
});

const gate = z
  .strictObject({
    metric: z.string().check(d('a metric the evaluation script reports (its METRIC_PATHS)')),
    min: z.optional(z.number().check(d('pass when metric >= min'))),
    max: z.optional(z.number().check(d('pass when metric <= max'))),
  })
  .check(d('the quality gate: {metric, max} (lower is better) or {metric, min} (higher is better)'));

const model = z.strictObject({
  name: z
    .string()
    .check(
      z.regex(MODEL_NAME, 'model names are lower-case words joined by hyphens, like forest'),
      z.maxLength(MODEL_NAME_MAX),
      d('the first model registers in model-<project>, every further one in model-<project>-<name>'),
    ),
  training,
  hyperparameters: z._default(
    z
      .record(z.string().check(z.regex(ARGUMENT_NAME, 'hyperparameter names are words')), scalar)
      .check(d('fixed hyperparameters, passed to the script as --<name> <value>; checked against its argparse')),
    {},
  ),
  tuning: z.optional(tuning),
  evaluation: z.strictObject({
    script: scriptPath,
    image: z.optional(image),
    instance: z._default(instance, 'ml.m5.large'),
    maxRuntimeSeconds: z._default(maxRuntimeSeconds, 3600),
    inputs: z._default(inputs, {}),
  }),
  gate,
});

const dataEntry = z
  .strictObject({
    ...SOURCE_SCHEMAS,
    sample: z.optional(z.string().check(d('a local file with the same format, read by node run.js --local'))),
  })
  .check(d('one source (s3: <uri> or sql: {query, ...}), and optionally a local sample'));

export const PipelineFileSchema = z
  .strictObject({
    data: z
      .record(z.string().check(z.regex(STEP_NAME, 'data names are words like abalone')), dataEntry)
      .check(d('named inputs')),
    steps: z._default(
      z
        .record(z.string().check(z.regex(STEP_NAME, 'step names are words like PreprocessData')), processingStep)
        .check(d('processing steps, by name')),
      {},
    ),
    models: z
      .array(model)
      .check(z.minLength(1), z.maxLength(10), d('the models this pipeline trains, evaluates and registers')),
  })
  .check(d('pipeline.yaml: what this branch trains (see docs/pipeline-file.md)'));

export type PipelineSpec = z.infer<typeof PipelineFileSchema>;
export type ProcessingSpec = PipelineSpec['steps'][string];
export type ModelSpec = PipelineSpec['models'][number];
export type ImageSpec = ProcessingSpec['image'];
export type TuningSpec = NonNullable<ModelSpec['tuning']>;
export type DataSpec = PipelineSpec['data'][string];

/** The JSON schema shipped beside pipeline.yaml (`pipeline.schema.json`), for editors. */
export function pipelineJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(PipelineFileSchema, { target: 'draft-7', io: 'input' }) as Record<string, unknown>;
  return { ...schema, title: 'pipeline.yaml' };
}

/** The zod schema at a path of the file (for "allowed keys" in messages); undefined where it cannot tell. */
export function schemaAt(path: readonly (string | number)[]): z.ZodMiniType | undefined {
  let schema: unknown = PipelineFileSchema;
  const unwrap = (s: unknown): unknown => {
    let current = s as { _zod: { def: Record<string, unknown> } };
    for (;;) {
      const def = current._zod.def;
      if ((def.type === 'optional' || def.type === 'default') && def.innerType) {
        current = def.innerType as typeof current;
      } else return current;
    }
  };
  for (const key of path) {
    const s = unwrap(schema) as { _zod: { def: Record<string, unknown> } };
    const def = s._zod.def;
    if (def.type === 'object') schema = (def.shape as Record<string, unknown>)[String(key)];
    else if (def.type === 'record') schema = def.valueType;
    else if (def.type === 'array') schema = def.element;
    else return undefined;
    if (schema === undefined) return undefined;
  }
  return unwrap(schema) as z.ZodMiniType;
}

/** The keys an object at `path` allows. */
export function allowedKeys(path: readonly (string | number)[]): string[] {
  const s = schemaAt(path) as unknown as { _zod: { def: Record<string, unknown> } } | undefined;
  return s?._zod.def.type === 'object' ? Object.keys(s._zod.def.shape as object) : [];
}
