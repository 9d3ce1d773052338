/**
 * Evaluates SageMaker pipeline expressions (`Get`, `Std:Join`, `Std:JsonGet`) for given execution values, so that
 * tests (and whoever plays SageMaker in them) can compute the request a step sends. Test-only: the seed code never
 * evaluates its own definitions.
 */
import {
  UnresolvedReferenceError,
  isGet,
  isJoin,
  isJsonGet,
  jsonPath,
} from '../../../sagemaker-pipeline/src/expressions';

/** What an execution supplies: parameter values, execution variables, step properties and property files. */
export interface ExecutionValues {
  /** Parameter name → value (parameters not given take their defaults from the definition). */
  readonly parameters: Readonly<Record<string, string | number | boolean>>;
  /** Execution variable (`PipelineExecutionArn`, ...) → value. */
  readonly execution: Readonly<Record<string, string>>;
  /** Full `Get` path of a step property (`Steps.TrainModel.ModelArtifacts.S3ModelArtifacts`) → value. */
  readonly properties: Readonly<Record<string, string | number | boolean>>;
  /** `Steps.<step>.PropertyFiles.<name>` → the parsed JSON file. */
  readonly propertyFiles?: Readonly<Record<string, unknown>>;
}

function lookup(path: string, values: ExecutionValues): string | number | boolean {
  const [head, ...rest] = path.split('.');
  const name = rest.join('.');
  const table =
    head === 'Parameters'
      ? values.parameters
      : head === 'Execution'
        ? values.execution
        : head === 'Steps'
          ? values.properties
          : undefined;
  const key = head === 'Steps' ? path : name;
  if (table === undefined || !Object.prototype.hasOwnProperty.call(table, key)) {
    throw new UnresolvedReferenceError(`no value given for ${JSON.stringify(path)}`);
  }
  return table[key] as string | number | boolean;
}

/** Replaces every expression in `value` by its value for the given execution. */
export function evaluate(value: unknown, values: ExecutionValues): unknown {
  if (isGet(value)) return lookup(value.Get, values);
  if (isJoin(value)) {
    return value['Std:Join'].Values.map((v) => String(evaluate(v, values))).join(value['Std:Join'].On);
  }
  if (isJsonGet(value)) {
    const file = value['Std:JsonGet'].PropertyFile.Get;
    const files = values.propertyFiles ?? {};
    if (!Object.prototype.hasOwnProperty.call(files, file)) {
      throw new UnresolvedReferenceError(`no property file given for ${JSON.stringify(file)}`);
    }
    return jsonPath(files[file], value['Std:JsonGet'].Path);
  }
  if (Array.isArray(value)) return value.map((v) => evaluate(v, values));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, evaluate(v, values)]));
  }
  return value;
}
