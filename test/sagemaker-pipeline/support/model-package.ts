/**
 * The CreateModelPackage request that a definition's RegisterModel step makes, with an execution's values
 * substituted: what SageMaker sends when the gate passes. Built from the definition itself, so that whoever plays
 * SageMaker (the end-to-end tests) registers exactly what the pipeline would. Test-only.
 */
import type { CreateModelPackageInput } from '@aws-sdk/client-sagemaker';
import type { PipelineDefinition, RegisterModelStep, Step } from '../../../sagemaker-pipeline/src/definition';
import { ExecutionValues, evaluate } from './evaluate';

function findRegisterSteps(steps: readonly Step[]): RegisterModelStep[] {
  return steps.flatMap((step) => {
    if (step.Type === 'RegisterModel') return [step];
    if (step.Type === 'Condition') return findRegisterSteps([...step.Arguments.IfSteps, ...step.Arguments.ElseSteps]);
    return [];
  });
}

/** The definition's RegisterModel steps, one per model, in the order of pipeline.yaml. */
export function registerModelSteps(definition: PipelineDefinition): RegisterModelStep[] {
  return findRegisterSteps(definition.Steps);
}

/**
 * The RegisterModel step of a model (by its `model_name` metadata), or the only one when no model is named; throws
 * when there is none, or several and no model is named.
 */
export function registerModelStep(definition: PipelineDefinition, model?: string): RegisterModelStep {
  const found = findRegisterSteps(definition.Steps).filter(
    (s) => model === undefined || s.Arguments.CustomerMetadataProperties?.model_name === model,
  );
  if (found.length !== 1 || found[0] === undefined) {
    throw new Error(
      `the pipeline definition has ${found.length} RegisterModel steps${model ? ` for model ${model}` : ''}; expected exactly one`,
    );
  }
  return found[0];
}

/**
 * @param values parameters (those not given take the definition's defaults), execution variables such as
 *   `PipelineExecutionArn`, and step properties such as `Steps.TrainModel.ModelArtifacts.S3ModelArtifacts`
 * @param model the model's name in pipeline.yaml (required when the definition has several)
 * @throws UnresolvedReferenceError naming the first value the request needs and `values` lacks
 */
export function modelPackageRequest(
  definition: PipelineDefinition,
  values: Partial<ExecutionValues> & Pick<ExecutionValues, 'execution' | 'properties'>,
  model?: string,
): CreateModelPackageInput {
  const defaults = Object.fromEntries(definition.Parameters.map((p) => [p.Name, p.DefaultValue]));
  const resolved = evaluate(registerModelStep(definition, model).Arguments, {
    ...values,
    parameters: { ...defaults, ...(values.parameters ?? {}) },
  });
  return resolved as CreateModelPackageInput;
}
