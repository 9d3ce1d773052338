// Longer than 300 lines: runLocal is one walk of the pipeline's steps sharing the run's state (work folder, outputs, skips); split, each part would take all of it.
/**
 * `node run.js --local`: runs the pipeline of `pipeline.yaml` on this machine, with the data scientist's Python, as
 * SageMaker would run it, on each data entry's `sample` (or `--input`). Every step works in `.local-run/<step>/`:
 *
 * - processing and evaluation steps: inputs copied to `.local-run/<step>/input/<name>/`, outputs written to
 *   `.local-run/<step>/output/<name>/`, each passed as `--<name> <directory>` (SageMaker passes
 *   `/opt/ml/processing/input/<name>` and `/opt/ml/processing/output/<name>`), plus the step's `arguments`;
 * - training (script mode): SageMaker's environment variables (`SM_MODEL_DIR`, `SM_CHANNEL_<NAME>`, `SM_CHANNELS`,
 *   `SM_HPS`, `SM_OUTPUT_DATA_DIR`, ...) pointing into `.local-run/<step>/`, hyperparameters as `--<name> <value>`,
 *   and the model directory packed as `model.tar.gz` for the evaluation, as the training job leaves it;
 * - a tuned model runs one candidate (the middle of each range, the first categorical value).
 *
 * A step whose framework is not installed here, a built-in algorithm or an image of the project's ECR repository is
 * reported as skipped with the reason, and so is everything that needs its output. Then each model's gate is
 * evaluated and a table per model printed, with what would be registered. Exit 0 only when every gate passes.
 *
 * Each step's script runs in a Python process of its own, forked on Linux from one runner process that imported the
 * scripts' libraries once (src/local-steps.ts, local_runner.py); stdout and stderr go to `.local-run/<step>/`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MODEL_METADATA as K } from '../../contracts/model-metadata';
import {
  EVALUATION,
  ModelPlan,
  RunContext,
  dataConsumedBy,
  executionArnFits,
  gateComparison,
  gateMetricPath,
  modelFramework,
  modelPlans,
  recordedBranch,
} from './definition';
import { jsonPath } from './expressions';
import { PipelineConfig, processingOrder } from './pipeline-file';
import type { ImageSpec, ModelSpec } from './pipeline-schema';
import { localConnectionUrl, runLocalExtract } from './sql-local';
import { extractStepName } from './sql-source';
import { StepRunner, stepRunner } from './local-steps';
import { tarGz } from './tarball';

export interface LocalOptions {
  /** Data entry name → local file (else the entry's `sample`). */
  readonly inputs: Readonly<Record<string, string>>;
  readonly python: string;
  /** The database `sql:` sources query here (--sql-url, else SQL_CONNECTION_URL); their extract is skipped without. */
  readonly sqlUrl?: string;
  /** LOCAL_RUN_FORK: true runs the steps through the fork server, false one process each (unset: on Linux only). */
  readonly fork?: boolean;
}

interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** A directory a step produced, or why it is not there. */
type Produced = { readonly dir: string } | { readonly skipped: string };

export const LOCAL_DIR = '.local-run';

/**
 * The modules whose presence tells whether a framework's scripts can run with this Python. They are found, not
 * imported (importing sklearn loads scipy: seconds of CPU per run), so a package that is installed but broken shows up
 * only when its step runs.
 */
const FRAMEWORK_MODULES: Readonly<Record<'sklearn' | 'xgboost', readonly string[]>> = {
  sklearn: ['sklearn', 'pandas', 'numpy', 'joblib'],
  xgboost: ['xgboost', 'sklearn', 'pandas', 'numpy'],
};

/** Given `framework=module,module...` arguments, prints JSON: framework → its first missing module's error, or null. */
const FIND_MODULES = [
  'import importlib.util, json, sys',
  'def missing(modules):',
  '    for m in modules.split(","):',
  '        if importlib.util.find_spec(m) is None: return "ModuleNotFoundError: No module named %r" % m',
  'print(json.dumps({a.split("=")[0]: missing(a.split("=")[1]) for a in sys.argv[1:]}))',
].join('\n');

/** Why this Python does not run, or why each framework cannot (null: it can), from one short Python process. */
function checkPython(python: string): string | Record<string, string | null> {
  const args = Object.entries(FRAMEWORK_MODULES).map(([framework, modules]) => `${framework}=${modules.join(',')}`);
  const check = spawnSync(python, ['-c', FIND_MODULES, ...args], { encoding: 'utf8' });
  if (check.status === 0) {
    try {
      return JSON.parse(check.stdout) as Record<string, string | null>;
    } catch {
      // Not the output of FIND_MODULES: reported as a Python that does not run, with what it printed.
    }
  }
  return `${python} does not run (${check.error?.message ?? (check.stderr.trim() || check.stdout.trim())}); pass --python`;
}

function copyInto(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  if (fs.statSync(from).isDirectory()) fs.cpSync(from, to, { recursive: true });
  else fs.copyFileSync(from, path.join(to, path.basename(from)));
}

/** The middle of each range: the one candidate a tuned model runs locally. */
export function localCandidate(model: ModelSpec): Record<string, string | number | boolean> {
  const candidate: Record<string, string | number | boolean> = {};
  for (const [name, range] of Object.entries(model.tuning?.ranges ?? {})) {
    if (range.type === 'categorical') candidate[name] = range.values?.[0] ?? '';
    else {
      const min = range.min ?? 0;
      const max = range.max ?? 0;
      const middle = range.scaling === 'Logarithmic' && min > 0 ? Math.sqrt(min * max) : (min + max) / 2;
      candidate[name] = range.type === 'integer' ? Math.round(middle) : Number(middle.toPrecision(6));
    }
  }
  return candidate;
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export async function runLocal(
  config: PipelineConfig,
  ctx: RunContext,
  options: LocalOptions,
  io: Io,
): Promise<number> {
  const work = path.join(config.root, LOCAL_DIR);
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  io.err(`running ${config.file} locally with ${options.python}; steps work in ${LOCAL_DIR}/<step>/`);
  const steps = stepRunner({
    python: options.python,
    root: config.root,
    work,
    ...(options.fork !== undefined ? { fork: options.fork } : {}),
    note: io.err,
  });
  try {
    return await runSteps(config, ctx, options, io, steps);
  } finally {
    await steps.close();
  }
}

async function runSteps(
  config: PipelineConfig,
  ctx: RunContext,
  options: LocalOptions,
  io: Io,
  steps: StepRunner,
): Promise<number> {
  const { spec, root } = config;
  const work = path.join(root, LOCAL_DIR);

  const python = checkPython(options.python);
  /** Why a step with this image cannot run here, or undefined when it can. */
  const cannotRun = (image: ImageSpec): string | undefined => {
    if (typeof python === 'string') return python;
    if (image.ecr !== undefined) return `its image ${image.ecr} (project ECR) runs only in SageMaker`;
    const framework = image.framework!;
    const missing = python[framework];
    return missing
      ? `framework ${framework} is not installed for ${options.python} (${missing}); pip install the packages of scripts/ to run it here`
      : undefined;
  };

  const produced = new Map<string, Produced>();
  /** Per sql entry extracted here: what its models would record (contract 2), with local values. */
  const extracted = new Map<string, { manifest: string; sha256: string }>();
  const skipped: string[] = [];
  const skip = (step: string, reason: string, outputs: readonly string[]) => {
    io.err(`${step}: skipped: ${reason}`);
    skipped.push(`${step}: ${reason}`);
    for (const o of outputs) produced.set(`${step}.${o}`, { skipped: `${step} was skipped` });
  };

  // Data: the sample (or --input) of each entry; a sql source without --input runs its extract when given a database.
  for (const [name, entry] of Object.entries(spec.data)) {
    if (entry.sql !== undefined && options.inputs[name] === undefined) {
      const step = extractStepName(name);
      let url: string | undefined;
      try {
        url = localConnectionUrl(options.sqlUrl, {});
      } catch (err) {
        const fallback = entry.sample !== undefined ? `; data ${name} uses its sample ${entry.sample}` : '';
        skip(step, `${(err as Error).message}${fallback}`, []);
      }
      if (url !== undefined) {
        const started = Date.now();
        const result = await runLocalExtract({
          name,
          source: entry.sql,
          repoDir: root,
          runDir: work,
          connectionUrl: url,
          python: options.python,
        });
        if (result.exitCode === 0) {
          io.err(
            `${step}: ${String(result.manifest?.rows ?? '?')} rows in ${formatSeconds(Date.now() - started)} → ${path.relative(root, result.dataDir)}`,
          );
          produced.set(name, { dir: result.dataDir });
          const data = result.manifest?.data as { sha256?: string } | undefined;
          extracted.set(name, { manifest: path.relative(root, result.manifestFile), sha256: data?.sha256 ?? '?' });
          continue;
        }
        const why = result.stderr.trim().split('\n').pop() ?? `exit ${result.exitCode}`;
        skip(step, `the extract failed (exit ${result.exitCode}): ${why}`, []);
        produced.set(name, { skipped: `${step} failed` });
        continue;
      }
    }
    const given = options.inputs[name] ?? (entry.sample !== undefined ? path.resolve(root, entry.sample) : undefined);
    if (given === undefined) {
      produced.set(name, {
        skipped: `data ${name} has no sample (add sample: <file> to it, or pass --input ${name}=<file>)`,
      });
    } else if (!fs.existsSync(given)) {
      produced.set(name, { skipped: `data ${name}: ${given} does not exist` });
    } else {
      const dir = path.join(work, 'data', name);
      copyInto(given, dir);
      produced.set(name, { dir });
    }
  }

  /** Copies each input into `<step>/input/<name>/`; or the reason one is missing. */
  const stageInputs = (
    step: string,
    inputs: Readonly<Record<string, string>>,
    base: string,
  ): Record<string, string> | string => {
    const dirs: Record<string, string> = {};
    for (const [name, ref] of Object.entries(inputs)) {
      const source = produced.get(ref);
      if (source === undefined || 'skipped' in source)
        return `needs ${ref}: ${source && 'skipped' in source ? source.skipped : 'not produced'}`;
      const dir = path.join(work, step, base, name);
      copyInto(source.dir, dir);
      dirs[name] = dir;
    }
    return dirs;
  };

  const runScript = async (step: string, script: string, args: string[], env: Record<string, string> = {}) => {
    const started = Date.now();
    const logs = { stdout: path.join(work, step, 'stdout.log'), stderr: path.join(work, step, 'stderr.log') };
    const result = await steps.run({ script: path.resolve(root, script), args, env, cwd: root, ...logs });
    const [stdout, stderr] = [logs.stdout, logs.stderr].map((file) => fs.readFileSync(file, 'utf8')) as [
      string,
      string,
    ];
    const ok = result.status === 0;
    io.err(
      `${step}: ${ok ? 'ran' : `FAILED (exit ${result.status ?? result.signal})`} in ${formatSeconds(Date.now() - started)} (${LOCAL_DIR}/${step}/)`,
    );
    if (!ok) for (const line of stderr.trim().split('\n').slice(-8)) io.err(`  ${line}`);
    return { ok, stdout, status: result.status };
  };

  const argList = (args: Readonly<Record<string, string | number | boolean>>) =>
    Object.entries(args).flatMap(([k, v]) => [`--${k}`, String(v)]);

  // Processing steps.
  for (const name of processingOrder(spec)) {
    const step = spec.steps[name]!;
    const reason = cannotRun(step.image);
    if (reason) {
      skip(name, reason, step.outputs);
      continue;
    }
    fs.mkdirSync(path.join(work, name), { recursive: true });
    const inputs = stageInputs(name, step.inputs, 'input');
    if (typeof inputs === 'string') {
      skip(name, inputs, step.outputs);
      continue;
    }
    const outputs = Object.fromEntries(step.outputs.map((o) => [o, path.join(work, name, 'output', o)]));
    Object.values(outputs).forEach((d) => fs.mkdirSync(d, { recursive: true }));
    const result = await runScript(name, step.script, [
      ...Object.entries(inputs).flatMap(([k, d]) => [`--${k}`, d]),
      ...Object.entries(outputs).flatMap(([k, d]) => [`--${k}`, d]),
      ...argList(step.arguments),
    ]);
    for (const [o, dir] of Object.entries(outputs)) {
      produced.set(`${name}.${o}`, result.ok ? { dir } : { skipped: `${name} failed` });
    }
  }

  // Models: training (or one tuning candidate), evaluation, gate.
  interface Outcome {
    readonly plan: ModelPlan;
    readonly value?: number;
    readonly passed?: boolean;
    readonly reason?: string;
    readonly note?: string;
  }
  const outcomes: Outcome[] = [];
  for (const plan of modelPlans(spec, ctx)) {
    const { model } = plan;
    const t = model.training;
    let note: string | undefined;
    const trained = await (async (): Promise<Produced> => {
      if (t.algorithm !== undefined) {
        const reason = `SageMaker's built-in ${t.algorithm} algorithm runs only in its SageMaker container (no script to run here)`;
        skip(plan.train, reason, []);
        return { skipped: `${plan.train} was skipped` };
      }
      const reason = cannotRun({ framework: t.framework, version: t.version });
      if (reason) {
        skip(plan.train, reason, []);
        return { skipped: `${plan.train} was skipped` };
      }
      fs.mkdirSync(path.join(work, plan.train), { recursive: true });
      const channels = stageInputs(plan.train, t.inputs, 'input/data');
      if (typeof channels === 'string') {
        skip(plan.train, channels, []);
        return { skipped: `${plan.train} was skipped` };
      }
      const candidate = localCandidate(model);
      const hyperparameters = { ...model.hyperparameters, ...candidate };
      if (model.tuning) {
        note = `tuning: ran 1 candidate of up to ${model.tuning.maxJobs} (${Object.entries(candidate)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')})`;
        io.err(`${plan.train}: ${note}`);
      }
      const modelDir = path.join(work, plan.train, 'model');
      const outputDir = path.join(work, plan.train, 'output');
      fs.mkdirSync(modelDir, { recursive: true });
      fs.mkdirSync(path.join(outputDir, 'data'), { recursive: true });
      const env: Record<string, string> = {
        SM_MODEL_DIR: modelDir,
        SM_OUTPUT_DATA_DIR: path.join(outputDir, 'data'),
        SM_CHANNELS: JSON.stringify(Object.keys(channels)),
        SM_HPS: JSON.stringify(hyperparameters),
        SM_NUM_GPUS: '0',
        SM_CURRENT_HOST: 'algo-1',
        SM_HOSTS: JSON.stringify(['algo-1']),
        ...Object.fromEntries(Object.entries(channels).map(([c, d]) => [`SM_CHANNEL_${c.toUpperCase()}`, d])),
      };
      const result = await runScript(plan.train, t.entry!, argList(hyperparameters), env);
      if (!result.ok) return { skipped: `${plan.train} failed` };
      if (model.tuning) {
        const metric = model.tuning.objective.metric;
        const match = new RegExp(
          `${metric.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}=([-+]?[0-9]*\\.?[0-9]+([eE][-+]?[0-9]+)?);`,
        ).exec(result.stdout);
        note = `${note}; objective ${metric} = ${match ? match[1] : 'not printed'}`;
      }
      const files = fs
        .readdirSync(modelDir, { withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => ({ name: e.name, content: fs.readFileSync(path.join(modelDir, e.name)) }));
      fs.writeFileSync(path.join(outputDir, 'model.tar.gz'), tarGz(files));
      return { dir: outputDir };
    })();

    const e = model.evaluation;
    const evalImage = e.image ?? { framework: modelFramework(model), version: t.version };
    let reason = 'skipped' in trained ? `needs the model: ${trained.skipped}` : cannotRun(evalImage);
    let value: number | undefined;
    if (reason) skip(plan.evaluate, reason, []);
    else {
      fs.mkdirSync(path.join(work, plan.evaluate), { recursive: true });
      const inputs = stageInputs(plan.evaluate, e.inputs, 'input');
      if (typeof inputs === 'string') {
        reason = inputs;
        skip(plan.evaluate, inputs, []);
      } else {
        const modelInput = path.join(work, plan.evaluate, 'input', 'model');
        copyInto(path.join((trained as { dir: string }).dir, 'model.tar.gz'), modelInput);
        const report = path.join(work, plan.evaluate, 'output', EVALUATION.output);
        fs.mkdirSync(report, { recursive: true });
        const result = await runScript(plan.evaluate, e.script, [
          '--model',
          modelInput,
          ...Object.entries(inputs).flatMap(([k, d]) => [`--${k}`, d]),
          '--evaluation',
          report,
        ]);
        if (!result.ok) reason = `${plan.evaluate} failed`;
        else {
          try {
            const doc = JSON.parse(fs.readFileSync(path.join(report, EVALUATION.file), 'utf8'));
            const found = jsonPath(doc, gateMetricPath(config, model));
            if (typeof found !== 'number')
              reason = `${EVALUATION.file} has no number at ${gateMetricPath(config, model)}`;
            else value = found;
          } catch (err) {
            reason = `cannot read ${EVALUATION.file}: ${(err as Error).message}`;
          }
        }
      }
    }
    const { symbol, threshold } = gateComparison(model);
    const passed = value === undefined ? undefined : symbol === '<=' ? value <= threshold : value >= threshold;
    outcomes.push({
      plan,
      ...(value !== undefined ? { value } : {}),
      ...(passed !== undefined ? { passed } : {}),
      ...(reason ? { reason } : {}),
      ...(note ? { note } : {}),
    });
  }

  // The table per model, and what would be registered.
  for (const o of outcomes) {
    const { model } = o.plan;
    const { symbol, threshold } = gateComparison(model);
    const result = o.passed === undefined ? 'NOT EVALUATED' : o.passed ? 'PASS' : 'FAIL';
    io.out('');
    io.out(`model ${model.name} (group ${o.plan.group})`);
    const rows = [
      ['metric', 'value', 'gate', 'result'],
      [model.gate.metric, o.value === undefined ? '-' : o.value.toPrecision(6), `${symbol} ${threshold}`, result],
    ];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
    for (const row of rows) io.out(`  ${row.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')}`.trimEnd());
    if (o.note) io.out(`  ${o.note}`);
    if (o.passed === true) {
      const metadata = [
        `${K.commitId}=${ctx.commit}`,
        `${K.branch}=${recordedBranch(ctx.branch)}`,
        `${K.pipelineExecutionId}=<execution>`,
        ...(executionArnFits(ctx) ? [`${K.pipelineExecutionArn}=<execution ARN>`] : []),
        `${K.modelName}=${model.name}`,
        ...(o.plan.tuned ? [`${K.tuningJob}=<tuning job>`] : []),
        `${K.trigger}=${ctx.trigger ?? 'push'}`,
        `${K.testMode}=${ctx.testMode === true}`,
      ];
      // As in the definition: the first sql source the model reads, extracted here.
      const source = dataConsumedBy(spec, model).find((name) => extracted.has(name));
      if (source !== undefined) {
        const { manifest, sha256 } = extracted.get(source)!;
        metadata.unshift(`${K.dataManifestUri}=<S3 copy of ${manifest}>`, `${K.dataSha256}=${sha256}`);
      }
      io.out(`  would register in ${o.plan.group} as PendingManualApproval with ${metadata.join(', ')}`);
    } else if (o.passed === false) {
      io.out(
        `  would not be registered: ${model.gate.metric} = ${o.value} does not pass ${model.gate.metric} ${symbol} ${threshold}`,
      );
    } else {
      io.out(`  gate not evaluated: ${o.reason}`);
    }
  }
  if (skipped.length > 0) {
    io.out('');
    io.out('skipped:');
    for (const line of skipped) io.out(`  ${line}`);
  }
  const passed = outcomes.filter((o) => o.passed === true).length;
  io.out('');
  io.out(
    `${passed} of ${outcomes.length} model${outcomes.length === 1 ? '' : 's'} passed ${outcomes.length === 1 ? 'its gate' : 'their gates'}`,
  );
  return passed === outcomes.length ? 0 : 1;
}
