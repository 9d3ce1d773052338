/**
 * Runs a CI script file of the seed code (`ci/*.sh`) with `bash`, as the Jenkinsfile and the workflow call it, in a
 * real git work tree, with the real AWS CLI pointed at moto_server.
 *
 * `aws` on the script's PATH is a recording wrapper: it logs every call's arguments (a JSON array) and the bytes of
 * a `--payload fileb://...` file, then runs the real AWS CLI. The one exception is `aws lambda invoke`: moto runs no
 * Lambda code without Docker, so the wrapper answers it as a stand-in (FunctionError from FAKE_FUNCTION_ERROR,
 * response body from FAKE_LAMBDA_RESPONSE) and the tests invoke the real handler with the recorded payload.
 */
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const WRAPPER = `#!/bin/sh
# -S -E: no site packages, no PYTHON* variables; json and sys are all it needs.
"$WRAPPER_PYTHON" -S -E -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@" >> "$AWS_CALL_LOG"
previous=''
for argument in "$@"; do
  if [ "$previous" = --payload ]; then
    cat "\${argument#fileb://}" >> "$AWS_PAYLOAD_LOG"
    echo >> "$AWS_PAYLOAD_LOG"
  fi
  previous=$argument
done
if [ "$1" = lambda ] && [ "$2" = invoke ]; then
  for last in "$@"; do :; done
  printf '%s' "\${FAKE_LAMBDA_RESPONSE:-null}" > "$last"
  echo "\${FAKE_FUNCTION_ERROR:-None}"
  exit 0
fi
exec "$REAL_AWS" "$@"
`;

/**
 * The executable `name` runs: behind a pyenv shim (a bash script that runs `pyenv exec`, about 0.1 CPU-s per call)
 * the one `pyenv which` names, otherwise the one on PATH. The AWS CLI and the wrapper's Python run once per call.
 */
function executable(name: string): string {
  const onPath = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
  if (!onPath.includes('/shims/')) return onPath;
  return execFileSync('pyenv', ['which', name], { encoding: 'utf8' }).trim();
}

export interface ScriptRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Arguments of every `aws` call, in order. */
  readonly awsCalls: string[][];
  /** The bytes of every `--payload` file, one per invocation. */
  readonly payloads: string[];
}

export class ScriptSandbox {
  readonly dir: string;
  readonly binDir: string;
  private readonly realAws: string;
  private readonly python: string;

  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-script-'));
    this.binDir = path.join(this.dir, 'bin');
    fs.mkdirSync(this.binDir);
    this.realAws = executable('aws');
    this.python = executable('python3');
    fs.writeFileSync(path.join(this.binDir, 'aws'), WRAPPER, { mode: 0o755 });
  }

  /** Runs the script file `scriptPath` with `bash` in `cwd`; `env` adds to a clean environment (PATH, HOME, AWS). */
  async run(scriptPath: string, cwd: string, env: Record<string, string>): Promise<ScriptRun> {
    const callLog = path.join(this.dir, `calls-${process.hrtime.bigint()}.jsonl`);
    const payloadLog = `${callLog}.payloads`;
    fs.writeFileSync(callLog, '');
    fs.writeFileSync(payloadLog, '');
    const base: Record<string, string> = {
      PATH: `${this.binDir}:${process.env.PATH ?? ''}`,
      HOME: this.dir,
      AWS_CALL_LOG: callLog,
      AWS_PAYLOAD_LOG: payloadLog,
      REAL_AWS: this.realAws,
      WRAPPER_PYTHON: this.python,
      MLOPS_POLL_SECONDS: '0',
    };
    for (const key of [
      'AWS_ENDPOINT_URL',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
    ]) {
      const value = process.env[key];
      if (value !== undefined) base[key] = value;
    }
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile('bash', [scriptPath], { cwd, env: { ...base, ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      });
    });
    const lines = (file: string) =>
      fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line !== '');
    return {
      ...result,
      awsCalls: lines(callLog).map((line) => JSON.parse(line) as string[]),
      payloads: lines(payloadLog),
    };
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The value following `flag` in one call's arguments. */
export function argument(call: string[], flag: string): string | undefined {
  const index = call.indexOf(flag);
  return index >= 0 ? call[index + 1] : undefined;
}

/** A real git repository in a temp directory, for the scripts' `git` commands. */
export class GitRepo {
  readonly dir: string;

  constructor(parent: string) {
    this.dir = fs.mkdtempSync(path.join(parent, 'repo-'));
    this.git('init', '-q', '-b', 'main');
    this.write('README.md', 'seed\n');
    this.commit('seed');
  }

  git(...args: string[]): string {
    return execFileSync('git', args, {
      cwd: this.dir,
      encoding: 'utf8',
      // git says "Automatic merge went well" on stderr even with -q: keep it out of the test output.
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'Data Scientist',
        GIT_AUTHOR_EMAIL: 'ds@example.com',
        GIT_COMMITTER_NAME: 'Data Scientist',
        GIT_COMMITTER_EMAIL: 'ds@example.com',
        GIT_CONFIG_NOSYSTEM: '1',
        HOME: this.dir,
      },
    }).trim();
  }

  write(file: string, content: string): void {
    fs.mkdirSync(path.dirname(path.join(this.dir, file)), { recursive: true });
    fs.writeFileSync(path.join(this.dir, file), content);
  }

  /** Commits everything and returns the new commit id. */
  commit(message: string): string {
    this.git('add', '-A');
    this.git('commit', '-q', '-m', message);
    return this.head();
  }

  head(): string {
    return this.git('rev-parse', 'HEAD');
  }
}
