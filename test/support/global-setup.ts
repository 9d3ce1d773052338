/**
 * jest's global setup: one cache directory for the run, named to the workers in MBM_TEST_CACHE_DIR (they inherit the
 * environment) and removed by test/support/global-teardown.ts. test/support/esbuild-cache.ts keeps its bundles there.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TEST_CACHE_DIR_VARIABLE } from './esbuild-cache';

export default function globalSetup(): void {
  process.env[TEST_CACHE_DIR_VARIABLE] = fs.mkdtempSync(path.join(os.tmpdir(), 'mbm-test-cache-'));
}
