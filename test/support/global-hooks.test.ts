/**
 * jest's global setup and teardown (test/support/global-setup.ts, global-teardown.ts), run for real in a process of
 * their own as jest runs them: the run's temporary directory is every child's `TMPDIR` and is gone after the teardown,
 * which runs to its end (the cfn-lint service is awaited until it is gone, not left unreferenced for Node to end the
 * process in the middle of the teardown), the cache directory is removed and the service no longer answers, so a run
 * leaves nothing in the system's temporary directory. What this cannot prove: that jest's workers inherit the
 * variable (they are started after the global setup; a full run's leftovers were counted, see docs/development.md),
 * and jest's own handling of a teardown that never returns.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from './fixtures';

const SCRIPT = `
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
(async () => {
  const setup = require('./test/support/global-setup.ts').default;
  const teardown = require('./test/support/global-teardown.ts').default;
  await setup();
  const run = process.env.TMPDIR;
  fs.writeFileSync(path.join(os.tmpdir(), 'written-by-a-test'), 'x');
  const fromPython = execFileSync('python3', ['-c', 'import tempfile; print(tempfile.mkdtemp())']).toString().trim();
  const cache = process.env.MBM_TEST_CACHE_DIR;
  const service = process.env.MBM_CFN_LINT_SERVICE;
  fs.writeFileSync(cache + '/written-by-a-suite', 'x');
  await teardown();
  const answers = await fetch(service).then(() => true, () => false);
  console.log(JSON.stringify({
    run, fromPython, runLeft: fs.existsSync(run), tmpdirAfter: process.env.TMPDIR ?? null,
    cache, cacheLeft: fs.existsSync(cache), service, answers,
  }));
})();
`;

describe('the global setup and teardown', () => {
  it("give the run a temporary directory, every child's TMPDIR, removed at the end with the service stopped", () => {
    const outer = fs.mkdtempSync(path.join(os.tmpdir(), 'global-hooks-'));
    const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', SCRIPT], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      env: { ...process.env, TMPDIR: outer, MBM_TEST_CACHE_DIR: '', MBM_MOTO_BROKER: '', MBM_CFN_LINT_SERVICE: '' },
      timeout: 60_000,
    });
    // tsx-<uid>: tsx's own compile cache, made when the child started (before the setup), kept by design.
    const left = fs.readdirSync(outer).filter((name) => !/^tsx-\d+$/.test(name));
    fs.rmSync(outer, { recursive: true, force: true });
    expect(result.status).toBe(0);
    // The last line is printed after the teardown returned: a teardown cut short prints nothing.
    const last = result.stdout.trim().split('\n').pop() ?? '';
    expect(last).toMatch(/^\{/);
    const seen = JSON.parse(last) as {
      run: string;
      fromPython: string;
      runLeft: boolean;
      tmpdirAfter: string;
      cache: string;
      cacheLeft: boolean;
      service: string;
      answers: boolean;
    };
    expect(path.dirname(seen.run)).toBe(outer);
    expect(path.dirname(seen.fromPython)).toBe(seen.run);
    expect(path.dirname(seen.cache)).toBe(seen.run);
    expect(seen.runLeft).toBe(false);
    expect(seen.cacheLeft).toBe(false);
    expect(seen.tmpdirAfter).toBe(outer);
    expect(left).toEqual([]);
    expect(seen.service).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(seen.answers).toBe(false);
  });
});
