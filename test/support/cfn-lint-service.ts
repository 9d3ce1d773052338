/**
 * The cfn-lint service of a jest run (test/support/cfn_lint_service.py): one Python process that imports cfnlint once
 * and runs cfn-lint's own CLI entry per request, keeping answers by the templates' contents. jest's global setup
 * starts it and names it to the workers in MBM_CFN_LINT_SERVICE (they inherit the environment); global teardown
 * stops it (and it ends by itself when the jest process goes: it exits when its stdin closes).
 * test/support/cfn-lint.ts asks it when the variable is set and runs the cfn-lint CLI otherwise.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';

/** The service's URL (`http://127.0.0.1:<port>`), set by global setup for the run. */
export const CFN_LINT_SERVICE_VARIABLE = 'MBM_CFN_LINT_SERVICE';
const SCRIPT = path.join(__dirname, 'cfn_lint_service.py');

/** A running service: its URL, and `stop()`, which ends it and waits until it is gone (so its CPU counts as jest's). */
export interface CfnLintService {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts the service (cfnlint itself is imported on its first request). */
export function startCfnLintService(python = 'python3'): Promise<CfnLintService> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    const fail = (why: string) => {
      child.kill();
      reject(new Error(`the cfn-lint service (${python} ${SCRIPT}) did not start: ${why}`));
    };
    child.on('error', (error) => fail(error.message));
    child.on('exit', (code, signal) => fail(`it exited (${code ?? signal}) before naming its port`));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n');
      if (line.length < 2) return;
      const port = Number(line[0]);
      if (!Number.isInteger(port) || port <= 0) return fail(`it printed ${JSON.stringify(line[0])}, not a port`);
      child.removeAllListeners('exit');
      child.stdout.destroy();
      // Neither the process nor its stdin pipe keeps jest alive; the pipe closing (jest gone) ends the service.
      child.unref();
      (child.stdin as unknown as { unref?: () => void }).unref?.();
      resolve({ url: `http://127.0.0.1:${port}`, stop: () => stop(child) });
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  // Referenced again while it is awaited: with nothing referenced, Node would end the process (jest's teardown)
  // in the middle of this await, before the child is reaped and before what follows in the teardown.
  child.ref();
  let timer: NodeJS.Timeout | undefined;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill();
  await Promise.race([gone, new Promise<void>((resolve) => (timer = setTimeout(resolve, 5000)))]);
  clearTimeout(timer);
}
