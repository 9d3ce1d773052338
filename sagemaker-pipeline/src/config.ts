/**
 * The data scientists' configuration file, `pipeline.config.json` (documented in the seed README): parsed and
 * checked once, so a mistake fails the build with the field's name before anything touches AWS.
 */
import * as fs from 'node:fs';
import { en } from 'zod/locales';
import * as z from 'zod/mini';

// zod/mini loads no locale: without one every issue reads "Invalid input". Only the English one is loaded (the
// namespace `z.locales` would bundle every language into run.js).
z.config(en());

/** Metrics that `evaluate.py` writes under `regression_metrics.<name>.value`, and which way is better. */
export const METRICS = {
  mse: 'lower',
  rmse: 'lower',
  mae: 'lower',
  r2: 'higher',
} as const;
export type MetricName = keyof typeof METRICS;

const instanceType = z
  .string()
  .check(z.regex(/^ml\.[a-z0-9]+\.[a-z0-9]+$/, 'must be a SageMaker instance type like ml.m5.large'));
const maxRuntimeSeconds = z.number().check(z.int(), z.gte(60), z.lte(432000));

export const PipelineConfigSchema = z.strictObject({
  /** S3 URI of the raw CSV (abalone format); `{region}` is replaced by the pipeline's region. */
  inputData: z.string().check(z.regex(/^s3:\/\/[a-z0-9{][a-z0-9.{}-]*[a-z0-9}](\/.*)?$/, 'must be an s3:// URI')),
  /** Version of SageMaker's scikit-learn framework images (processing, training and inference). */
  frameworkVersion: z._default(z.enum(['1.2-1']), '1.2-1'),
  processing: z._default(z.strictObject({ instanceType, maxRuntimeSeconds: z._default(maxRuntimeSeconds, 3600) }), {
    instanceType: 'ml.m5.large',
    maxRuntimeSeconds: 3600,
  }),
  training: z._default(z.strictObject({ instanceType, maxRuntimeSeconds: z._default(maxRuntimeSeconds, 3600) }), {
    instanceType: 'ml.m5.large',
    maxRuntimeSeconds: 3600,
  }),
  /** Passed to train.py as `--<name> <value>`. */
  hyperparameters: z._default(
    z
      .record(
        z.string().check(z.regex(/^[a-z][a-z0-9_]{0,63}$/, 'hyperparameter names are snake_case words')),
        z.union([z.number(), z.string().check(z.maxLength(256)), z.boolean()]),
      )
      .check(
        z.refine((h) => !Object.keys(h).some((k) => k.startsWith('sagemaker_')), {
          message: 'names starting with sagemaker_ are reserved for the container',
        }),
      ),
    {},
  ),
  /** Fractions of the rows that preprocess.py holds out for validation and test; the rest trains. */
  split: z._default(
    z
      .strictObject({
        validation: z.number().check(z.gt(0), z.lt(0.5)),
        test: z.number().check(z.gt(0), z.lt(0.5)),
      })
      .check(
        z.refine((s) => s.validation + s.test < 0.9, { message: 'validation + test must leave rows to train on' }),
      ),
    { validation: 0.15, test: 0.15 },
  ),
  /** The quality gate: a model is registered only if its test-set metric passes the threshold. */
  gate: z.strictObject({
    metric: z.enum(Object.keys(METRICS) as [MetricName, ...MetricName[]]),
    // z.number() rejects NaN and the infinities: a threshold is always finite.
    threshold: z.number(),
  }),
  /** @default the project's group, `model-<project>` (the one the release step watches) */
  modelPackageGroupName: z.optional(
    z.string().check(z.regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, 'must be a model package group name')),
  ),
});

export type PipelineConfig = z.infer<typeof PipelineConfigSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Validates a parsed configuration object; the error lists every field that is wrong, by its path. */
export function parseConfig(raw: unknown, source = 'pipeline.config.json'): PipelineConfig {
  const result = PipelineConfigSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`${source} is not valid:\n${problems.join('\n')}`);
  }
  return result.data;
}

export function loadConfig(file: string): PipelineConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read the pipeline configuration ${file}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file} is not JSON: ${(err as Error).message}`);
  }
  return parseConfig(raw, file);
}

/** The input data URI with `{region}` filled in. */
export function inputDataUri(config: PipelineConfig, region: string): string {
  return config.inputData.split('{region}').join(region);
}
