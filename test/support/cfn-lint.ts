/** Runs the machine's cfn-lint on template files; its JSON report, split into errors and warning rule ids. */
import { execFileSync } from 'node:child_process';

export function cfnLint(files: readonly string[]): { errors: string[]; warnings: string[] } {
  let output: string;
  try {
    output = execFileSync('cfn-lint', ['--format', 'json', ...files], { encoding: 'utf8' });
  } catch (error) {
    // cfn-lint exits non-zero when it finds anything; its JSON report is on stdout either way.
    const stdout = (error as { stdout?: string }).stdout;
    if (typeof stdout !== 'string' || stdout.length === 0) throw error;
    output = stdout;
  }
  const findings = JSON.parse(output) as Array<{ Rule: { Id: string }; Level: string; Message: string }>;
  return {
    errors: findings.filter((f) => f.Level === 'Error').map((f) => `${f.Rule.Id} ${f.Message}`),
    warnings: findings.filter((f) => f.Level === 'Warning').map((f) => f.Rule.Id),
  };
}
