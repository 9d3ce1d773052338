/**
 * What the report needs from a pipeline execution's definition (DescribePipelineDefinitionForExecution), read
 * generically so that it holds for any number of models and step names:
 * - each RegisterModel step: its model package group and `model_name` metadata;
 * - each quality gate: a Condition step comparing a `Std:JsonGet` of an evaluation report with a number, whose
 *   IfSteps register into a group and whose ElseSteps hold a Fail step; the metric is the path's segment before
 *   `.value` (`regression_metrics.mse.value` → `mse`);
 * - where the gate's evaluation report lands, when the evaluation step's output URI is built from literals and
 *   execution variables only (as the seed's definition builds it).
 */
import { MODEL_METADATA } from '../../contracts/model-metadata';
import { Direction } from './metrics';

export interface RegisterFacts {
  readonly step: string;
  readonly group?: string;
  readonly modelName?: string;
}

export interface GateFacts {
  readonly step: string;
  readonly metric: string;
  readonly comparison: '<=' | '>=';
  readonly direction: Direction;
  readonly threshold: number;
  /** Groups the gate's IfSteps register into. */
  readonly groups: readonly string[];
  /** Fail steps among its ElseSteps. */
  readonly failSteps: readonly string[];
  /** The evaluation report's S3 URI for a given execution, if it can be computed. */
  readonly reportUri?: (execution: { id: string; arn: string; pipelineName: string }) => string | undefined;
}

export interface DefinitionFacts {
  readonly registers: readonly RegisterFacts[];
  readonly gates: readonly GateFacts[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function allSteps(steps: unknown, into: Json[] = []): Json[] {
  if (!Array.isArray(steps)) return into;
  for (const step of steps) {
    if (!isObject(step)) continue;
    into.push(step);
    const args = step.Arguments;
    if (step.Type === 'Condition' && isObject(args)) {
      allSteps(args.IfSteps, into);
      allSteps(args.ElseSteps, into);
    }
  }
  return into;
}

const COMPARISONS: Record<string, { comparison: '<=' | '>='; direction: Direction }> = {
  LessThanOrEqualTo: { comparison: '<=', direction: 'lower' },
  LessThan: { comparison: '<=', direction: 'lower' },
  GreaterThanOrEqualTo: { comparison: '>=', direction: 'higher' },
  GreaterThan: { comparison: '>=', direction: 'higher' },
};

/** `regression_metrics.mse.value` → `mse`; a path not ending in `.value` → its last segment. */
export function metricOfPath(path: string): string {
  const parts = path.split('.');
  return parts.length >= 2 && parts[parts.length - 1] === 'value'
    ? (parts[parts.length - 2] as string)
    : (parts.pop() as string);
}

/** Resolves a string, or a Std:Join of literals and Execution variables; anything else → undefined. */
function resolver(expr: unknown): ((vars: Record<string, string>) => string | undefined) | undefined {
  if (typeof expr === 'string') return () => expr;
  if (!isObject(expr) || !isObject(expr['Std:Join'])) return undefined;
  const { On, Values } = expr['Std:Join'] as { On?: unknown; Values?: unknown };
  if (typeof On !== 'string' || !Array.isArray(Values)) return undefined;
  return (vars) => {
    const parts: string[] = [];
    for (const v of Values) {
      if (typeof v === 'string' || typeof v === 'number') parts.push(String(v));
      else if (isObject(v) && typeof v.Get === 'string' && v.Get.startsWith('Execution.') && v.Get.slice(10) in vars) {
        parts.push(vars[v.Get.slice(10)] as string);
      } else return undefined;
    }
    return parts.join(On);
  };
}

function reportUriOf(steps: readonly Json[], propertyFileGet: string): GateFacts['reportUri'] {
  const match = /^Steps\.([^.]+)\.PropertyFiles\.(.+)$/.exec(propertyFileGet);
  if (match === null) return undefined;
  const step = steps.find((s) => s.Name === match[1]);
  const files = Array.isArray(step?.PropertyFiles) ? (step.PropertyFiles as unknown[]) : [];
  const file = files.filter(isObject).find((f) => f.PropertyFileName === match[2]);
  const args = isObject(step?.Arguments) ? step.Arguments : {};
  const outputs = isObject(args.ProcessingOutputConfig) ? args.ProcessingOutputConfig.Outputs : undefined;
  const output = (Array.isArray(outputs) ? outputs : [])
    .filter(isObject)
    .find((o) => o.OutputName === file?.OutputName);
  const uri = resolver(isObject(output?.S3Output) ? output.S3Output.S3Uri : undefined);
  const filePath = str(file?.FilePath);
  if (uri === undefined || filePath === undefined) return undefined;
  return ({ id, arn, pipelineName }) => {
    const base = uri({ PipelineExecutionId: id, PipelineExecutionArn: arn, PipelineName: pipelineName });
    return base === undefined ? undefined : `${base.replace(/\/+$/, '')}/${filePath.replace(/^\/+/, '')}`;
  };
}

/** The facts of a definition (the JSON text SageMaker returns); a definition that is not JSON has none. */
export function analyzeDefinition(text: string | undefined): DefinitionFacts {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? '');
  } catch {
    return { registers: [], gates: [] };
  }
  const steps = allSteps(isObject(parsed) ? parsed.Steps : undefined);
  const registerOf = (step: Json): RegisterFacts => {
    const args = isObject(step.Arguments) ? step.Arguments : {};
    const meta = isObject(args.CustomerMetadataProperties) ? args.CustomerMetadataProperties : {};
    return {
      step: String(step.Name),
      group: str(args.ModelPackageGroupName),
      modelName: str(meta[MODEL_METADATA.modelName]),
    };
  };
  const registers = steps.filter((s) => s.Type === 'RegisterModel').map(registerOf);
  const gates: GateFacts[] = [];
  for (const step of steps.filter((s) => s.Type === 'Condition')) {
    const args = isObject(step.Arguments) ? step.Arguments : {};
    const conditions = Array.isArray(args.Conditions) ? args.Conditions.filter(isObject) : [];
    for (const condition of conditions) {
      const kind = COMPARISONS[String(condition.Type)];
      const left = isObject(condition.LeftValue) ? condition.LeftValue['Std:JsonGet'] : undefined;
      if (kind === undefined || !isObject(left) || typeof condition.RightValue !== 'number') continue;
      const path = str(left.Path);
      const propertyFile = isObject(left.PropertyFile) ? str(left.PropertyFile.Get) : undefined;
      if (path === undefined) continue;
      gates.push({
        step: String(step.Name),
        metric: metricOfPath(path),
        ...kind,
        threshold: condition.RightValue,
        groups: allSteps(args.IfSteps)
          .filter((s) => s.Type === 'RegisterModel')
          .map((s) => registerOf(s).group)
          .filter((g): g is string => g !== undefined),
        failSteps: allSteps(args.ElseSteps)
          .filter((s) => s.Type === 'Fail')
          .map((s) => String(s.Name)),
        reportUri: propertyFile === undefined ? undefined : reportUriOf(steps, propertyFile),
      });
    }
  }
  return { registers, gates };
}
