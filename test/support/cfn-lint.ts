/** Runs the real cfn-lint (requirements-dev.txt) on template files and returns its findings. */
import { execFileSync } from 'node:child_process';

export interface CfnLintFinding {
  readonly Rule: { readonly Id: string };
  readonly Level: string;
  readonly Message: string;
  readonly Filename: string;
}

export function cfnLint(files: readonly string[]): CfnLintFinding[] {
  let output: string;
  try {
    output = execFileSync('cfn-lint', ['--format', 'json', ...files], { encoding: 'utf8' });
  } catch (error) {
    // cfn-lint exits non-zero when it finds anything; its JSON report is on stdout either way.
    const stdout = (error as { stdout?: string }).stdout;
    if (typeof stdout !== 'string' || stdout.length === 0) throw error;
    output = stdout;
  }
  return JSON.parse(output) as CfnLintFinding[];
}
