/**
 * `npm run bench:retrain [-- --config <pipeline file>]`: what one retrain of `main` runs, read from the definitions
 * run.js builds (no AWS call): per SageMaker job step, how many tuning jobs and training jobs (a Tuning step: one
 * tuning job of MaxNumberOfTrainingJobs training jobs, MaxParallelTrainingJobs at a time) and at most how many
 * instance-hours (jobs x instances x MaxRuntimeInSeconds), for a scheduled run cold, warm-started (every tuned model
 * given a parent) and in test mode. The default file is the seed's tuned example, examples/xgboost-tuning.yaml.
 * Prices are not computed here: multiply the instance-hours by the price of the instance type (docs/retraining.md).
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { SEED_SOURCE_DIR } from '../lib/seed-code';
import { definitionFor, parseOptions } from '../sagemaker-pipeline/src/cli';
import {
  RetrainContext,
  WarmStart,
  baseRetrainContext,
  readRetrainSettings,
  tunedModelsOf,
} from '../sagemaker-pipeline/src/retrain';

interface Row {
  readonly step: string;
  readonly type: string;
  readonly instanceType: string;
  readonly tuningJobs: number;
  readonly trainingJobs: number;
  readonly maxParallel: number;
  readonly maxInstanceHours: number;
  readonly warmStart: string;
}

type Json = Record<string, unknown>;

function steps(list: readonly unknown[]): Json[] {
  return list.flatMap((raw) => {
    const step = raw as Json;
    const args = (step.Arguments ?? {}) as Json;
    return step.Type === 'Condition'
      ? [step, ...steps((args.IfSteps as unknown[]) ?? []), ...steps((args.ElseSteps as unknown[]) ?? [])]
      : [step];
  });
}

function resolve(value: unknown, parameters: readonly Json[]): string {
  if (typeof value === 'string') return value;
  const get = (value as { Get?: string } | undefined)?.Get;
  const name = get?.startsWith('Parameters.') ? get.slice('Parameters.'.length) : undefined;
  return String(parameters.find((p) => p.Name === name)?.DefaultValue ?? JSON.stringify(value));
}

function rows(definition: Json): Row[] {
  const parameters = (definition.Parameters ?? []) as Json[];
  return steps((definition.Steps ?? []) as unknown[]).flatMap((step): Row[] => {
    const args = (step.Arguments ?? {}) as Json;
    const seconds = Number((args.StoppingCondition as Json | undefined)?.MaxRuntimeInSeconds ?? 0);
    if (step.Type === 'Training' || step.Type === 'Processing') {
      const resources = (
        step.Type === 'Training' ? args.ResourceConfig : (args.ProcessingResources as Json)?.ClusterConfig
      ) as Json;
      return [
        {
          step: String(step.Name),
          type: String(step.Type),
          instanceType: resolve(resources.InstanceType, parameters),
          tuningJobs: 0,
          trainingJobs: step.Type === 'Training' ? 1 : 0,
          maxParallel: 1,
          maxInstanceHours: (Number(resources.InstanceCount) * seconds) / 3600,
          warmStart: '',
        },
      ];
    }
    if (step.Type === 'Tuning') {
      const config = args.HyperParameterTuningJobConfig as Json;
      const limits = config.ResourceLimits as Json;
      const definitionOf = args.TrainingJobDefinition as Json;
      const resources = definitionOf.ResourceConfig as Json;
      const jobSeconds = Number((definitionOf.StoppingCondition as Json).MaxRuntimeInSeconds);
      const jobs = Number(limits.MaxNumberOfTrainingJobs);
      const warm = args.WarmStartConfig as
        { ParentHyperParameterTuningJobs: unknown[]; WarmStartType: string } | undefined;
      return [
        {
          step: String(step.Name),
          type: 'Tuning',
          instanceType: resolve(resources.InstanceType, parameters),
          tuningJobs: 1,
          trainingJobs: jobs,
          maxParallel: Number(limits.MaxParallelTrainingJobs),
          maxInstanceHours: (jobs * Number(resources.InstanceCount) * jobSeconds) / 3600,
          warmStart: warm ? `${warm.WarmStartType} (${warm.ParentHyperParameterTuningJobs.length} parent)` : 'cold',
        },
      ];
    }
    return [];
  });
}

function main(): void {
  const { values } = parseArgs({ options: { config: { type: 'string' } } });
  const argv = [
    '--dry-run',
    '--branch',
    'main',
    '--commit',
    '0'.repeat(40),
    '--config',
    values.config ?? path.join(SEED_SOURCE_DIR, 'examples', 'xgboost-tuning.yaml'),
  ];
  const env = { PROJECT_NAME: 'bench', AWS_REGION: 'us-east-1' };
  const options = parseOptions(argv, env, SEED_SOURCE_DIR);
  if (options === 'help') return;
  const build = (extra: RetrainContext) => definitionFor({ ...options, context: { ...options.context, ...extra } });
  const slot = { TRIGGER: 'schedule', SCHEDULED_TIME: '2026-12-01T03:00:00Z' };
  const cold = baseRetrainContext(readRetrainSettings(slot));
  const tuned = tunedModelsOf(build(cold));
  const parents: Record<string, WarmStart> = Object.fromEntries(
    tuned.map((m) => [m.model, { parents: ['bench-parent'], type: 'TransferLearning' } as WarmStart]),
  );
  const modes: [string, RetrainContext][] = [
    ['scheduled, cold', cold],
    ['scheduled, warm start', { ...cold, warmStart: parents }],
    [
      'scheduled, test mode',
      { ...baseRetrainContext(readRetrainSettings({ ...slot, TEST_MODE: 'true' })), warmStart: parents },
    ],
  ];
  console.log(`config: ${options.configFile}`);
  console.log(`tuned models: ${tuned.length}${tuned.length ? ` (${tuned.map((m) => m.model).join(', ')})` : ''}`);
  for (const [label, context] of modes) {
    const table = rows(build(context) as unknown as Json);
    const jobs = table.reduce((n, r) => n + r.trainingJobs, 0);
    const tuningJobs = table.reduce((n, r) => n + r.tuningJobs, 0);
    const hours = table.filter((r) => r.type !== 'Processing').reduce((n, r) => n + r.maxInstanceHours, 0);
    const processing = table.filter((r) => r.type === 'Processing').reduce((n, r) => n + r.maxInstanceHours, 0);
    console.log(
      `\n${label}: ${tuningJobs} tuning job(s), ${jobs} training job(s), at most ${hours} training instance-hour(s), at most ${processing} processing instance-hour(s)`,
    );
    for (const r of table) {
      console.log(
        `  ${r.step.padEnd(24)} ${r.type.padEnd(10)} ${r.instanceType.padEnd(14)} jobs ${String(r.trainingJobs).padStart(3)} (${r.maxParallel} at a time)  <= ${r.maxInstanceHours} h  ${r.warmStart}`,
      );
    }
  }
}

main();
