/** jest's global teardown: removes the run's cache directory and stops its cfn-lint service (global-setup.ts). */
import * as fs from 'node:fs';
import { CFN_LINT_SERVICE_PID_VARIABLE, stopCfnLintService } from './cfn-lint-service';
import { TEST_CACHE_DIR_VARIABLE } from './esbuild-cache';

export default async function globalTeardown(): Promise<void> {
  const directory = process.env[TEST_CACHE_DIR_VARIABLE];
  if (directory) fs.rmSync(directory, { recursive: true, force: true });
  await stopCfnLintService(process.env[CFN_LINT_SERVICE_PID_VARIABLE]);
}
