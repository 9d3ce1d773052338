/**
 * The run's moto broker: a small HTTP server in jest's main process (started by test/support/global-setup.ts,
 * stopped by test/support/global-teardown.ts) that keeps one moto_server per jest worker for
 * test/support/moto.ts's `startMoto()`. `POST /shared/<worker>` answers `{ port }` of that worker's server, starting
 * it on first use (or again, if it died). The servers are children of the main process, so the teardown stops and
 * reaps them: none outlives the run, and their CPU is counted in the run's.
 */
import { ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawnServer, stopServer } from './moto';

export interface MotoBroker {
  readonly url: string;
  /** Stops every server, then the broker. */
  stop(): Promise<void>;
}

export async function startMotoBroker(options: { timeoutMs?: number } = {}): Promise<MotoBroker> {
  const servers = new Map<string, Promise<{ child: ChildProcess; port: number }>>();
  const serverFor = (worker: string) => {
    const known = servers.get(worker);
    const alive = known?.then(({ child }) => child.exitCode === null && child.signalCode === null);
    const started = (async () => {
      if (known && (await alive)) return known;
      const { child, port } = await spawnServer(options.timeoutMs ?? 30_000);
      children.push(child);
      return { child, port };
    })();
    servers.set(worker, started);
    started.catch(() => servers.delete(worker));
    return started;
  };
  const server = http.createServer((req, res) => {
    // No keep-alive: a lease a while after the last one would otherwise reuse a pooled connection the server's
    // keep-alive timeout is closing at that moment (ECONNRESET; seen in band, where both ends share one event loop).
    res.shouldKeepAlive = false;
    const worker = /^\/shared\/([\w.-]+)$/.exec(req.url ?? '')?.[1];
    if (req.method !== 'POST' || worker === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('POST /shared/<jest worker id>');
      return;
    }
    serverFor(worker).then(
      ({ port }) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ port }));
      },
      (err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(err instanceof Error ? err.message : String(err));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  // A run that ends without its teardown (interrupted) still takes its servers with it.
  const children: ChildProcess[] = [];
  const killOnExit = () => children.forEach((child) => child.kill('SIGKILL'));
  process.once('exit', killOnExit);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      process.removeListener('exit', killOnExit);
      const started = await Promise.allSettled(servers.values());
      await Promise.all(started.map((s) => (s.status === 'fulfilled' ? stopServer(s.value.child) : undefined)));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
