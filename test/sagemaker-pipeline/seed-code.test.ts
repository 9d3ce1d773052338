/** Staging of the seed repository: what a new project's repository starts with. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SEED_SOURCE_DIR, stageSeedCode } from '../../lib/seed-code';
import { loadConfig } from '../../sagemaker-pipeline/src/config';
import { buildDefinition } from '../../sagemaker-pipeline/src/definition';
import { sageMakerPipelineName } from '../../lambda/shared/naming';

function files(dir: string, base = dir): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? files(path.join(dir, e.name), base) : [path.relative(base, path.join(dir, e.name))],
    );
}

describe('seed code staging', () => {
  let seed: string;
  beforeAll(() => {
    seed = stageSeedCode(fs.mkdtempSync(path.join(os.tmpdir(), 'seed-stage-')));
  });
  afterAll(() => fs.rmSync(seed, { recursive: true, force: true }));

  it('holds the configuration, scripts, buildspec, README and the bundled run.js, and no TypeScript', () => {
    const staged = files(seed);
    expect(staged).toEqual(
      expect.arrayContaining([
        'README.md',
        'buildspec.yml',
        'pipeline.config.json',
        'run.js',
        'scripts/preprocess.py',
        'scripts/train.py',
        'scripts/evaluate.py',
        'scripts/inference.py',
        'Jenkinsfile',
        '.github/workflows/mlops.yml',
        'ci/train.sh',
        'ci/release.sh',
      ]),
    );
    expect(staged.filter((f) => f.endsWith('.ts') || f.startsWith('src/'))).toEqual([]);
  });

  it('keeps the CI scripts executable', () => {
    for (const script of ['ci/train.sh', 'ci/release.sh']) {
      expect(fs.statSync(path.join(seed, script)).mode & 0o111).toBe(0o111);
    }
  });

  it('bundles a run.js that needs no node_modules and prints the same definition on --dry-run', () => {
    const commit = '3f786850e387550fdab836ed7e6dc881de23001b';
    const result = spawnSync('node', ['run.js', '--dry-run', '--branch', 'main', '--commit', commit], {
      cwd: seed,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, NODE_PATH: '' },
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const expected = buildDefinition(loadConfig(path.join(SEED_SOURCE_DIR, 'pipeline.config.json')), {
      projectName: 'dry-run',
      branch: 'main',
      commit,
      region: 'us-east-1',
      roleArn: 'arn:aws:iam::000000000000:role/sagemaker-pipeline-role',
      bucket: 'artifact-bucket',
      pipelineName: sageMakerPipelineName('dry-run', 'main'),
      modelPackageGroupName: 'model-dry-run',
    });
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(JSON.stringify(expected)));
    const text = fs.readFileSync(path.join(seed, 'run.js'), 'utf8');
    // Only Node built-ins (the CRT signer appears only inside an SDK error message that tells how to install it).
    const required = new Set([...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]));
    expect([...required].filter((m) => !m?.startsWith('node:'))).toEqual(['@aws-sdk/signature-v4-crt']);
  });

  it('exits 2 with every problem named when required values are missing', () => {
    const result = spawnSync('node', ['run.js', '--branch', 'main'], {
      cwd: seed,
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--commit (or COMMIT_HASH) is required');
    expect(result.stderr).toContain('--bucket (or ARTIFACT_BUCKET) is required');
  });
});
