/**
 * The data scientist's local loop, as the seed README teaches it: the README's commands run verbatim in a fresh git
 * clone of the staged seed (run.js bundled, the shipped sample, the machine's python3 with the scripts' packages),
 * every gate is evaluated, nothing shows up in `git status`. Then the other promises of `--local`: skipped steps
 * with their reason, a failing gate's exit status, `--input`, and the README's "add a model" diff.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SEED_SOURCE_DIR, stageSeedCode } from '../../lib/seed-code';
import { buildDefinition } from '../../sagemaker-pipeline/src/definition';
import { parsePipelineFile } from '../../sagemaker-pipeline/src/pipeline-file';
import { CONTEXT, seedConfig } from './support/seed';

jest.setTimeout(240_000);

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Data Scientist',
  GIT_AUTHOR_EMAIL: 'ds@example.com',
  GIT_COMMITTER_NAME: 'Data Scientist',
  GIT_COMMITTER_EMAIL: 'ds@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
};

function sh(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: os.tmpdir(), ...GIT_ENV },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/** The fenced block that follows the README's `local-loop` marker. */
function localLoopBlock(readme: string): string {
  const marker = readme.indexOf('<!-- local-loop');
  if (marker < 0) throw new Error('the README has no local-loop marker');
  const block = /```bash\n([\s\S]*?)```/.exec(readme.slice(marker));
  if (!block?.[1]) throw new Error('no bash block after the local-loop marker');
  return block[1];
}

describe('node run.js --local, in a fresh clone of the seed', () => {
  let work: string;
  let clone: string;

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-local-'));
    const seed = stageSeedCode(path.join(work, 'seed'));
    expect(sh('git', ['init', '-q', '-b', 'main'], seed).status).toBe(0);
    expect(sh('git', ['add', '-A'], seed).status).toBe(0);
    expect(sh('git', ['commit', '-q', '-m', 'seed'], seed).status).toBe(0);
    clone = path.join(work, 'clone');
    expect(sh('git', ['clone', '-q', seed, clone], work).status).toBe(0);
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it("runs the README's commands verbatim: every gate passes, and git status stays clean", () => {
    const block = localLoopBlock(fs.readFileSync(path.join(clone, 'README.md'), 'utf8'));
    expect(block).toContain('node run.js --local\n');
    const result = sh('bash', ['-e', '-o', 'pipefail', '-c', block], clone);
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
    expect(result.stdout).toContain('1 of 1 model passed its gate');
    expect(result.stdout).toContain('2 of 2 models passed their gates');
    expect(result.stdout).toMatch(
      /model abalone \(group model-project\)\n {2}metric +value +gate +result\n {2}mse +[0-9.]+ +<= 6 +PASS/,
    );
    expect(result.stdout).toContain('would register in model-project-forest as PendingManualApproval');
    expect(result.stderr).toContain('TrainModel: ran in');
    // SageMaker's layout under .local-run/<step>/ (of the last command's run), and nothing git would commit.
    for (const made of [
      'PreprocessData/output/train/train.csv',
      'TrainModel-abalone/output/model.tar.gz',
      'TrainModel-forest/model/model.joblib',
      'EvaluateModel-forest/input/model/model.tar.gz',
      'EvaluateModel-forest/output/evaluation/evaluation.json',
    ]) {
      expect([made, fs.existsSync(path.join(clone, '.local-run', made))]).toEqual([made, true]);
    }
    expect(sh('git', ['status', '--porcelain', '--untracked-files=all'], clone).stdout).toBe('');
  });

  it('reports the steps it cannot run here as skipped, with the reason, and exits 1 when no gate was evaluated', () => {
    const result = sh('node', ['run.js', '--local', '--config', 'examples/xgboost-tuning.yaml'], clone);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('PreprocessData: ran in');
    expect(result.stdout).toContain(
      "TuneModel: SageMaker's built-in xgboost algorithm runs only in its SageMaker container (no script to run here)",
    );
    expect(result.stdout).toContain('EvaluateModel: needs the model: TuneModel was skipped');
    expect(result.stdout).toMatch(/rmse +- +<= 2\.6 +NOT EVALUATED/);
  });

  it('reports a framework whose modules this --python lacks, naming the missing module, and skips its steps', () => {
    // A Python without the scripts' packages: a venv without pip does not see the machine's site-packages.
    const venv = path.join(work, 'bare-venv');
    expect(sh('python3', ['-m', 'venv', '--without-pip', venv], work).status).toBe(0);
    const bare = path.join(venv, 'bin', 'python');
    const result = sh('node', ['run.js', '--local', '--python', bare], clone);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(
      `PreprocessData: framework sklearn is not installed for ${bare} (ModuleNotFoundError: No module named 'sklearn'); pip install the packages of scripts/ to run it here`,
    );
    expect(result.stdout).toContain('EvaluateModel: needs the model: TrainModel was skipped');
    expect(result.stderr).not.toContain(': ran in');
  });

  it('exits 1 on a failing gate, with the value against the threshold; --input reads another file', () => {
    const config = path.join(work, 'strict.yaml');
    fs.writeFileSync(
      config,
      fs.readFileSync(path.join(clone, 'pipeline.yaml'), 'utf8').replace('max: 6.0', 'max: 0.5'),
    );
    const input = path.join(work, 'rows.csv');
    fs.writeFileSync(
      input,
      fs
        .readFileSync(path.join(clone, 'data', 'abalone-sample.csv'), 'utf8')
        .split('\n')
        .slice(0, 200)
        .join('\n'),
    );
    const result = sh('node', ['run.js', '--local', '--config', config, '--input', input], clone);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/mse +[0-9.]+ +<= 0\.5 +FAIL/);
    expect(result.stdout).toMatch(/would not be registered: mse = [0-9.]+ does not pass mse <= 0\.5/);
    expect(result.stdout).toContain('0 of 1 model passed its gate');
    const rows = fs.readFileSync(
      path.join(clone, '.local-run', 'PreprocessData', 'output', 'test', 'test.csv'),
      'utf8',
    );
    expect(rows.trim().split('\n')).toHaveLength(30); // 15 % of the 200 rows given with --input
  });
});

describe("the seed README's example of adding a model", () => {
  it('applied to pipeline.yaml, gives the second model of examples/two-models.yaml', () => {
    const readme = fs.readFileSync(path.join(SEED_SOURCE_DIR, 'README.md'), 'utf8');
    const diff = /```diff\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const added = diff
      .split('\n')
      .filter((l) => l.startsWith('+'))
      .map((l) => l.slice(1));
    const context = diff
      .split('\n')
      .filter((l) => l.startsWith(' '))
      .map((l) => l.slice(1));
    const base = fs.readFileSync(path.join(SEED_SOURCE_DIR, 'pipeline.yaml'), 'utf8');
    // The diff's context lines are the end of pipeline.yaml: the model goes after them.
    expect(base.trimEnd().endsWith(context.join('\n'))).toBe(true);
    const changed = parsePipelineFile(`${base.trimEnd()}\n${added.join('\n')}\n`, 'pipeline.yaml', SEED_SOURCE_DIR);
    expect(added).toHaveLength(11);
    expect(changed.spec.models[1]).toEqual(seedConfig('examples/two-models.yaml').spec.models[1]);
    const steps = buildDefinition(changed, CONTEXT).Steps.map((s) => s.Name);
    expect(steps).toEqual([
      'PreprocessData',
      'TrainModel-abalone',
      'EvaluateModel-abalone',
      'CheckMetric-abalone',
      'TrainModel-forest',
      'EvaluateModel-forest',
      'CheckMetric-forest',
    ]);
  });
});
