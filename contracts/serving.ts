/**
 * Names a serving stage promises to its clients, shared by the stage's stack, its deploy function and the client
 * helper (lib/serving-client.ts): the endpoint, the SSM parameter of each model's current TargetModel, and the key
 * prefix the endpoint's ModelDataUrl points at.
 */

/** Key prefix in the serving bucket under which every TargetModel lives (the endpoint's ModelDataUrl). */
export const SERVING_PREFIX = 'models/';

/** The stage's multi-model endpoint. */
export function endpointName(stage: string): string {
  return `multibranch-mlops-${stage}`;
}

/** SSM path under which `<project>/<model package group>` holds a model's current TargetModel. */
export function servingParameterPrefix(stage: string): string {
  return `/multibranch-mlops/serving/${stage}/`;
}

/** The SSM parameter of one model (its model package group) in a stage. */
export function servingParameterName(stage: string, project: string, modelPackageGroup: string): string {
  return `${servingParameterPrefix(stage)}${project}/${modelPackageGroup}`;
}

/** The deploy function of a stage (a promised name: operators read its logs). */
export function deployFunctionName(stage: string): string {
  return `deploy-model-${stage}`;
}
