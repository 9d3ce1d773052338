/**
 * cfn-lint, run so that it cannot pass silently: a missing binary, a crash (an exit code outside cfn-lint's finding
 * bits 2 | 4 | 8, a signal, output that is not its JSON report) or a file it could not read (E0000 parse errors and
 * E0003 "could not be processed", both reported as errors) fails the caller with what happened.
 *
 *   const { errors, warnings } = await cfnLint(files);   // rule id + message per finding
 *
 * Under jest it asks the run's cfn-lint service (test/support/cfn-lint-service.ts: one Python process running
 * cfn-lint's own CLI entry, answers kept by the templates' contents); a service that cannot be reached or answers
 * anything but a CLI result fails the same way. Elsewhere (no MBM_CFN_LINT_SERVICE), or with `binary` or `env`
 * given, it runs the cfn-lint CLI.
 */
import { spawnSync } from 'node:child_process';
import * as http from 'node:http';
import { CFN_LINT_SERVICE_VARIABLE } from './cfn-lint-service';

export interface CfnLintFinding {
  readonly Rule: { readonly Id: string };
  readonly Level: string;
  readonly Message: string;
  readonly Filename?: string;
}

export interface CfnLintReport {
  readonly findings: readonly CfnLintFinding[];
  /** `<rule id> <message>` of every finding of level Error. */
  readonly errors: string[];
  /** Rule ids of the findings of level Warning. */
  readonly warnings: string[];
}

/** What `cfn-lint --format json <files>` exited with and printed; `cached` when the service had linted the same. */
export interface CfnLintOutput {
  readonly by: string;
  readonly status: number | null;
  readonly signal?: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly cached: boolean;
}

export interface CfnLintOptions {
  /** Run this executable (the CLI path). */
  readonly binary?: string;
  /** Run the CLI with this environment. */
  readonly env?: NodeJS.ProcessEnv;
  /** Ask the service at this URL (default: MBM_CFN_LINT_SERVICE when neither `binary` nor `env` is given). */
  readonly service?: string;
}

export class CfnLintRunError extends Error {
  override readonly name = 'CfnLintRunError';
}

/** cfn-lint's exit code: a bitwise OR of 2 (errors), 4 (warnings), 8 (informational); anything else is a failure. */
const FINDING_BITS = 2 | 4 | 8;
const OPTIONS = ['--format', 'json'];

function runCli(files: readonly string[], options: CfnLintOptions): CfnLintOutput {
  const binary = options.binary ?? 'cfn-lint';
  const run = spawnSync(binary, [...OPTIONS, ...files], { encoding: 'utf8', env: options.env ?? process.env });
  if (run.error) {
    throw new CfnLintRunError(
      `${binary} could not run (${run.error.message}); install it: pip install -r requirements-dev.txt`,
    );
  }
  return { by: binary, status: run.status, signal: run.signal, stdout: run.stdout, stderr: run.stderr, cached: false };
}

function post(url: string, body: string): Promise<{ code: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${url}/lint`,
      { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ code: response.statusCode ?? 0, text }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function askService(url: string, files: readonly string[]): Promise<CfnLintOutput> {
  const by = `the cfn-lint service at ${url}`;
  let answer: { code: number; text: string };
  try {
    answer = await post(url, JSON.stringify({ options: OPTIONS, files }));
  } catch (error) {
    throw new CfnLintRunError(
      `${by} could not be reached (${(error as Error).message}); jest's global setup starts it ` +
        '(test/support/global-setup.ts), and it needs python3 with cfn-lint: pip install -r requirements-dev.txt',
    );
  }
  if (answer.code !== 200) throw new CfnLintRunError(`${by} answered ${answer.code}: ${answer.text.slice(0, 2000)}`);
  let result: Partial<Record<keyof CfnLintOutput, unknown>>;
  try {
    result = JSON.parse(answer.text) as typeof result;
  } catch {
    throw new CfnLintRunError(`${by} answered something that is not JSON: ${answer.text.slice(0, 2000)}`);
  }
  const { status, stdout, stderr, cached } = result;
  if (typeof status !== 'number' || typeof stdout !== 'string' || typeof stderr !== 'string') {
    throw new CfnLintRunError(`${by} answered without a status, stdout and stderr: ${answer.text.slice(0, 2000)}`);
  }
  return { by, status, stdout, stderr, cached: cached === true };
}

/** cfn-lint's exit status and output for the files, from the service or the CLI (see the module's comment). */
export async function cfnLintOutput(files: readonly string[], options: CfnLintOptions = {}): Promise<CfnLintOutput> {
  if (files.length === 0) throw new CfnLintRunError('cfn-lint needs at least one template file');
  const service =
    options.service ??
    (options.binary === undefined && options.env === undefined ? process.env[CFN_LINT_SERVICE_VARIABLE] : undefined);
  return service ? askService(service, files) : runCli(files, options);
}

export async function cfnLint(files: readonly string[], options: CfnLintOptions = {}): Promise<CfnLintReport> {
  const { by, status, signal, stdout, stderr } = await cfnLintOutput(files, options);
  if (status === null || (status & ~FINDING_BITS) !== 0) {
    throw new CfnLintRunError(
      `${by} failed (exit ${status ?? `signal ${signal}`}):\n${stderr}\n${stdout.slice(0, 2000)}`,
    );
  }
  let findings: CfnLintFinding[];
  try {
    findings = JSON.parse(stdout || '[]') as CfnLintFinding[];
  } catch {
    throw new CfnLintRunError(`${by} printed no JSON report:\n${stdout.slice(0, 2000)}\n${stderr}`);
  }
  if (!Array.isArray(findings)) throw new CfnLintRunError(`${by}'s report is not a list`);
  if (status !== 0 && findings.length === 0) {
    throw new CfnLintRunError(`${by} exited ${status} without a finding:\n${stderr}`);
  }
  return {
    findings,
    errors: findings.filter((f) => f.Level === 'Error').map((f) => `${f.Rule.Id} ${f.Message}`),
    warnings: findings.filter((f) => f.Level === 'Warning').map((f) => f.Rule.Id),
  };
}
