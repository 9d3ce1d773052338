/**
 * jest's global setup: one temporary directory for the run, made the workers' and their children's `TMPDIR` (so
 * `os.tmpdir()`, CDK's unnamed cloud assemblies, Python's `tempfile` and git all write below it) and removed whole
 * by test/support/global-teardown.ts, so a run leaves nothing in the system's temporary directory (one run used to
 * leave about 90 folders there: CDK's `cdk.out*` of apps built without an `outdir`, suites' `mkdtemp` folders). In
 * it, one cache directory for the run, named to the workers in MBM_TEST_CACHE_DIR (they inherit the environment):
 * test/support/esbuild-cache.ts keeps its bundles there.
 * It also starts the run's cfn-lint service (test/support/cfn-lint-service.ts), named in MBM_CFN_LINT_SERVICE (if it
 * cannot start, test/support/cfn-lint.ts runs the CLI, and the cfn-lint suites fail if that cannot run either), and
 * the run's moto broker (test/support/moto-broker.ts), named to the workers in MBM_MOTO_BROKER: it keeps one
 * moto_server per worker for test/support/moto.ts; the teardown stops it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CFN_LINT_SERVICE_VARIABLE, CfnLintService, startCfnLintService } from './cfn-lint-service';
import { TEST_CACHE_DIR_VARIABLE } from './esbuild-cache';
import { MOTO_BROKER_VARIABLE } from './moto';
import { MotoBroker, startMotoBroker } from './moto-broker';

/** Where the teardown finds the broker and the cfn-lint service (jest shares the main process's globals between setup
 * and teardown). */
export const BROKER_GLOBAL = '__mbmMotoBroker';
export const CFN_LINT_SERVICE_GLOBAL = '__mbmCfnLintService';
/** The run's temporary directory and the `TMPDIR` it replaced, for the teardown. */
export const RUN_TMPDIR_GLOBAL = '__mbmRunTmpdir';

export default async function globalSetup(): Promise<void> {
  const runTmpdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mbm-test-run-'));
  (globalThis as Record<string, unknown>)[RUN_TMPDIR_GLOBAL] = { directory: runTmpdir, replaced: process.env.TMPDIR };
  process.env.TMPDIR = runTmpdir;
  process.env[TEST_CACHE_DIR_VARIABLE] = fs.mkdtempSync(path.join(runTmpdir, 'mbm-test-cache-'));
  const broker: MotoBroker = await startMotoBroker();
  (globalThis as Record<string, unknown>)[BROKER_GLOBAL] = broker;
  process.env[MOTO_BROKER_VARIABLE] = broker.url;
  try {
    const service: CfnLintService = await startCfnLintService();
    (globalThis as Record<string, unknown>)[CFN_LINT_SERVICE_GLOBAL] = service;
    process.env[CFN_LINT_SERVICE_VARIABLE] = service.url;
  } catch (error) {
    // The suites that lint then run the cfn-lint CLI, which fails them loudly if it cannot run either.
    console.warn(`${(error as Error).message}; cfnLint runs the cfn-lint CLI instead`);
  }
}
