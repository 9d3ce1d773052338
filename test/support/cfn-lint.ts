/**
 * cfn-lint, run so that it cannot pass silently: a missing binary, a crash (an exit code outside cfn-lint's finding
 * bits 2 | 4 | 8, a signal, output that is not its JSON report) or a file it could not read (E0000 parse errors and
 * E0003 "could not be processed", both reported as errors) fails the caller with what happened.
 *
 *   const { errors, warnings } = cfnLint(files);   // rule id + message per finding
 */
import { spawnSync } from 'node:child_process';

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

export class CfnLintRunError extends Error {
  override readonly name = 'CfnLintRunError';
}

/** cfn-lint's exit code: a bitwise OR of 2 (errors), 4 (warnings), 8 (informational); anything else is a failure. */
const FINDING_BITS = 2 | 4 | 8;

export function cfnLint(
  files: readonly string[],
  options: { binary?: string; env?: NodeJS.ProcessEnv } = {},
): CfnLintReport {
  if (files.length === 0) throw new CfnLintRunError('cfn-lint needs at least one template file');
  const binary = options.binary ?? 'cfn-lint';
  const run = spawnSync(binary, ['--format', 'json', ...files], { encoding: 'utf8', env: options.env ?? process.env });
  if (run.error) {
    throw new CfnLintRunError(
      `${binary} could not run (${run.error.message}); install it: pip install -r requirements-dev.txt`,
    );
  }
  if (run.status === null || (run.status & ~FINDING_BITS) !== 0) {
    throw new CfnLintRunError(
      `${binary} failed (exit ${run.status ?? `signal ${run.signal}`}):\n${run.stderr}\n${run.stdout.slice(0, 2000)}`,
    );
  }
  let findings: CfnLintFinding[];
  try {
    findings = JSON.parse(run.stdout || '[]') as CfnLintFinding[];
  } catch {
    throw new CfnLintRunError(`${binary} printed no JSON report:\n${run.stdout.slice(0, 2000)}\n${run.stderr}`);
  }
  if (!Array.isArray(findings)) throw new CfnLintRunError(`${binary}'s report is not a list`);
  if (run.status !== 0 && findings.length === 0) {
    throw new CfnLintRunError(`${binary} exited ${run.status} without a finding:\n${run.stderr}`);
  }
  return {
    findings,
    errors: findings.filter((f) => f.Level === 'Error').map((f) => `${f.Rule.Id} ${f.Message}`),
    warnings: findings.filter((f) => f.Level === 'Warning').map((f) => f.Rule.Id),
  };
}
