/**
 * Run-time check of a request against the SageMaker service model that ships with botocore (the machine's Python):
 * required members present, no unknown members, enum values, number and list ranges. Pipeline expressions (`Get`,
 * `Std:Join`, `Std:JsonGet`) are accepted where a scalar goes, unless `allowExpressions` is false.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { isExpression } from '../../../sagemaker-pipeline/src/expressions';

interface Shape {
  type: string;
  required?: string[];
  members?: Record<string, { shape: string }>;
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
  enum?: string[];
  min?: number;
  max?: number;
}

let cached: Record<string, Shape> | undefined;

export function sageMakerShapes(): Record<string, Shape> {
  if (cached) return cached;
  const botocore = execFileSync('python3', ['-c', 'import botocore, os; print(os.path.dirname(botocore.__file__))'], {
    encoding: 'utf8',
  }).trim();
  const dir = path.join(botocore, 'data', 'sagemaker');
  const version = fs.readdirSync(dir).sort().pop();
  if (version === undefined) throw new Error(`no SageMaker service model under ${dir}`);
  const model = JSON.parse(gunzipSync(fs.readFileSync(path.join(dir, version, 'service-2.json.gz'))).toString('utf8'));
  cached = model.shapes as Record<string, Shape>;
  return cached;
}

export function shapeProblems(value: unknown, shapeName: string, allowExpressions = true, at = '$'): string[] {
  const shape = sageMakerShapes()[shapeName];
  if (shape === undefined) return [`${at}: unknown shape ${shapeName}`];
  const scalar = ['string', 'integer', 'long', 'float', 'double', 'boolean', 'timestamp'].includes(shape.type);
  if (isExpression(value)) {
    if (scalar && allowExpressions) return [];
    return [`${at}: an expression where ${shape.type} ${shapeName} goes`];
  }
  const problems: string[] = [];
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return [`${at}: not an object (${shapeName})`];
      const record = value as Record<string, unknown>;
      for (const name of shape.required ?? []) {
        if (record[name] === undefined) problems.push(`${at}.${name}: required by ${shapeName}, missing`);
      }
      for (const [name, member] of Object.entries(record)) {
        const spec = shape.members?.[name];
        if (spec === undefined) problems.push(`${at}.${name}: not a member of ${shapeName}`);
        else problems.push(...shapeProblems(member, spec.shape, allowExpressions, `${at}.${name}`));
      }
      return problems;
    }
    case 'list': {
      if (!Array.isArray(value)) return [`${at}: not a list (${shapeName})`];
      if (shape.min !== undefined && value.length < shape.min) problems.push(`${at}: fewer than ${shape.min} items`);
      if (shape.max !== undefined && value.length > shape.max) problems.push(`${at}: more than ${shape.max} items`);
      value.forEach((item, i) =>
        problems.push(...shapeProblems(item, shape.member!.shape, allowExpressions, `${at}[${i}]`)),
      );
      return problems;
    }
    case 'map': {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return [`${at}: not a map (${shapeName})`];
      for (const [k, v] of Object.entries(value)) {
        problems.push(...shapeProblems(k, shape.key!.shape, false, `${at}{key ${k}}`));
        problems.push(...shapeProblems(v, shape.value!.shape, allowExpressions, `${at}.${k}`));
      }
      return problems;
    }
    case 'string':
      if (typeof value !== 'string') return [`${at}: not a string (${shapeName})`];
      if (shape.enum && !shape.enum.includes(value)) return [`${at}: ${value} is not one of ${shape.enum.join(', ')}`];
      if (shape.min !== undefined && value.length < shape.min) return [`${at}: shorter than ${shape.min}`];
      if (shape.max !== undefined && value.length > shape.max) return [`${at}: longer than ${shape.max}`];
      return [];
    case 'integer':
    case 'long':
      if (!Number.isInteger(value)) return [`${at}: not an integer (${shapeName})`];
      if (shape.min !== undefined && (value as number) < shape.min) return [`${at}: below ${shape.min}`];
      if (shape.max !== undefined && (value as number) > shape.max) return [`${at}: above ${shape.max}`];
      return [];
    case 'float':
    case 'double':
      return typeof value === 'number' ? [] : [`${at}: not a number (${shapeName})`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at}: not a boolean (${shapeName})`];
    default:
      return [`${at}: unsupported shape type ${shape.type}`];
  }
}

/** The SageMaker request each step type makes, and the name field that SageMaker fills in. */
export const STEP_REQUESTS: Readonly<Record<string, { shape: string; name?: string }>> = {
  Processing: { shape: 'CreateProcessingJobRequest', name: 'ProcessingJobName' },
  Training: { shape: 'CreateTrainingJobRequest', name: 'TrainingJobName' },
  Tuning: { shape: 'CreateHyperParameterTuningJobRequest', name: 'HyperParameterTuningJobName' },
  RegisterModel: { shape: 'CreateModelPackageInput' },
};

/** Each step's Arguments (with the name SageMaker fills in) checked as its request: step name → problems. */
export function stepRequestProblems(
  steps: readonly { Name: string; Type: string; Arguments?: unknown }[],
): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  for (const step of steps) {
    const request = STEP_REQUESTS[step.Type];
    if (request === undefined) continue;
    const args = {
      ...(JSON.parse(JSON.stringify(step.Arguments)) as object),
      ...(request.name ? { [request.name]: 'job-name' } : {}),
    };
    found[step.Name] = shapeProblems(args, request.shape);
  }
  return found;
}
