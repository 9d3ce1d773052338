/**
 * The data scientists' configuration file, `pipeline.config.json` (documented in the seed README): parsed and
 * checked once, so a mistake fails the build with the field's name before anything touches AWS.
 */
import * as fs from 'node:fs';
import { z } from 'zod';

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
  .regex(/^ml\.[a-z0-9]+\.[a-z0-9]+$/, 'must be a SageMaker instance type like ml.m5.large');
const maxRuntimeSeconds = z.number().int().min(60).max(432000);

export const PipelineConfigSchema = z
  .object({
    /** S3 URI of the raw CSV (abalone format); `{region}` is replaced by the pipeline's region. */
    inputData: z.string().regex(/^s3:\/\/[a-z0-9{][a-z0-9.{}-]*[a-z0-9}](\/.*)?$/, 'must be an s3:// URI'),
    /** Version of SageMaker's scikit-learn framework images (processing, training and inference). */
    frameworkVersion: z.enum(['1.2-1']).default('1.2-1'),
    processing: z
      .object({ instanceType, maxRuntimeSeconds: maxRuntimeSeconds.default(3600) })
      .strict()
      .default({ instanceType: 'ml.m5.large', maxRuntimeSeconds: 3600 }),
    training: z
      .object({ instanceType, maxRuntimeSeconds: maxRuntimeSeconds.default(3600) })
      .strict()
      .default({ instanceType: 'ml.m5.large', maxRuntimeSeconds: 3600 }),
    /** Passed to train.py as `--<name> <value>`. */
    hyperparameters: z
      .record(
        z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'hyperparameter names are snake_case words'),
        z.union([z.number(), z.string().max(256), z.boolean()]),
      )
      .refine((h) => !Object.keys(h).some((k) => k.startsWith('sagemaker_')), {
        message: 'names starting with sagemaker_ are reserved for the container',
      })
      .default({}),
    /** Fractions of the rows that preprocess.py holds out for validation and test; the rest trains. */
    split: z
      .object({ validation: z.number().gt(0).lt(0.5), test: z.number().gt(0).lt(0.5) })
      .strict()
      .refine((s) => s.validation + s.test < 0.9, { message: 'validation + test must leave rows to train on' })
      .default({ validation: 0.15, test: 0.15 }),
    /** The quality gate: a model is registered only if its test-set metric passes the threshold. */
    gate: z
      .object({
        metric: z.enum(Object.keys(METRICS) as [MetricName, ...MetricName[]]),
        threshold: z.number().finite(),
      })
      .strict(),
    /** @default the project's group, `model-<project>` (the one the release step watches) */
    modelPackageGroupName: z
      .string()
      .regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, 'must be a model package group name')
      .optional(),
  })
  .strict();

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
