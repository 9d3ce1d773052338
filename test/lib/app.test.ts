/**
 * bin/app.ts as the CDK CLI runs it: a bad context value fails synth with a message that names the key, before any
 * template is written.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/seed-code';

function synth(context: Record<string, string>): { status: number | null; output: string; outdir: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mbm-cli-'));
  const args = ['cdk', 'synth', '--quiet', '--no-notices', '-o', outdir];
  for (const [key, value] of Object.entries({ account: '111111111111', region: 'us-east-1', ...context })) {
    args.push('-c', `${key}=${value}`);
  }
  const result = spawnSync('npx', args, {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}`, outdir };
}

describe('cdk synth with a bad context value', () => {
  const outdirs: string[] = [];
  afterAll(() => outdirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  it('rejects an unknown sourceProvider, naming the key and the allowed values, and writes no template', () => {
    const result = synth({ sourceProvider: 'github' });
    outdirs.push(result.outdir);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain(
      'Invalid configuration: context key "sourceProvider" must be one of "codecommit", "jenkins", got "github"',
    );
    expect(result.output).not.toMatch(/^\s+at /m);
    expect(fs.readdirSync(result.outdir).filter((f) => f.endsWith('.template.json'))).toEqual([]);
  });

  it('rejects a studio principal that is not a role ARN, naming the key', () => {
    const result = synth({ studioPrincipalArns: 'alice' });
    outdirs.push(result.outdir);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('context key "studioPrincipalArns" must hold IAM role ARNs');
  });
});
