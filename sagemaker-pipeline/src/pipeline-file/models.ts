/**
 * The checks of one model: training (script or built-in), hyperparameters and tuning ranges, evaluation, and a gate
 * that can pass.
 */
import { isAcceleratedInstance } from '../images';
import { ModelSpec } from '../pipeline-schema';
import { ScriptInterface, argumentProblem, closest, valueProblem } from '../script-interface';
import {
  METRIC_RANGES,
  XGBOOST_BUILTIN_HYPERPARAMETERS,
  XGBOOST_BUILTIN_METRICS,
  frameworkProblems,
  imageProblems,
  instanceProblem,
} from './builtins';
import { FilePath, Problem } from './types';

export function modelProblems(
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
