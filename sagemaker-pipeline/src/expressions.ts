/**
 * The expression language of SageMaker pipeline definitions (`Get`, `Std:Join`, `Std:JsonGet`), typed so that a
 * step's `Arguments` can be checked against the SageMaker API request it becomes. The evaluator that computes the
 * request a step sends for given execution values is test code: test/sagemaker-pipeline/support/evaluate.ts.
 */

/** `{"Get": "Parameters.X" | "Execution.X" | "Steps.<step>.<property path>"}` */
export interface Get {
  readonly Get: string;
}
/** `{"Std:Join": {"On": ",", "Values": [...]}}`: the values, as strings, joined. */
export interface Join {
  readonly 'Std:Join': { readonly On: string; readonly Values: readonly (string | number | Get)[] };
}
/** `{"Std:JsonGet": {"PropertyFile": {"Get": "Steps.<step>.PropertyFiles.<name>"}, "Path": "a.b[0]"}}` */
export interface JsonGet {
  readonly 'Std:JsonGet': { readonly PropertyFile: Get; readonly Path: string };
}
export type Expression = Get | Join | JsonGet;

/**
 * `T` (an SDK request type) where a pipeline expression may stand in for a value: `Get`/`Std:Join` where a string
 * goes, `Get` where a number or boolean goes. Required fields stay required.
 */
export type Pipelined<T> = T extends string
  ? T | Get | Join
  : T extends number | boolean
    ? T | Get
    : T extends Date | Uint8Array
      ? T
      : T extends readonly (infer U)[]
        ? readonly Pipelined<U>[]
        : T extends object
          ? { [K in keyof T]: Pipelined<T[K]> }
          : T;

export const get = (path: string): Get => ({ Get: path });
export const param = (name: string): Get => get(`Parameters.${name}`);
export const execution = (name: ExecutionVariable): Get => get(`Execution.${name}`);
export const join = (on: string, values: readonly (string | number | Get)[]): Join => ({
  'Std:Join': { On: on, Values: values },
});
export const jsonGet = (step: string, propertyFile: string, path: string): JsonGet => ({
  'Std:JsonGet': { PropertyFile: get(`Steps.${step}.PropertyFiles.${propertyFile}`), Path: path },
});

/** Execution variables the service resolves (SageMaker Python SDK `ExecutionVariables`). */
export const EXECUTION_VARIABLES = [
  'StartDateTime',
  'CurrentDateTime',
  'PipelineName',
  'PipelineArn',
  'PipelineExecutionId',
  'PipelineExecutionArn',
  'TrainingJobName',
  'ProcessingJobName',
] as const;
export type ExecutionVariable = (typeof EXECUTION_VARIABLES)[number];

export function isGet(v: unknown): v is Get {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).join() === 'Get';
}
export function isJoin(v: unknown): v is Join {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).join() === 'Std:Join';
}
export function isJsonGet(v: unknown): v is JsonGet {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).join() === 'Std:JsonGet';
}
export function isExpression(v: unknown): v is Expression {
  return isGet(v) || isJoin(v) || isJsonGet(v);
}

/** Every `Get` path in a value, including those inside `Std:Join` and `Std:JsonGet`. */
export function collectGets(value: unknown, into: string[] = []): string[] {
  if (isGet(value)) into.push(value.Get);
  else if (Array.isArray(value)) value.forEach((v) => collectGets(v, into));
  else if (typeof value === 'object' && value !== null) Object.values(value).forEach((v) => collectGets(v, into));
  return into;
}

export class UnresolvedReferenceError extends Error {
  override readonly name = 'UnresolvedReferenceError';
}

/** Value at a JsonPath-like `a.b[0].c` inside a parsed JSON document. */
export function jsonPath(doc: unknown, path: string): unknown {
  const parts = path.match(/[^.[\]]+/g) ?? [];
  let node: unknown = doc;
  for (const part of parts) {
    if (typeof node !== 'object' || node === null || !Object.prototype.hasOwnProperty.call(node, part)) {
      throw new UnresolvedReferenceError(`path ${JSON.stringify(path)} not found in the property file`);
    }
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}
