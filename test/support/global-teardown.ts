/** jest's global teardown: removes the run's cache directory (test/support/global-setup.ts). */
import * as fs from 'node:fs';
import { TEST_CACHE_DIR_VARIABLE } from './esbuild-cache';

export default function globalTeardown(): void {
  const directory = process.env[TEST_CACHE_DIR_VARIABLE];
  if (directory) fs.rmSync(directory, { recursive: true, force: true });
}
