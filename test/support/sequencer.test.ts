import * as path from 'node:path';
import type { Test } from '@jest/test-result';
import { PROJECT_ROOT } from './fixtures';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const SlowestFirst = require('./sequencer') as {
  new (): { sort(tests: Test[]): Test[]; _cache: Map<unknown, Record<string, [number, number]>> };
  ESTIMATED_SECONDS: Record<string, number>;
};

describe('the test order (test/support/sequencer.js)', () => {
  const context = { config: { rootDir: PROJECT_ROOT, cache: false }, hasteFS: { getSize: () => 1 } };
  const suite = (relative: string) => ({ path: path.join(PROJECT_ROOT, relative), context }) as unknown as Test;
  const order = (tests: Test[], sequencer = new SlowestFirst()) =>
    sequencer.sort(tests).map((t) => path.relative(PROJECT_ROOT, t.path));

  it('on a fresh clone (no measured times), runs the suites known to be slow first, the slowest first', () => {
    const tests = [
      suite('test/contracts/naming.test.ts'),
      suite('test/lib/app.test.ts'),
      suite('test/sagemaker-pipeline/local.test.ts'),
      suite('test/contracts/events.test.ts'),
      suite('test/e2e/workflow.test.ts'),
    ];
    expect(order(tests).slice(0, 3)).toEqual([
      'test/sagemaker-pipeline/local.test.ts',
      'test/e2e/workflow.test.ts',
      'test/lib/app.test.ts',
    ]);
  });

  it("prefers jest's measured time to the estimate", () => {
    const sequencer = new SlowestFirst();
    const measured = path.join(PROJECT_ROOT, 'test/contracts/naming.test.ts');
    sequencer._cache.set(context, { [measured]: [1, 120_000] }); // [passed, ms]: jest's perf cache entry
    const tests = [suite('test/sagemaker-pipeline/local.test.ts'), suite('test/contracts/naming.test.ts')];
    expect(order(tests, sequencer)).toEqual(['test/contracts/naming.test.ts', 'test/sagemaker-pipeline/local.test.ts']);
  });

  it('estimates only suites that exist', () => {
    const fs = jest.requireActual<typeof import('node:fs')>('node:fs');
    const missing = Object.keys(SlowestFirst.ESTIMATED_SECONDS).filter(
      (file) => !fs.existsSync(path.join(PROJECT_ROOT, file)),
    );
    expect(missing).toEqual([]);
  });
});
