/**
 * `npm run bench:pipeline`: the figures of the pipeline file (issue 12), measured on the seed as a project receives it
 * (staged by `stageSeedCode`, run.js bundled):
 * - wall time of `node run.js --dry-run` and `node run.js --local` (median of RUNS) for pipeline.yaml and both examples;
 * - the size of run.js;
 * - the seed README's example of adding a second model, as a diff of pipeline.yaml (lines).
 * `--local` needs python3 with the scripts' packages (scikit-learn, pandas); the XGBoost example's training is skipped
 * without the built-in algorithm's container, so its time is that of the preprocessing and the checks.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stageSeedCode } from '../lib/seed-code';
import { median, zippedBytes } from './support';

const RUNS = Number(process.env.RUNS ?? 5);
const COMMIT = '3f786850e387550fdab836ed7e6dc881de23001b';
const FILES = ['pipeline.yaml', 'examples/two-models.yaml', 'examples/xgboost-tuning.yaml'];

function timed(args: string[], cwd: string): { ms: number; status: number | null } {
  const started = process.hrtime.bigint();
  const result = spawnSync('node', args, { cwd, encoding: 'utf8', env: { PATH: process.env.PATH } });
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, status: result.status };
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-pipeline-'));
try {
  const seed = stageSeedCode(path.join(work, 'seed'));
  const runJs = path.join(seed, 'run.js');
  const bytes = fs.statSync(runJs).size;
  process.stdout.write(
    `run.js: ${bytes} bytes (${(bytes / 1024).toFixed(1)} KiB), zipped ${zippedBytes(runJs)} bytes\n`,
  );
  for (const file of FILES) {
    const config = file === 'pipeline.yaml' ? [] : ['--config', file];
    for (const mode of ['--dry-run', '--local']) {
      const args = [
        'run.js',
        mode,
        ...(mode === '--dry-run' ? ['--branch', 'main', '--commit', COMMIT] : []),
        ...config,
      ];
      const runs = Array.from({ length: RUNS }, () => timed(args, seed));
      const times = runs.map((r) => r.ms);
      process.stdout.write(
        `${file} ${mode}: median ${median(times).toFixed(0)} ms of ${RUNS} (${times.map((t) => t.toFixed(0)).join(', ')} ms), exit ${[
          ...new Set(runs.map((r) => r.status)),
        ].join('/')}\n`,
      );
    }
  }
  const readme = fs.readFileSync(path.join(seed, 'README.md'), 'utf8');
  const diff = /```diff\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const added = diff.split('\n').filter((l) => l.startsWith('+')).length;
  const removed = diff.split('\n').filter((l) => l.startsWith('-')).length;
  process.stdout.write(`README "add a model" diff of pipeline.yaml: +${added} -${removed} lines\n`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
