/**
 * jest's global setup: one cache directory for the run, named to the workers in MBM_TEST_CACHE_DIR (they inherit the
 * environment) and removed by test/support/global-teardown.ts. test/support/esbuild-cache.ts keeps its bundles there.
 * It also starts the run's cfn-lint service (test/support/cfn-lint-service.ts), named in MBM_CFN_LINT_SERVICE (if it
 * cannot start, test/support/cfn-lint.ts runs the CLI, and the cfn-lint suites fail if that cannot run either).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CFN_LINT_SERVICE_PID_VARIABLE, CFN_LINT_SERVICE_VARIABLE, startCfnLintService } from './cfn-lint-service';
import { TEST_CACHE_DIR_VARIABLE } from './esbuild-cache';

export default async function globalSetup(): Promise<void> {
  process.env[TEST_CACHE_DIR_VARIABLE] = fs.mkdtempSync(path.join(os.tmpdir(), 'mbm-test-cache-'));
  try {
    const service = await startCfnLintService();
    process.env[CFN_LINT_SERVICE_VARIABLE] = service.url;
    process.env[CFN_LINT_SERVICE_PID_VARIABLE] = String(service.pid);
  } catch (error) {
    // The suites that lint then run the cfn-lint CLI, which fails them loudly if it cannot run either.
    console.warn(`${(error as Error).message}; cfnLint runs the cfn-lint CLI instead`);
  }
}
