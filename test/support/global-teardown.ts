/**
 * jest's global teardown: stops the run's moto servers and broker (test/support/moto-broker.ts) and its cfn-lint
 * service, then removes the run's temporary directory (its cache directory inside) and gives back the `TMPDIR` it
 * replaced (test/support/global-setup.ts).
 */
import * as fs from 'node:fs';
import type { CfnLintService } from './cfn-lint-service';
import { BROKER_GLOBAL, CFN_LINT_SERVICE_GLOBAL, RUN_TMPDIR_GLOBAL } from './global-setup';
import type { MotoBroker } from './moto-broker';

export default async function globalTeardown(): Promise<void> {
  await ((globalThis as Record<string, unknown>)[BROKER_GLOBAL] as MotoBroker | undefined)?.stop();
  await ((globalThis as Record<string, unknown>)[CFN_LINT_SERVICE_GLOBAL] as CfnLintService | undefined)?.stop();
  const run = (globalThis as Record<string, unknown>)[RUN_TMPDIR_GLOBAL] as
    { directory: string; replaced: string | undefined } | undefined;
  if (run) {
    fs.rmSync(run.directory, { recursive: true, force: true });
    if (run.replaced === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = run.replaced;
  }
}
