/**
 * The step runner of `node run.js --local` (sagemaker-pipeline/local_runner.py, driven by src/local-steps.ts): in the
 * staged seed, a pipeline whose every step is one fixture script (data/steps/behave.py, `--do <behaviour>`) runs
 * through the fork server and, with LOCAL_RUN_FORK=0, one process per step; the `ran`/`FAILED` lines, the failure
 * tails, the exit statuses and each step's stdout.log/stderr.log are the same both ways. A step does not see the
 * module state an earlier step left, a step reading stdin reads nothing, the server is gone when run.js exits, and a
 * server killed mid-run is an error naming it (its step killed too), not a hang. The fixture imports only the
 * standard library, so the runs cost no pandas import.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SEED_SOURCE_DIR, stageSeedCode } from '../../lib/seed-code';
import { StepRun, stepRunner } from '../../sagemaker-pipeline/src/local-steps';

jest.setTimeout(120_000);

const BEHAVE = path.join(__dirname, 'data', 'steps', 'behave.py');
const IMAGE = "image: { framework: sklearn, version: '1.2-1' }\n    instance: ml.m5.large";

/** A pipeline file: each step runs behave.py with `--do <behaviour>`, reading the previous step's output. */
function pipeline(steps: readonly (readonly [string, string])[]): string {
  const lines = ['data:', '  rows:', '    s3: s3://bucket/rows.csv', '    sample: data/abalone-sample.csv', 'steps:'];
  steps.forEach(([name, behaviour], i) => {
    const input = i === 0 ? 'rows' : `${steps[0]![0]}.out`;
    lines.push(
      `  ${name}:`,
      '    script: steps/behave.py',
      `    ${IMAGE}`,
      `    inputs: { raw: ${input} }`,
      '    outputs: [out]',
      `    arguments: { do: ${behaviour} }`,
    );
  });
  lines.push(
    'models:',
    '  - name: probe',
    '    training:',
    "      framework: sklearn\n      version: '1.2-1'\n      entry: steps/behave.py\n      instance: ml.m5.large",
    `      inputs: { train: ${steps[0]![0]}.out }`,
    '    hyperparameters: { do: train }',
    `    evaluation: { script: steps/behave.py, inputs: { test: ${steps[0]![0]}.out } }`,
    '    gate: { metric: mse, max: 2 }',
  );
  return `${lines.join('\n')}\n`;
}

const STEPS = [
  ['Mutate', 'mutate'],
  ['Check', 'check'],
  ['Stdin', 'stdin'],
  ['Boom', 'raise'],
  ['ExitMessage', 'exit-message'],
  ['ExitThree', 'exit-3'],
  ['ExitNone', 'exit-none'],
  ['Signal', 'signal'],
  ['Interrupt', 'interrupt'],
  ['Where', 'where'],
] as const;
const LOGGED = [...STEPS.map(([name]) => name), 'TrainModel', 'EvaluateModel'];

let work: string;
let seed: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'local-runner-'));
  seed = stageSeedCode(path.join(work, 'seed'));
  fs.mkdirSync(path.join(seed, 'steps'));
  fs.copyFileSync(BEHAVE, path.join(seed, 'steps', 'behave.py'));
  fs.writeFileSync(path.join(seed, 'probe.yaml'), pipeline(STEPS));
  fs.writeFileSync(
    path.join(seed, 'dies.yaml'),
    pipeline([
      ['First', 'ok'],
      ['KillRunner', 'kill-runner'],
      ['After', 'ok'],
    ]),
  );
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** Whether the process runs: a zombie has ended (its parent gone, it waits for init, which may never reap it here). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function runLocal(config: string, env: NodeJS.ProcessEnv = {}) {
  const started = Date.now();
  const result = spawnSync('node', ['run.js', '--local', '--config', config], {
    cwd: seed,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 100_000,
  });
  const logs: Record<string, { stdout: string; stderr: string }> = {};
  const run = path.join(seed, '.local-run');
  for (const step of fs.readdirSync(run).filter((f) => fs.statSync(path.join(run, f)).isDirectory())) {
    const dir = path.join(run, step);
    const read = (f: string) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), 'utf8') : '');
    logs[step] = { stdout: read('stdout.log'), stderr: read('stderr.log') };
  }
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    seconds: (Date.now() - started) / 1000,
    // The run's report with the durations left out: the same lines whichever way the steps ran.
    lines: result.stderr.split('\n').map((line) => line.replace(/ in [0-9.]+ s /, ' in N s ')),
    logs,
  };
}

describe('run.js --local through the fork server, against one Python process per step', () => {
  let forked: ReturnType<typeof runLocal>;
  let spawned: ReturnType<typeof runLocal>;
  beforeAll(() => {
    forked = runLocal('probe.yaml');
    spawned = runLocal('probe.yaml', { LOCAL_RUN_FORK: '0' });
  });

  it('runs through the server on Linux, and one process per step with LOCAL_RUN_FORK=0, saying so once', () => {
    expect(forked.logs.Where!.stdout).toMatch(/^parent \d+: \S+ \S*local_runner\.py$/m);
    expect(spawned.logs.Where!.stdout).toMatch(/^parent \d+: \S*node\S* run\.js --local --config probe\.yaml$/m);
    const note = 'steps run one Python process each (LOCAL_RUN_FORK=0)';
    expect(spawned.lines.filter((l) => l.includes('one Python process each'))).toEqual([note]);
    expect(forked.stderr).not.toContain('one Python process each');
  });

  it('reports the same lines, failure tails and exit statuses both ways, as python3 script.py ends', () => {
    expect({ status: forked.status, stdout: forked.stdout }).toEqual({ status: 0, stdout: spawned.stdout });
    expect(spawned.status).toBe(0);
    expect(forked.lines).toEqual(spawned.lines.filter((l) => !l.includes('one Python process each')));
    const report = forked.lines.join('\n');
    for (const expected of [
      'Mutate: ran in N s (.local-run/Mutate/)',
      'Check: ran in N s (.local-run/Check/)',
      'Boom: FAILED (exit 1) in N s (.local-run/Boom/)\n  Traceback (most recent call last):',
      '    raise ValueError("the step failed on purpose")\n  ValueError: the step failed on purpose',
      'ExitMessage: FAILED (exit 1) in N s (.local-run/ExitMessage/)\n  to stderr before exit-message\n  stopped: the input has no rows',
      'ExitThree: FAILED (exit 3) in N s (.local-run/ExitThree/)\n  to stderr before exit-3',
      'ExitNone: ran in N s',
      'Signal: FAILED (exit SIGTERM) in N s (.local-run/Signal/)',
      'Interrupt: FAILED (exit SIGINT) in N s (.local-run/Interrupt/)',
      'TrainModel: ran in N s',
      'EvaluateModel: ran in N s',
    ]) {
      expect(report).toContain(expected);
    }
    // The traceback starts at the script, as python3 script.py prints it: no frame of the runner or of runpy.
    expect(forked.logs.Boom!.stderr).not.toMatch(/local_runner|runpy/);
  });

  it("writes the same stdout.log and stderr.log per step; a step sees no earlier step's module state, stdin is empty", () => {
    for (const step of LOGGED.filter((s) => s !== 'Where')) {
      expect([step, forked.logs[step]]).toEqual([step, spawned.logs[step]]);
    }
    expect(forked.logs.Check!.stdout).toContain('no state of a previous step');
    expect(forked.logs.Stdin!.stdout).toContain("stdin read ''");
  });

  it('leaves no process behind: the server has exited when run.js does', () => {
    const pid = Number(/^parent (\d+):/m.exec(forked.logs.Where!.stdout)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid)).toBe(false);
  });
});

it('stops with an error naming the server when it dies mid-run, and kills the step it was running', () => {
  const result = runLocal('dies.yaml');
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(
    /error: the step runner \(python3 local_runner\.py, pid \d+\) stopped \(SIGKILL\); its stderr is in \S+local_runner\.log, while running \S+behave\.py; LOCAL_RUN_FORK=0 runs each step in a Python process of its own/,
  );
  expect(result.stderr).toContain('First: ran in');
  expect(result.stderr).not.toContain('After:');
  expect(result.seconds).toBeLessThan(60); // the killed step would sleep 120 s
  const stepPid = Number(/step pid (\d+)/.exec(result.logs.KillRunner?.stdout ?? '')?.[1]);
  expect(stepPid).toBeGreaterThan(0);
  expect(alive(stepPid)).toBe(false);
});

describe('stepRunner: where the fork server is not used', () => {
  const where = (dir: string): StepRun => ({
    script: BEHAVE,
    args: ['--do', 'where'],
    env: {},
    cwd: dir,
    stdout: path.join(dir, 'stdout.log'),
    stderr: path.join(dir, 'stderr.log'),
  });

  async function runWhere(options: Partial<Parameters<typeof stepRunner>[0]>, name: string) {
    const dir = fs.mkdtempSync(path.join(work, name));
    const notes: string[] = [];
    const runner = stepRunner({
      python: 'python3',
      root: SEED_SOURCE_DIR,
      work: dir,
      note: (l) => notes.push(l),
      ...options,
    });
    try {
      const first = await runner.run(where(dir));
      const second = await runner.run(where(dir));
      return { statuses: [first, second], notes, parent: fs.readFileSync(path.join(dir, 'stdout.log'), 'utf8') };
    } finally {
      await runner.close();
    }
  }

  /** Both steps ran, each a child of this test process (no runner), and the one note said why. */
  function expectOneProcessPerStep(result: Awaited<ReturnType<typeof runWhere>>, why: string) {
    expect(result.notes).toEqual([`steps run one Python process each (${why})`]);
    expect(result.statuses).toEqual([
      { status: 0, signal: null },
      { status: 0, signal: null },
    ]);
    expect(result.parent).toContain(`parent ${process.pid}:`);
  }

  it('is not used on macOS unless LOCAL_RUN_FORK=1: each step is a child of run.js', async () => {
    const mac = await runWhere({ platform: 'darwin' }, 'mac-');
    expectOneProcessPerStep(mac, 'the fork server local_runner.py runs on Linux only; LOCAL_RUN_FORK=1 uses it here');
    const optedIn = await runWhere({ platform: 'darwin', fork: true }, 'mac-fork-');
    expect(optedIn).toMatchObject({ notes: [], statuses: [{ status: 0 }, { status: 0 }] });
    expect(optedIn.parent).toMatch(/local_runner\.py/);
  });

  it('falls back when the server cannot start: a Python without os.fork, a checkout without local_runner.py', async () => {
    // A python3 whose os module has no fork, as on Windows.
    const noFork = path.join(work, 'python-without-fork');
    fs.writeFileSync(
      noFork,
      '#!/bin/sh\nexec python3 -c \'import os, runpy, sys; del os.fork; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name="__main__")\' "$@"\n',
      { mode: 0o755 },
    );
    const withoutFork = await runWhere({ python: noFork, platform: 'linux' }, 'nofork-');
    expectOneProcessPerStep(withoutFork, 'local_runner.py did not start: os.fork does not exist on this platform');
    const missing = await runWhere({ root: work, platform: 'linux' }, 'missing-');
    expect(missing.notes).toEqual([
      'steps run one Python process each (local_runner.py did not start: local_runner.py is not beside run.js)',
    ]);
    expect(missing.parent).toContain(`parent ${process.pid}:`);
  });
});
