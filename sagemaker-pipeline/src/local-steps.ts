/**
 * How `node run.js --local` (src/local.ts) runs a step's script. On Linux, through `local_runner.py` (beside run.js):
 * one Python process per run that imports the scripts' third-party modules once (pandas, scikit-learn: about 2 s of
 * CPU each time) and forks one child per step, so each step still runs in a process of its own, as `python3 script.py`
 * would (exit status, signals, stdout and stderr; the protocol is described in local_runner.py). Elsewhere, or with
 * LOCAL_RUN_FORK=0, or when the runner cannot start, each step is its own `python3 script.py` process.
 *
 * Forking a process that loaded Apple's frameworks is unsafe on macOS (Python's multiprocessing spawns there for that
 * reason), and Windows has no fork: the runner is used on Linux only unless LOCAL_RUN_FORK=1.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';

/** The fork server, beside run.js (and beside run.ts in the platform's checkout). */
export const RUNNER_FILE = 'local_runner.py';
/** `1`: the fork server; `0`: one Python process per step; unset: the server on Linux only. */
export const FORK_ENV = 'LOCAL_RUN_FORK';

/** The value of LOCAL_RUN_FORK, or why it is not one (a usage error). */
export function parseForkSetting(value: string | undefined): boolean | undefined | string {
  if (value === undefined || value === '') return undefined;
  if (value === '0' || value === '1') return value === '1';
  return `${FORK_ENV}=${value}: set it to 1 (run the steps through ${RUNNER_FILE}) or 0 (one Python process per step), or unset it (the runner on Linux only)`;
}

export interface StepRun {
  readonly script: string;
  readonly args: readonly string[];
  /** Added to run.js's environment. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** Where the step's stdout and stderr are written. */
  readonly stdout: string;
  readonly stderr: string;
}

/** As spawn reports a process's end: the exit status, or the signal that ended it. */
export interface StepStatus {
  readonly status: number | null;
  readonly signal: string | null;
}

export interface StepRunner {
  run(step: StepRun): Promise<StepStatus>;
  /** Stops the fork server (if one runs) and waits until it has exited. */
  close(): Promise<void>;
}

export interface RunnerOptions {
  readonly python: string;
  /** The repository root: where local_runner.py is, and the folder that holds .local-run/. */
  readonly root: string;
  /** The run's folder: local_runner.log (the runner's own stderr) is written there. */
  readonly work: string;
  /** LOCAL_RUN_FORK, parsed (undefined: the fork server on Linux only). */
  readonly fork?: boolean;
  readonly platform?: NodeJS.Platform;
  /** Told once when the steps run one process each, and why. */
  readonly note: (line: string) => void;
}

const baseEnv = (): NodeJS.ProcessEnv => ({ ...process.env, PYTHONDONTWRITEBYTECODE: '1' });

/** `python3 script.py args`: today's one process per step, stdin empty, stdout and stderr into the log files. */
function spawnStep(python: string, step: StepRun): Promise<StepStatus> {
  const out = fs.openSync(step.stdout, 'w');
  const err = fs.openSync(step.stderr, 'w');
  return new Promise((resolve) => {
    const child = spawn(python, [step.script, ...step.args], {
      cwd: step.cwd,
      env: { ...baseEnv(), ...step.env },
      stdio: ['ignore', out, err],
    });
    let failure: Error | undefined;
    child.on('error', (error) => (failure = error));
    child.on('close', (status, signal) => {
      fs.closeSync(out);
      fs.closeSync(err);
      if (failure !== undefined) fs.appendFileSync(step.stderr, `${failure.message}\n`);
      resolve({ status, signal });
    });
  });
}

type Message = { ready: boolean; reason?: string } | { pid: number } | { exit: number | null; signal: string | null };

/** The fork server's process and its replies, one JSON object per line. */
class ForkServer {
  private readonly replies: Message[] = [];
  private waiting: { resolve: (m: Message) => void; reject: (e: Error) => void } | undefined;
  private ended: Error | undefined;
  private readonly closed: Promise<void>;

  constructor(
    private readonly child: ChildProcess,
    readonly describe: string,
    log: string,
  ) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        this.receive(JSON.parse(line) as Message);
      } catch {
        this.end(new Error(`${describe} wrote ${JSON.stringify(line)}, not a JSON reply`));
        child.kill('SIGKILL');
      }
    });
    // A server that died is reported by 'close' (next() rejects); writing to its stdin then must not throw.
    child.stdin!.on('error', () => undefined);
    this.closed = new Promise((resolve) => {
      child.on('error', (error) => this.end(new Error(`${describe} did not start: ${error.message}`)));
      child.on('close', (code, signal) => {
        this.end(new Error(`${describe} stopped (${signal ?? `exit ${code}`}); its stderr is in ${log}`));
        resolve();
      });
    });
  }

  private receive(message: Message): void {
    if (this.waiting) {
      this.waiting.resolve(message);
      this.waiting = undefined;
    } else this.replies.push(message);
  }

  private end(error: Error): void {
    this.ended ??= error;
    this.waiting?.reject(this.ended);
    this.waiting = undefined;
  }

  next(): Promise<Message> {
    const queued = this.replies.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.ended !== undefined) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  send(request: object): void {
    this.child.stdin!.write(`${JSON.stringify(request)}\n`);
  }

  async stop(): Promise<void> {
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.closed;
    clearTimeout(timer);
  }
}

async function startServer(options: RunnerOptions): Promise<ForkServer | string> {
  const file = path.join(options.root, RUNNER_FILE);
  if (!fs.existsSync(file)) return `${RUNNER_FILE} is not beside run.js`;
  const log = path.join(options.work, 'local_runner.log');
  const logFd = fs.openSync(log, 'w');
  const child = spawn(options.python, [file], { cwd: options.root, env: baseEnv(), stdio: ['pipe', 'pipe', logFd] });
  fs.closeSync(logFd);
  const server = new ForkServer(child, `the step runner (${options.python} ${RUNNER_FILE}, pid ${child.pid})`, log);
  try {
    const hello = await server.next();
    if ('ready' in hello && hello.ready) return server;
    await server.stop();
    return 'reason' in hello ? String(hello.reason) : `${RUNNER_FILE} answered ${JSON.stringify(hello)}`;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Runs a step through the server; a server that stops mid-step is an error naming it (and its step is killed). */
async function forkStep(server: ForkServer, step: StepRun): Promise<StepStatus> {
  server.send(step);
  let pid: number | undefined;
  try {
    const started = await server.next();
    if ('pid' in started) pid = started.pid;
    const done = await server.next();
    if (!('exit' in done)) throw new Error(`${server.describe} answered ${JSON.stringify(done)}`);
    return { status: done.exit, signal: done.signal };
  } catch (error) {
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    throw new Error(
      `${(error as Error).message}, while running ${step.script}; ${FORK_ENV}=0 runs each step in a Python process of its own`,
    );
  }
}

/** The step runner of one `--local` run: the fork server is started at the first step. Close it at the end. */
export function stepRunner(options: RunnerOptions): StepRunner {
  let server: Promise<ForkServer | string> | undefined;
  const wanted = options.fork ?? (options.platform ?? process.platform) === 'linux';
  let told = false;
  const oneProcessEach = (why: string) => {
    if (!told) options.note(`steps run one Python process each (${why})`);
    told = true;
  };
  return {
    async run(step) {
      if (!wanted) {
        oneProcessEach(
          options.fork === false
            ? `${FORK_ENV}=0`
            : `the fork server ${RUNNER_FILE} runs on Linux only; ${FORK_ENV}=1 uses it here`,
        );
        return spawnStep(options.python, step);
      }
      server ??= startServer(options);
      const started = await server;
      if (typeof started === 'string') {
        oneProcessEach(`${RUNNER_FILE} did not start: ${started}`);
        return spawnStep(options.python, step);
      }
      return forkStep(started, step);
    },
    async close() {
      const started = await server;
      if (started !== undefined && typeof started !== 'string') await started.stop();
    },
  };
}
