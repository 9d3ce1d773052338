/**
 * jest's global setup and teardown (test/support/global-setup.ts, global-teardown.ts), run for real in a process of
 * their own as jest runs them: the teardown runs to its end (the cfn-lint service is awaited until it is gone, not
 * left unreferenced for Node to end the process in the middle of the teardown), the run's cache directory is removed
 * and the service no longer answers. What this cannot prove: jest's own handling of a teardown that never returns.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from './fixtures';

const SCRIPT = `
const fs = require('node:fs');
(async () => {
  const setup = require('./test/support/global-setup.ts').default;
  const teardown = require('./test/support/global-teardown.ts').default;
  await setup();
  const cache = process.env.MBM_TEST_CACHE_DIR;
  const service = process.env.MBM_CFN_LINT_SERVICE;
  fs.writeFileSync(cache + '/written-by-a-suite', 'x');
  await teardown();
  const answers = await fetch(service).then(() => true, () => false);
  console.log(JSON.stringify({ cache, cacheLeft: fs.existsSync(cache), service, answers }));
})();
`;

describe('the global setup and teardown', () => {
  it('run to their end: the cache directory is removed and the cfn-lint service stopped', () => {
    const outer = fs.mkdtempSync(path.join(os.tmpdir(), 'global-hooks-'));
    const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', SCRIPT], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      env: { ...process.env, TMPDIR: outer, MBM_TEST_CACHE_DIR: '', MBM_MOTO_BROKER: '', MBM_CFN_LINT_SERVICE: '' },
      timeout: 60_000,
    });
    fs.rmSync(outer, { recursive: true, force: true });
    expect(result.status).toBe(0);
    // The last line is printed after the teardown returned: a teardown cut short prints nothing.
    const last = result.stdout.trim().split('\n').pop() ?? '';
    expect(last).toMatch(/^\{/);
    const seen = JSON.parse(last) as { cache: string; cacheLeft: boolean; service: string; answers: boolean };
    expect(path.dirname(seen.cache)).toBe(outer);
    expect(seen.cacheLeft).toBe(false);
    expect(seen.service).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(seen.answers).toBe(false);
  });
});
