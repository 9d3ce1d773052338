/** Staging of the seed repository: what a new project's repository starts with. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT, SEED_SOURCE_DIR, stageSeedCode } from '../../lib/seed-code';
import { buildDefinition } from '../../sagemaker-pipeline/src/definition';
import { sageMakerPipelineName } from '../../contracts/naming';
import { seedConfig } from './support/seed';

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

  it('holds the pipeline file, its schema, examples, sample data, scripts, buildspec, README and run.js, and no TypeScript', () => {
    const staged = files(seed);
    expect(staged).toEqual(
      expect.arrayContaining([
        'README.md',
        '.gitignore',
        'buildspec.yml',
        'pipeline.yaml',
        'pipeline.schema.json',
        'examples/two-models.yaml',
        'examples/xgboost-tuning.yaml',
        'examples/sql-source.yaml',
        'queries/abalone.sql',
        'data/abalone-sample.csv',
        'run.js',
        'local_runner.py',
        'scripts/preprocess.py',
        'scripts/train.py',
        'scripts/train_forest.py',
        'scripts/evaluate.py',
        'scripts/inference.py',
        'Jenkinsfile',
        '.github/workflows/mlops.yml',
        'ci/train.sh',
        'ci/release.sh',
      ]),
    );
    expect(staged.filter((f) => f.endsWith('.ts') || f.startsWith('src/'))).toEqual([]);
    expect(staged).not.toContain('pipeline.config.json');
  });

  it('ships the sample the platform tests use, unchanged (data/abalone-sample.csv)', () => {
    expect(fs.readFileSync(path.join(seed, 'data', 'abalone-sample.csv'), 'utf8')).toBe(
      fs.readFileSync(path.join(__dirname, 'data', 'abalone-sample.csv'), 'utf8'),
    );
  });

  it("keeps the platform checkout's note out of the seed README; the command the note gives works in the checkout", () => {
    const checkout = fs.readFileSync(path.join(SEED_SOURCE_DIR, 'README.md'), 'utf8');
    expect(checkout).toContain('`npx tsx run.ts --local`');
    const staged = fs.readFileSync(path.join(seed, 'README.md'), 'utf8');
    expect(staged).not.toContain('platform');
    expect(staged).toBe(checkout.replace(/<!-- platform-only[^>]*-->[\s\S]*?<!-- \/platform-only -->\n/, ''));
    const help = spawnSync(path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['run.ts', '--help'], {
      cwd: SEED_SOURCE_DIR,
      encoding: 'utf8',
    });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--local');
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
    const expected = buildDefinition(seedConfig(), {
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
    // Only Node built-ins (the CRT signer appears only inside an SDK error message that tells how to install it;
    // the yaml library requires the built-ins `process` and `buffer` without the node: prefix).
    const required = new Set([...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1] ?? ''));
    expect([...required].filter((m) => !m.startsWith('node:') && !builtinModules.includes(m))).toEqual([
      '@aws-sdk/signature-v4-crt',
    ]);
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
