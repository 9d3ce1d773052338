/**
 * Builds the SageMaker pipeline definition (version 2020-12-01) of one branch at one commit from `pipeline.yaml`
 * and the run context:
 *
 *   data sources → processing steps (in dependency order) → per model: Training (or Tuning: the best job's artifact)
 *   → Evaluation (evaluation.json read as a property file) → Condition (the gate) → RegisterModel | (Fail)
 *
 * With one model the steps are `PreprocessData`-style processing steps, `TrainModel` (or `TuneModel`),
 * `EvaluateModel`, `CheckMetric`, `RegisterModel` and `GateFailed`; with several, each model's steps carry its name
 * (`TrainModel-forest`, ...) and a gate that fails registers nothing for that model without stopping the others
 * (no Fail step: it would end the execution while the other models are still running; the execution succeeds and
 * the step `CheckMetric-<model>` shows the outcome, which `node run.js --wait` reports per model).
 *
 * Everything that identifies the run (commit, branch, approval status, input data) is a literal of the definition,
 * which the run command builds per commit: the pipeline has no parameter that could change what it registers.
 * Each step's `Arguments` is typed as the SageMaker request it becomes (`Pipelined<Omit<CreateXRequest, 'XName'>>`).
 */
import { PipelineConfig, processingOrder } from './pipeline-file';
import { compileSource } from './sources';
import { Resolve, processingOutputUri, stepFromSpec } from './definition/processing';
import { dataConsumedBy, experimentName, modelPlans } from './definition/plan';
import { evaluateStep, gateStep } from './definition/register';
import { trainStep, tuneStep } from './definition/training';
import { COMMIT_PATTERN, DEFINITION_VERSION, PipelineDefinition, RunContext, Step } from './definition/types';

export function buildDefinition(config: PipelineConfig, ctx: RunContext): PipelineDefinition {
  if (!COMMIT_PATTERN.test(ctx.commit)) {
    throw new Error(`commit id ${JSON.stringify(ctx.commit)} is not a full 40-hex git commit id`);
  }
  const { spec } = config;
  const compiled = new Map(
    Object.entries(spec.data).map(([name, entry]) => [
      name,
      compileSource(name, entry as Record<string, unknown>, ctx),
    ]),
  );
  const resolve: Resolve = (ref) => {
    const [step, output] = ref.split('.');
    if (output === undefined) {
      const source = compiled.get(ref);
      if (source === undefined) throw new Error(`no data entry ${ref}`);
      return source.uri;
    }
    return processingOutputUri(step as string, output);
  };
  const steps: Step[] = [...[...compiled.values()].flatMap((s) => s.steps)];
  for (const name of processingOrder(spec)) steps.push(stepFromSpec(name, spec.steps[name]!, resolve, ctx));
  for (const plan of modelPlans(spec, ctx)) {
    steps.push(plan.tuned ? tuneStep(config, plan, resolve, ctx) : trainStep(config, plan, resolve, ctx));
    steps.push(evaluateStep(plan, resolve, ctx));
    const consumed = dataConsumedBy(spec, plan.model).map((name) => compiled.get(name)!);
    steps.push(gateStep(config, plan, ctx, consumed));
  }
  return {
    Version: DEFINITION_VERSION,
    Metadata: {},
    Parameters: [],
    PipelineExperimentConfig: { ExperimentName: experimentName(ctx.projectName), TrialName: ctx.commit },
    Steps: steps,
  };
}

export * from './definition/types';
export * from './definition/metadata';
export * from './definition/plan';
export * from './definition/processing';
export * from './definition/training';
export * from './definition/register';
