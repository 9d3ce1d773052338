/**
 * Checks a pipeline definition's references before it is sent: every `Get` names a declared parameter, a known
 * execution variable, or a property that an earlier step really has (its outputs, property files, model artifacts);
 * every conditional branch and `DependsOn` names an existing step. The service would reject such a definition only
 * at run time, after minutes of processing.
 */
import { EXECUTION_VARIABLES, collectGets, isJsonGet } from './expressions';
import type { PipelineDefinition, Step } from './definition';

export class DefinitionError extends Error {
  override readonly name = 'DefinitionError';
}

interface StepInfo {
  readonly step: Step;
  /** Index among the top-level steps that the step is, or is nested under. */
  readonly order: number;
  /** Name of the condition step it is nested under, if any. */
  readonly parent?: string;
}

function flatten(steps: readonly Step[]): Map<string, StepInfo> {
  const all = new Map<string, StepInfo>();
  const add = (step: Step, order: number, parent: string | undefined, problems: string[]) => {
    if (all.has(step.Name)) problems.push(`step name ${JSON.stringify(step.Name)} is used twice`);
    all.set(step.Name, { step, order, parent });
    if (step.Type === 'Condition') {
      for (const child of [...step.Arguments.IfSteps, ...step.Arguments.ElseSteps])
        add(child, order, step.Name, problems);
    }
  };
  const problems: string[] = [];
  steps.forEach((s, i) => add(s, i, undefined, problems));
  if (problems.length > 0) throw new DefinitionError(problems.join('\n'));
  return all;
}

/** Property paths a step of each type exposes (the subset this project uses, plus the job names). */
function propertyProblem(target: Step, property: string): string | undefined {
  if (target.Type === 'Training') {
    return ['ModelArtifacts.S3ModelArtifacts', 'TrainingJobName', 'TrainingJobArn'].includes(property)
      ? undefined
      : `training step ${target.Name} has no property ${property}`;
  }
  if (target.Type === 'Tuning') {
    return /^(TrainingJobSummaries\[\d+\]\.TrainingJobName|BestTrainingJob\.TrainingJobName|HyperParameterTuningJobName|HyperParameterTuningJobArn)$/.test(
      property,
    )
      ? undefined
      : `tuning step ${target.Name} has no property ${property}`;
  }
  if (target.Type === 'Processing') {
    const output = /^ProcessingOutputConfig\.Outputs\['([^']+)'\]\.S3Output\.S3Uri$/.exec(property);
    if (output) {
      const names = (target.Arguments.ProcessingOutputConfig?.Outputs ?? []).map((o) => o.OutputName);
      return names.includes(output[1] ?? '')
        ? undefined
        : `processing step ${target.Name} has no output ${JSON.stringify(output[1])} (outputs: ${names.join(', ')})`;
    }
    const file = /^PropertyFiles\.(.+)$/.exec(property);
    if (file) {
      const names = (target.PropertyFiles ?? []).map((p) => p.PropertyFileName);
      return names.includes(file[1] ?? '')
        ? undefined
        : `processing step ${target.Name} has no property file ${JSON.stringify(file[1])}`;
    }
    // Members of DescribeProcessingJobResponse a step may read; ExitMessage carries a sql extract's data sha256.
    return ['ProcessingJobName', 'ProcessingJobArn', 'ExitMessage'].includes(property)
      ? undefined
      : `processing step ${target.Name} has no property ${property}`;
  }
  return `step ${target.Name} (${target.Type}) exposes no properties this definition may use (${property})`;
}

/** Problems with the definition's references, one sentence each; empty when all resolve. */
export function referenceProblems(definition: PipelineDefinition): string[] {
  const problems: string[] = [];
  const parameters = new Set(definition.Parameters.map((p) => p.Name));
  let steps: Map<string, StepInfo>;
  try {
    steps = flatten(definition.Steps);
  } catch (err) {
    return [(err as Error).message];
  }

  const checkGet = (path: string, where: string, from?: StepInfo) => {
    const [head, ...rest] = path.split('.');
    if (head === 'Parameters') {
      if (!parameters.has(rest.join('.'))) problems.push(`${where}: parameter ${rest.join('.')} is not declared`);
    } else if (head === 'Execution') {
      if (!(EXECUTION_VARIABLES as readonly string[]).includes(rest.join('.'))) {
        problems.push(`${where}: ${path} is not an execution variable`);
      }
    } else if (head === 'Steps') {
      const [stepName, ...property] = rest;
      const target = steps.get(stepName ?? '');
      if (target === undefined) {
        problems.push(`${where}: step ${JSON.stringify(stepName)} does not exist`);
        return;
      }
      if (from !== undefined && (target.order >= from.order || target.parent !== undefined)) {
        problems.push(`${where}: refers to step ${stepName}, which does not run before it`);
        return;
      }
      const problem = propertyProblem(target.step, property.join('.'));
      if (problem !== undefined) problems.push(`${where}: ${problem}`);
    } else {
      problems.push(`${where}: ${JSON.stringify(path)} is neither Parameters, Execution nor Steps`);
    }
  };

  for (const info of steps.values()) {
    const { step } = info;
    const where = `step ${step.Name}`;
    for (const path of collectGets(step.Arguments)) checkGet(path, where, info);
    if (step.Type === 'Condition') {
      for (const condition of step.Arguments.Conditions) {
        if (
          !isJsonGet(condition.LeftValue) ||
          !condition.LeftValue['Std:JsonGet'].PropertyFile.Get.includes('.PropertyFiles.')
        ) {
          problems.push(`${where}: the condition does not read a property file`);
        }
      }
    }
    for (const dependency of (step as { DependsOn?: string[] }).DependsOn ?? []) {
      if (!steps.has(dependency)) problems.push(`${where}: depends on step ${dependency}, which does not exist`);
    }
    if (step.Type === 'Processing') {
      const outputs = (step.Arguments.ProcessingOutputConfig?.Outputs ?? []).map((o) => o.OutputName);
      for (const file of step.PropertyFiles ?? []) {
        if (!outputs.includes(file.OutputName)) {
          problems.push(
            `${where}: property file ${file.PropertyFileName} reads output ${file.OutputName}, which it does not have`,
          );
        }
      }
    }
  }
  for (const path of collectGets(definition.PipelineExperimentConfig)) checkGet(path, 'PipelineExperimentConfig');
  return problems;
}

/** Throws a DefinitionError listing every broken reference. */
export function assertReferences(definition: PipelineDefinition): void {
  const problems = referenceProblems(definition);
  if (problems.length > 0) {
    throw new DefinitionError(`the pipeline definition has broken references:\n  - ${problems.join('\n  - ')}`);
  }
}
