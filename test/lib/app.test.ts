/**
 * bin/app.ts as the CDK CLI runs it: a bad context value fails synth with a message that names the key, before any
 * template is written.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/seed-code';

/** The CDK CLI of the project's node_modules, as `npx cdk` runs it (without npx's own Node start). */
const CDK_CLI = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'cdk');

/** An environment in which the CDK CLI finds no AWS credentials (no keys, no profile files, no instance role). */
function withoutCredentials(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('AWS_') || key.startsWith('CDK_DEFAULT_')) delete env[key];
  }
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'mbm-nocreds-'));
  return {
    ...env,
    AWS_CONFIG_FILE: path.join(empty, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(empty, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/**
 * V8's compiled code of the CLI and the app's modules, shared by this suite's CLI runs (Node >= 22.1 reads
 * NODE_COMPILE_CACHE; older Node ignores it): the first run fills it, the next three start faster, about 0.9 CPU-s
 * less over the four. Only here: a process that runs once per test run (eslint, tsc, a full synth) pays to write it.
 */
const compileCache = fs.mkdtempSync(path.join(os.tmpdir(), 'mbm-cli-compile-cache-'));

function synth(
  context: Record<string, string>,
  options: { environment?: boolean; env?: NodeJS.ProcessEnv } = {},
): { status: number | null; output: string; outdir: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mbm-cli-'));
  const args = ['synth', '--quiet', '--no-notices', '-o', outdir];
  const target = options.environment === false ? {} : { account: '111111111111', region: 'us-east-1' };
  for (const [key, value] of Object.entries({ ...target, ...context })) {
    args.push('-c', `${key}=${value}`);
  }
  const result = spawnSync(CDK_CLI, args, {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: { ...(options.env ?? process.env), CDK_DISABLE_CLI_TELEMETRY: 'true', NODE_COMPILE_CACHE: compileCache },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}`, outdir };
}

describe('cdk synth with a bad context value', () => {
  const outdirs: string[] = [];
  afterAll(() => [...outdirs, compileCache].forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  it('rejects an unknown sourceProvider, naming the key and the allowed values, and writes no template', () => {
    const result = synth({ sourceProvider: 'github' });
    outdirs.push(result.outdir);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain(
      'Invalid configuration: context key "sourceProvider" must be one of "codecommit", "external-ci", got "github"',
    );
    expect(result.output).not.toMatch(/^\s+at /m);
    expect(fs.readdirSync(result.outdir).filter((f) => f.endsWith('.template.json'))).toEqual([]);
  });

  it('says "configure credentials or -c account=... -c region=..." when no credentials give the account', () => {
    const result = synth({}, { environment: false, env: withoutCredentials() });
    outdirs.push(result.outdir);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('context key "account" is required and was not set: the CDK CLI found no AWS');
    expect(result.output).toContain('Configure credentials');
    expect(result.output).toContain('-c account=<12-digit account id> -c region=<region>');
    expect(result.output).not.toMatch(/^\s+at /m);
  });

  it('refuses an empty branch prefix on the command line instead of taking the default', () => {
    const result = synth({ branchPrefix: '' });
    outdirs.push(result.outdir);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('context key "branchPrefix" is empty');
  });

  it('rejects a studio principal that is not a role ARN, naming the key', () => {
    const result = synth({ studioPrincipalArns: 'alice' });
    outdirs.push(result.outdir);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('context key "studioPrincipalArns" must hold IAM role ARNs');
  });
});
