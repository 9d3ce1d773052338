/**
 * `moto_server` (the AWS API emulator from requirements-dev.txt) on 127.0.0.1 and a free port, for integration
 * tests that run the real AWS SDK against it.
 *
 *   const moto = await startMoto();
 *   process.env.AWS_ENDPOINT_URL = moto.endpoint; // default SDK clients now talk to the emulator
 *   ...
 *   await moto.stop();
 *
 * One server per jest worker, shared by the suites that worker runs (a server costs ~0.75 CPU-s to start, and each
 * service's first request some more: its models, loaded once per server): `startMoto()` leases the worker's server,
 * turns its IAM enforcement off (moto's reset-auth API: a suite may have turned it on, test/support/iam-enforcement.ts)
 * and resets it (moto's reset API) before handing it over, so a suite never sees what an earlier one left or set;
 * `stop()` ends the lease. jest gives every test file its own module registry, so the shared servers are kept by the
 * run's moto broker (test/support/moto-broker.ts, started by jest's global setup in the main process, named to the
 * workers in MBM_MOTO_BROKER), one per JEST_WORKER_ID, and stopped by the global teardown: the main process starts,
 * stops and reaps them, so none outlives the run and their CPU is counted in the run's. Suites of one worker run one
 * after another, so a lease is never shared; a second `startMoto()` while this suite still holds the lease gets a
 * server of its own.
 *
 * Outside a jest run (no broker) every server is one of the caller's own, a child process stopped by `stop()`.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';

/** moto_server as the tests start it (the same arguments): test/support/moto_server.py. */
const MOTO_LAUNCHER = path.join(__dirname, 'moto_server.py');

export interface MotoServer {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  readonly port: number;
  /** The worker's shared server (reset when leased), or one of this caller's own. */
  readonly shared: boolean;
  /** Clears every resource in the emulator (moto's reset API). */
  reset(): Promise<void>;
  /** Ends the lease of a shared server; stops one of the caller's own. */
  stop(): Promise<void>;
}

/** The environment variable that names the run's moto broker to the workers (test/support/global-setup.ts). */
export const MOTO_BROKER_VARIABLE = 'MBM_MOTO_BROKER';

/** Credentials and region for the emulator; moto accepts any. Sets them in process.env and returns them. */
export function useMotoEnvironment(endpoint: string, region = 'us-east-1'): void {
  process.env.AWS_ENDPOINT_URL = endpoint;
  process.env.AWS_ACCESS_KEY_ID = 'testing';
  process.env.AWS_SECRET_ACCESS_KEY = 'testing';
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  process.env.AWS_REGION = region;
  process.env.AWS_DEFAULT_REGION = region;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('could not read the port of a probe socket'));
        return;
      }
      srv.close(() => resolve(address.port));
    });
  });
}

async function waitUntilUp(endpoint: string, child: ChildProcess, output: () => string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`moto_server exited with code ${child.exitCode} before it answered:\n${output()}`);
    }
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms:\n${output()}`);
}

/** What a fresh server has: no IAM enforcement (moto's default INITIAL_NO_AUTH_ACTION_COUNT, infinity). */
async function turnOffIamEnforcement(endpoint: string): Promise<void> {
  const res = await fetch(`${endpoint}/moto-api/reset-auth`, { method: 'POST', body: 'inf' });
  if (!res.ok) throw new Error(`moto reset-auth failed: HTTP ${res.status}`);
}

async function resetServer(endpoint: string): Promise<void> {
  const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status}`);
}

/** Starts a moto_server process, a child of this process. */
export async function spawnServer(timeoutMs: number): Promise<{ child: ChildProcess; port: number; endpoint: string }> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  let log = '';
  // moto's own server through test/support/moto_server.py (two per-request costs taken off, no answer changed).
  const child = spawn('python3', [MOTO_LAUNCHER, '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('error', (err) => {
    log += `\nspawn error: ${err.message} (is python3 on PATH, with moto from pip install -r requirements-dev.txt?)`;
  });
  try {
    await waitUntilUp(endpoint, child, () => log, timeoutMs);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return { child, port, endpoint };
}

/** Whether this module registry (this suite) holds the worker's shared server. */
let leased = false;

async function leaseShared(broker: string): Promise<MotoServer> {
  const key = encodeURIComponent(process.env.JEST_WORKER_ID ?? '1');
  const res = await fetch(`${broker}/shared/${key}`, { method: 'POST' });
  if (!res.ok)
    throw new Error(`the run's moto broker could not start a server: HTTP ${res.status} ${await res.text()}`);
  const { port } = (await res.json()) as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  // First the enforcement an earlier suite may have left on (moto's reset keeps it), then the resources.
  await turnOffIamEnforcement(endpoint);
  await resetServer(endpoint);
  leased = true;
  let released = false;
  return {
    endpoint,
    port,
    shared: true,
    reset: () => resetServer(endpoint),
    async stop() {
      if (released) return;
      released = true;
      leased = false;
    },
  };
}

async function startDedicated(timeoutMs: number): Promise<MotoServer> {
  const { child, port, endpoint } = await spawnServer(timeoutMs);
  // Outside jest (whose test files see a copy of `process` whose exit never fires) this stops a forgotten server.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    endpoint,
    port,
    shared: false,
    reset: () => resetServer(endpoint),
    stop: async () => {
      process.removeListener('exit', killOnExit);
      await stopServer(child);
    },
  };
}

/** Stops a server this process started, and waits until it is gone. */
export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

export async function startMoto(options: { timeoutMs?: number } = {}): Promise<MotoServer> {
  const broker = process.env[MOTO_BROKER_VARIABLE];
  if (broker && !leased) return leaseShared(broker);
  return startDedicated(options.timeoutMs ?? 30_000);
}
