/**
 * Reads `pipeline.yaml` and checks everything that can be checked before AWS is called: YAML syntax, the schema
 * (unknown keys, wrong types), references between data, steps and models (missing steps or outputs, cycles), the
 * scripts' declared interfaces (hyperparameters and arguments against their argparse, metrics they report), gates
 * that can never pass, images and instance types. Every problem is reported as `<file>:<line>:<column>: <what and how
 * to fix>`, all of them at once.
 */
import { ProcessingInstanceType, TrainingInstanceType } from '@aws-sdk/client-sagemaker';
import * as z from 'zod/mini';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Document, LineCounter, Pair, YAMLMap, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import { SKLEARN_FRAMEWORK_VERSIONS, XGBOOST_FRAMEWORK_VERSIONS, isAcceleratedInstance } from './images';
import {
  ImageSpec,
  ModelSpec,
  PipelineFileSchema,
  PipelineSpec,
  STEP_NAME,
  allowedKeys,
  schemaAt,
} from './pipeline-schema';
import { ScriptInterface, argumentProblem, closest, readScriptInterface, valueProblem } from './script-interface';
import { SOURCE_KINDS } from './sources';

export type FilePath = readonly (string | number)[];

export interface Problem {
  readonly path: FilePath;
  readonly message: string;
  /** Point at the key of the last path element rather than its value (unknown keys). */
  readonly atKey?: boolean;
  /** Set for syntax errors, which have no path. */
  readonly line?: number;
  readonly column?: number;
}

export class PipelineFileError extends Error {
  override readonly name = 'PipelineFileError';
  constructor(
    readonly file: string,
    readonly problems: readonly { line: number; column: number; message: string }[],
  ) {
    super(problems.map((p) => `${file}:${p.line}:${p.column}: ${p.message}`).join('\n'));
  }
}

/** The checked pipeline file and what the pipeline reads from its scripts. */
export interface PipelineConfig {
  /** The file's name as given (for messages). */
  readonly file: string;
  /** Scripts are relative to this directory: the repository root, where run.js is. */
  readonly root: string;
  readonly spec: PipelineSpec;
  /** Script path (as written in the file) → its declared interface. */
  readonly scripts: ReadonlyMap<string, ScriptInterface>;
}

/** Hyperparameters of SageMaker's built-in XGBoost algorithm (AWS's "XGBoost hyperparameters" page). */
export const XGBOOST_BUILTIN_HYPERPARAMETERS: Readonly<Record<string, 'int' | 'float' | 'str'>> = {
  num_round: 'int',
  num_class: 'int',
  alpha: 'float',
  base_score: 'float',
  booster: 'str',
  colsample_bylevel: 'float',
  colsample_bynode: 'float',
  colsample_bytree: 'float',
  csv_weights: 'int',
  deterministic_histogram: 'str',
  early_stopping_rounds: 'int',
  eta: 'float',
  eval_metric: 'str',
  gamma: 'float',
  grow_policy: 'str',
  interaction_constraints: 'str',
  lambda: 'float',
  lambda_bias: 'float',
  max_bin: 'int',
  max_delta_step: 'int',
  max_depth: 'int',
  max_leaves: 'int',
  min_child_weight: 'float',
  monotone_constraints: 'str',
  normalize_type: 'str',
  nthread: 'int',
  num_parallel_tree: 'int',
  objective: 'str',
  one_drop: 'int',
  process_type: 'str',
  rate_drop: 'float',
  refresh_leaf: 'int',
  sample_type: 'str',
  scale_pos_weight: 'float',
  seed: 'int',
  single_precision_histogram: 'str',
  sketch_eps: 'float',
  skip_drop: 'float',
  subsample: 'float',
  tree_method: 'str',
  tweedie_variance_power: 'float',
  updater: 'str',
  verbosity: 'int',
};

/** Metrics the built-in XGBoost algorithm emits for tuning, per channel (AWS's "Tune an XGBoost model" page). */
export const XGBOOST_BUILTIN_METRICS = [
  'accuracy',
  'auc',
  'aucpr',
  'error',
  'f1',
  'logloss',
  'mae',
  'map',
  'merror',
  'mlogloss',
  'mse',
  'ndcg',
  'rmse',
] as const;

/** Values a metric can take; a gate outside them can never pass. */
export const METRIC_RANGES: Readonly<Record<string, { min?: number; max?: number }>> = {
  mse: { min: 0 },
  rmse: { min: 0 },
  mae: { min: 0 },
  mape: { min: 0 },
  r2: { max: 1 },
  accuracy: { min: 0, max: 1 },
  precision: { min: 0, max: 1 },
  recall: { min: 0, max: 1 },
  f1: { min: 0, max: 1 },
  auc: { min: 0, max: 1 },
};

const TRAINING_INSTANCES = new Set<string>(Object.values(TrainingInstanceType));
const PROCESSING_INSTANCES = new Set<string>(Object.values(ProcessingInstanceType));

/** Where a path of the file starts (1-based line and column); the nearest existing parent when it is missing. */
function locate(doc: Document, counter: LineCounter, at: FilePath, atKey = false): { line: number; column: number } {
  let node: unknown = doc.contents;
  let found: unknown = node;
  for (let i = 0; i < at.length; i++) {
    const key = at[i];
    if (isMap(node)) {
      const pair = (node as YAMLMap).items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key) as
        Pair | undefined;
      if (pair === undefined) break;
      if (atKey && i === at.length - 1) {
        found = pair.key;
        break;
      }
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
    } else break;
    if (node === undefined || node === null) break;
    found = node;
  }
  const range = (found as { range?: [number, number, number] } | null)?.range;
  const offset = range ? range[0] : 0;
  const pos = counter.linePos(offset);
  return { line: pos.line, column: pos.col };
}

/** Parses and checks a pipeline file's text; throws PipelineFileError with every problem found. */
export function parsePipelineFile(text: string, file: string, root: string): PipelineConfig {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new PipelineFileError(
      file,
      doc.errors.map((e) => ({
        line: counter.linePos(e.pos[0]).line,
        column: counter.linePos(e.pos[0]).col,
        message: `${e.message.split('\n')[0]} (YAML syntax: check indentation, and quote values containing ": " or "#")`,
      })),
    );
  }
  const raw: unknown = doc.toJS();
  const problems: Problem[] = [];
  const result = PipelineFileSchema.safeParse(raw ?? {});
  if (!result.success) {
    for (const issue of result.error.issues) {
      const at = issue.path as (string | number)[];
      if (issue.code === 'unrecognized_keys') {
        const allowed = allowedKeys(at);
        for (const key of issue.keys) {
          const near = closest(key, allowed);
          problems.push({
            path: [...at, key],
            atKey: true,
            message:
              `unknown key ${JSON.stringify(key)}${at.length ? ` in ${at.join('.')}` : ''}` +
              `${near ? ` (did you mean ${JSON.stringify(near)}?)` : ''}; allowed: ${allowed.join(', ')}`,
          });
        }
      } else if (issue.code === 'invalid_type' && issue.message.includes('received undefined')) {
        problems.push({
          path: at,
          message: `${at.join('.')} is required (${schemaHint(at)})`,
        });
      } else {
        problems.push({ path: at, message: `${at.join('.') || 'the file'}: ${lowerFirst(issue.message)}` });
      }
    }
  } else {
    problems.push(...semanticProblems(result.data, root));
  }
  if (problems.length > 0) {
    const located = problems.map((p) => ({
      ...(p.line !== undefined ? { line: p.line, column: p.column ?? 1 } : locate(doc, counter, p.path, p.atKey)),
      message: p.message,
    }));
    located.sort((a, b) => a.line - b.line || a.column - b.column);
    throw new PipelineFileError(file, located);
  }
  const spec = (result as { data: PipelineSpec }).data;
  return { file, root, spec, scripts: readScripts(spec, root) };
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function schemaHint(at: FilePath): string {
  const s = schemaAt(at);
  const described = s ? z.globalRegistry.get(s)?.description : undefined;
  if (described !== undefined) return described;
  const type = (s as unknown as { _zod?: { def?: { type?: string } } } | undefined)?._zod?.def?.type ?? 'value';
  return { object: 'an object', record: 'a mapping', array: 'a list' }[type] ?? `a ${type}`;
}

/** Reads the file from disk. */
export function loadPipelineFile(file: string, root: string, shown = file): PipelineConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new PipelineFileError(shown, [{ line: 1, column: 1, message: `cannot read it: ${(err as Error).message}` }]);
  }
  return parsePipelineFile(text, shown, root);
}

/** Every script path the file names. */
export function scriptPaths(spec: PipelineSpec): string[] {
  const paths = new Set<string>();
  for (const step of Object.values(spec.steps)) paths.add(step.script);
  for (const model of spec.models) {
    if (model.training.entry) paths.add(model.training.entry);
    paths.add(model.evaluation.script);
  }
  return [...paths];
}

function readScripts(spec: PipelineSpec, root: string): Map<string, ScriptInterface> {
  const scripts = new Map<string, ScriptInterface>();
  for (const script of scriptPaths(spec)) {
    const file = path.resolve(root, script);
    if (fs.existsSync(file)) scripts.set(script, readScriptInterface(fs.readFileSync(file, 'utf8')));
  }
  return scripts;
}

/** The image a step or model runs, or a problem with it. */
function imageProblems(image: ImageSpec | undefined, at: FilePath, instance: string, instanceAt: FilePath): Problem[] {
  if (image === undefined) return [];
  const problems: Problem[] = [];
  if (image.ecr !== undefined) {
    if (image.framework !== undefined || image.version !== undefined) {
      problems.push({ path: at, message: 'an image is either {framework, version} or {ecr}, not both' });
    }
    return problems;
  }
  if (image.framework === undefined || image.version === undefined) {
    problems.push({ path: at, message: 'an image needs framework (sklearn or xgboost) and version, or ecr' });
    return problems;
  }
  problems.push(...frameworkProblems(image.framework, image.version, [...at, 'version']));
  if (image.framework === 'sklearn' && isAcceleratedInstance(instance)) {
    problems.push({
      path: instanceAt,
      message: `${instance} is an accelerated (GPU) instance, but SageMaker's scikit-learn images run on CPU only; use a CPU instance like ml.m5.large`,
    });
  }
  return problems;
}

function frameworkProblems(framework: string, version: string, at: FilePath): Problem[] {
  const versions = framework === 'sklearn' ? SKLEARN_FRAMEWORK_VERSIONS : XGBOOST_FRAMEWORK_VERSIONS;
  return versions.includes(version)
    ? []
    : [
        {
          path: at,
          message: `${framework} version ${JSON.stringify(version)} is not known; use one of ${versions.join(', ')}`,
        },
      ];
}

function instanceProblem(instance: string, kind: 'training' | 'processing', at: FilePath): Problem[] {
  const offered = kind === 'training' ? TRAINING_INSTANCES : PROCESSING_INSTANCES;
  if (offered.has(instance)) return [];
  const near = closest(instance, [...offered]);
  return [
    {
      path: at,
      message: `SageMaker does not offer ${instance} for ${kind} jobs${near ? ` (did you mean ${near}?)` : ''}; see the ${kind === 'training' ? 'TrainingInstanceType' : 'ProcessingInstanceType'} values of the SageMaker API`,
    },
  ];
}

function semanticProblems(spec: PipelineSpec, root: string): Problem[] {
  const problems: Problem[] = [];
  const scripts = new Map<string, ScriptInterface>();
  const scriptInterface = (script: string, at: FilePath): ScriptInterface | undefined => {
    if (scripts.has(script)) return scripts.get(script);
    const file = path.resolve(root, script);
    if (!fs.existsSync(file)) {
      problems.push({
        path: at,
        message: `script ${script} does not exist (paths are relative to the repository root)`,
      });
      return undefined;
    }
    const iface = readScriptInterface(fs.readFileSync(file, 'utf8'));
    scripts.set(script, iface);
    return iface;
  };

  // Data: exactly one source each.
  for (const [name, entry] of Object.entries(spec.data)) {
    const kinds = SOURCE_KINDS.filter((k) => (entry as Record<string, unknown>)[k] !== undefined);
    if (kinds.length !== 1) {
      problems.push({
        path: ['data', name],
        message: `data ${name} needs exactly one source (${SOURCE_KINDS.join(' or ')}), it has ${kinds.length === 0 ? 'none' : kinds.join(' and ')}`,
      });
    }
    // A sql source's files are read by the run command (uploaded) and --local: missing ones are found here.
    const { sql } = entry;
    for (const [key, file] of [
      ['query', sql?.query],
      ['sslRootCert', sql?.sslRootCert],
    ] as const) {
      if (file !== undefined && !fs.existsSync(path.resolve(root, file))) {
        problems.push({
          path: ['data', name, 'sql', key],
          message: `${file} does not exist (paths are relative to the repository root; queries go in queries/<name>.sql)`,
        });
      }
    }
  }
  const dataNames = Object.keys(spec.data);
  const stepNames = Object.keys(spec.steps);
  for (const name of stepNames) {
    if (dataNames.includes(name)) {
      problems.push({
        path: ['steps', name],
        atKey: true,
        message: `${name} is both a data entry and a step; rename one`,
      });
    }
  }

  /** A reference's problem: a data name, or <step>.<output> of a step that declares that output. */
  const referenceProblem = (ref: string, at: FilePath): Problem | undefined => {
    const [stepName, output] = ref.split('.');
    if (output === undefined) {
      if (dataNames.includes(ref)) return undefined;
      if (stepNames.includes(ref)) {
        return {
          path: at,
          message: `${ref} is a step: name one of its outputs, like ${ref}.${spec.steps[ref]?.outputs[0] ?? '<output>'}`,
        };
      }
      const near = closest(ref, [...dataNames, ...stepNames]);
      return {
        path: at,
        message: `${ref} is not a data entry${near ? ` (did you mean ${near}?)` : ''}; data: ${dataNames.join(', ')}; or name a step output as <step>.<output>`,
      };
    }
    const step = spec.steps[stepName ?? ''];
    if (step === undefined) {
      const near = closest(stepName ?? '', stepNames);
      return {
        path: at,
        message: `step ${stepName} does not exist${near ? ` (did you mean ${near}?)` : ''}; steps: ${stepNames.join(', ') || 'none'}`,
      };
    }
    if (!step.outputs.includes(output)) {
      return {
        path: at,
        message: `step ${stepName} has no output ${output}; its outputs: ${step.outputs.join(', ') || 'none'} (add it to its outputs, or refer to one of those)`,
      };
    }
    return undefined;
  };

  // Processing steps.
  for (const [name, step] of Object.entries(spec.steps)) {
    const at = ['steps', name];
    if (!STEP_NAME.test(name)) continue;
    problems.push(...imageProblems(step.image, [...at, 'image'], step.instance, [...at, 'instance']));
    problems.push(...instanceProblem(step.instance, 'processing', [...at, 'instance']));
    for (const [input, ref] of Object.entries(step.inputs)) {
      const problem = referenceProblem(ref, [...at, 'inputs', input]);
      if (problem) problems.push(problem);
      if (input === 'code') {
        problems.push({
          path: [...at, 'inputs', input],
          atKey: true,
          message: "code is reserved (the step's script is mounted as input code); choose another name",
        });
      }
    }
    const iface = scriptInterface(step.script, [...at, 'script']);
    // In an image of the project's own, the script's interpreter and libraries are its own business.
    if (iface === undefined || step.image.ecr !== undefined) continue;
    for (const [arg, value] of Object.entries(step.arguments)) {
      const problem = argumentProblem(iface, arg, value, step.script);
      if (problem)
        problems.push({ path: [...at, 'arguments', arg], atKey: !iface.arguments.has(arg), message: problem });
    }
    for (const [kind, names] of [
      ['input', Object.keys(step.inputs)],
      ['output', step.outputs],
    ] as const) {
      for (const n of names) {
        if (!iface.arguments.has(n)) {
          problems.push({
            path: kind === 'input' ? [...at, 'inputs', n] : [...at, 'outputs', step.outputs.indexOf(n)],
            atKey: kind === 'input',
            message: `${step.script} has no option --${n}: the step passes each ${kind}'s directory as --${n} <directory>; add parser.add_argument("--${n}") to the script`,
          });
        }
      }
    }
  }
  problems.push(...cycleProblems(spec));

  // Models.
  const seen = new Set<string>();
  spec.models.forEach((model, index) => {
    const at: FilePath = ['models', index];
    if (seen.has(model.name))
      problems.push({ path: [...at, 'name'], message: `model name ${model.name} is used twice` });
    seen.add(model.name);
    problems.push(...modelProblems(model, at, referenceProblem, scriptInterface));
  });
  return problems;
}

function modelProblems(
  model: ModelSpec,
  at: FilePath,
  referenceProblem: (ref: string, at: FilePath) => Problem | undefined,
  scriptInterface: (script: string, at: FilePath) => ScriptInterface | undefined,
): Problem[] {
  const problems: Problem[] = [];
  const t = model.training;
  const tAt = [...at, 'training'];
  const scriptMode = t.entry !== undefined || t.framework !== undefined;
  if (t.algorithm !== undefined && scriptMode) {
    problems.push({
      path: tAt,
      message: 'training is either script mode {framework, version, entry} or built-in {algorithm, version}, not both',
    });
    return problems;
  }
  if (t.algorithm === undefined && (t.entry === undefined || t.framework === undefined)) {
    problems.push({
      path: tAt,
      message: 'training needs framework, version and entry (a script), or algorithm: xgboost and version',
    });
    return problems;
  }
  if (t.version === undefined) {
    problems.push({ path: tAt, message: 'training needs a version (the framework or algorithm version)' });
    return problems;
  }
  const framework = t.algorithm ?? t.framework!;
  problems.push(...frameworkProblems(framework, t.version, [...tAt, 'version']));
  problems.push(...instanceProblem(t.instance, 'training', [...tAt, 'instance']));
  if (framework === 'sklearn' && isAcceleratedInstance(t.instance)) {
    problems.push({
      path: [...tAt, 'instance'],
      message: `${t.instance} is an accelerated (GPU) instance, but SageMaker's scikit-learn images run on CPU only; use a CPU instance like ml.m5.large`,
    });
  }
  for (const [channel, ref] of Object.entries(t.inputs)) {
    const problem = referenceProblem(ref, [...tAt, 'inputs', channel]);
    if (problem) problems.push(problem);
  }
  if (t.algorithm === 'xgboost' && t.inputs.train === undefined) {
    problems.push({
      path: [...tAt, 'inputs'],
      message: "XGBoost's built-in algorithm reads the channel train: add inputs.train",
    });
  }

  // Hyperparameters and tuning ranges against what the script (or the built-in algorithm) accepts.
  const iface = t.entry !== undefined ? scriptInterface(t.entry, [...tAt, 'entry']) : undefined;
  const builtIn = t.algorithm === 'xgboost';
  const hpProblem = (name: string, value: unknown): string | undefined => {
    if (name.startsWith('sagemaker_')) return `${name}: names starting with sagemaker_ are reserved for the container`;
    if (builtIn) {
      const type = XGBOOST_BUILTIN_HYPERPARAMETERS[name];
      if (type === undefined) {
        const near = closest(name, Object.keys(XGBOOST_BUILTIN_HYPERPARAMETERS));
        return `${name} is not a hyperparameter of SageMaker's built-in XGBoost${near ? ` (did you mean ${near}?)` : ''}`;
      }
      return valueProblem({ name, type }, value, 'the built-in XGBoost');
    }
    return iface ? argumentProblem(iface, name, value, t.entry!) : undefined;
  };
  for (const [name, value] of Object.entries(model.hyperparameters)) {
    const problem = hpProblem(name, value);
    if (problem) {
      const known = builtIn ? name in XGBOOST_BUILTIN_HYPERPARAMETERS : iface?.arguments.has(name);
      problems.push({ path: [...at, 'hyperparameters', name], atKey: !known, message: problem });
    }
  }
  if (builtIn && model.hyperparameters.num_round === undefined && model.tuning?.ranges.num_round === undefined) {
    problems.push({
      path: [...at, 'hyperparameters'],
      message: "XGBoost's built-in algorithm requires num_round: add it to hyperparameters",
    });
  }
  if (model.tuning) {
    const tuning = model.tuning;
    const tuAt = [...at, 'tuning'];
    if (tuning.maxParallel > tuning.maxJobs) {
      problems.push({
        path: [...tuAt, 'maxParallel'],
        message: `maxParallel (${tuning.maxParallel}) cannot exceed maxJobs (${tuning.maxJobs})`,
      });
    }
    for (const [name, range] of Object.entries(tuning.ranges)) {
      const rAt = [...tuAt, 'ranges', name];
      if (model.hyperparameters[name] !== undefined) {
        problems.push({
          path: rAt,
          atKey: true,
          message: `${name} is both a fixed hyperparameter and a tuned range; remove one`,
        });
      }
      const declaredType = builtIn ? XGBOOST_BUILTIN_HYPERPARAMETERS[name] : iface?.arguments.get(name)?.type;
      const sample = range.type === 'categorical' ? range.values?.[0] : range.type === 'integer' ? 1 : 0.5;
      const problem = hpProblem(name, sample);
      if (declaredType === undefined && problem) {
        problems.push({ path: rAt, atKey: true, message: problem });
        continue;
      }
      if (range.type === 'categorical') {
        if (range.values === undefined || range.min !== undefined || range.max !== undefined) {
          problems.push({ path: rAt, message: `a categorical range has values (and no min or max)` });
        }
        for (const [i, v] of (range.values ?? []).entries()) {
          const p = hpProblem(name, v);
          if (p) problems.push({ path: [...rAt, 'values', i], message: p });
        }
        continue;
      }
      if (range.min === undefined || range.max === undefined || range.values !== undefined) {
        problems.push({ path: rAt, message: `an ${range.type} range has min and max (and no values)` });
        continue;
      }
      if (range.min >= range.max)
        problems.push({ path: [...rAt, 'max'], message: `max must be greater than min (${range.min})` });
      if (range.type === 'integer' && (!Number.isInteger(range.min) || !Number.isInteger(range.max))) {
        problems.push({ path: rAt, message: 'an integer range has integer min and max' });
      }
      if (range.type === 'continuous' && declaredType === 'int') {
        problems.push({ path: [...rAt, 'type'], message: `${name} is an integer (type=int): use type: integer` });
      }
      if (declaredType === 'str') {
        problems.push({ path: [...rAt, 'type'], message: `${name} takes text: only a categorical range fits it` });
      }
      if (range.scaling === 'Logarithmic' && range.min <= 0) {
        problems.push({ path: [...rAt, 'min'], message: 'Logarithmic scaling needs min > 0' });
      }
      if (range.scaling === 'ReverseLogarithmic' && (range.type !== 'continuous' || range.min < 0 || range.max >= 1)) {
        problems.push({
          path: [...rAt, 'scaling'],
          message: 'ReverseLogarithmic scaling is for continuous ranges within [0, 1)',
        });
      }
    }
    // The objective: a metric the training job reports, per channel.
    const channels = Object.keys(t.inputs);
    const reported = builtIn ? [...XGBOOST_BUILTIN_METRICS] : (iface?.metrics ?? []);
    const metrics = channels.flatMap((c) => reported.map((m) => `${c}:${m}`));
    if (!metrics.includes(tuning.objective.metric) && (builtIn || iface !== undefined)) {
      problems.push({
        path: [...tuAt, 'objective', 'metric'],
        message:
          `${tuning.objective.metric} is not a metric the training job reports; it reports ${metrics.join(', ') || 'none'}` +
          (builtIn ? '' : ` (the script's METRICS, printed as <channel>:<metric>=<value>;)`),
      });
    }
  }

  // Evaluation and gate.
  const e = model.evaluation;
  const eAt = [...at, 'evaluation'];
  problems.push(...instanceProblem(e.instance, 'processing', [...eAt, 'instance']));
  if (e.image) problems.push(...imageProblems(e.image, [...eAt, 'image'], e.instance, [...eAt, 'instance']));
  else if (framework === 'sklearn' && isAcceleratedInstance(e.instance)) {
    problems.push({
      path: [...eAt, 'instance'],
      message: `${e.instance} is a GPU instance; the evaluation runs in the scikit-learn image (CPU only)`,
    });
  }
  for (const [input, ref] of Object.entries(e.inputs)) {
    const problem = referenceProblem(ref, [...eAt, 'inputs', input]);
    if (problem) problems.push(problem);
    if (input === 'model' || input === 'evaluation') {
      problems.push({
        path: [...eAt, 'inputs', input],
        atKey: true,
        message: `${input} is reserved (the model artifact and the report); choose another name`,
      });
    }
  }
  const eIface = e.image?.ecr !== undefined ? undefined : scriptInterface(e.script, [...eAt, 'script']);
  const gateAt = [...at, 'gate'];
  if (eIface !== undefined) {
    for (const option of ['model', 'evaluation', ...Object.keys(e.inputs)]) {
      if (!eIface.arguments.has(option)) {
        problems.push({
          path: [...eAt, 'script'],
          message: `${e.script} has no option --${option}: the evaluation passes --model <dir with model.tar.gz>, --evaluation <output dir> and each input as --<name> <dir>`,
        });
      }
    }
    const paths = eIface.metricPaths;
    if (paths === undefined) {
      problems.push({
        path: [...eAt, 'script'],
        message: `${e.script} does not declare METRIC_PATHS = {"<metric>": "<path in evaluation.json>", ...}: the gate reads the report through it`,
      });
    } else if (paths[model.gate.metric] === undefined) {
      const near = closest(model.gate.metric, Object.keys(paths));
      problems.push({
        path: [...gateAt, 'metric'],
        message: `${e.script} does not report ${model.gate.metric}${near ? ` (did you mean ${near}?)` : ''}; it reports ${Object.keys(paths).join(', ')} (its METRIC_PATHS)`,
      });
    }
  }
  const { min, max, metric } = model.gate;
  if ((min === undefined) === (max === undefined)) {
    problems.push({
      path: gateAt,
      message: 'the gate needs exactly one of max (pass when metric <= max) or min (pass when metric >= min)',
    });
  } else {
    const range = METRIC_RANGES[metric];
    if (range && max !== undefined && range.min !== undefined && max < range.min) {
      problems.push({
        path: [...gateAt, 'max'],
        message: `${metric} is never below ${range.min}, so ${metric} <= ${max} can never pass`,
      });
    }
    if (range && min !== undefined && range.max !== undefined && min > range.max) {
      problems.push({
        path: [...gateAt, 'min'],
        message: `${metric} is never above ${range.max}, so ${metric} >= ${min} can never pass`,
      });
    }
  }
  return problems;
}

/** A cycle among processing steps (A reads B's output, B reads A's). */
function cycleProblems(spec: PipelineSpec): Problem[] {
  const edges = new Map<string, string[]>();
  for (const [name, step] of Object.entries(spec.steps)) {
    edges.set(
      name,
      Object.values(step.inputs)
        .map((ref) => ref.split('.'))
        .filter((parts) => parts.length === 2 && spec.steps[parts[0] ?? ''] !== undefined)
        .map((parts) => parts[0] as string),
    );
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const problems: Problem[] = [];
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      const first = spec.steps[name];
      const input = Object.entries(first?.inputs ?? {}).find(([, ref]) => ref.startsWith(`${cycle[1] ?? ''}.`))?.[0];
      problems.push({
        path: input ? ['steps', name, 'inputs', input] : ['steps', name],
        message: `steps form a cycle: ${cycle.join(' → ')} (each reads the next one's output); a step can only read data or outputs of steps that do not read it`,
      });
      return;
    }
    state.set(name, 'visiting');
    for (const next of edges.get(name) ?? []) visit(next, [...trail, name]);
    state.set(name, 'done');
  };
  for (const name of edges.keys()) if (state.get(name) !== 'done') visit(name, []);
  return problems;
}

/** Processing steps in an order where every step comes after the steps it reads. */
export function processingOrder(spec: PipelineSpec): string[] {
  const order: string[] = [];
  const done = new Set<string>();
  const visit = (name: string) => {
    if (done.has(name)) return;
    done.add(name);
    for (const ref of Object.values(spec.steps[name]?.inputs ?? {})) {
      const [step, output] = ref.split('.');
      if (output !== undefined && spec.steps[step ?? ''] !== undefined) visit(step as string);
    }
    order.push(name);
  };
  Object.keys(spec.steps).forEach(visit);
  return order;
}
