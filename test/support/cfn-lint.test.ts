import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { cfnLint, cfnLintOutput, CfnLintRunError } from './cfn-lint';
import { CFN_LINT_SERVICE_VARIABLE, startCfnLintService } from './cfn-lint-service';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-'));
  fs.writeFileSync(path.join(dir, 'ok.json'), JSON.stringify({ Resources: { Topic: { Type: 'AWS::SNS::Topic' } } }));
  fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ Resources: { Topic: { Type: 'AWS::SNS::Nope' } } }));
  fs.writeFileSync(path.join(dir, 'crash'), '#!/bin/sh\necho boom >&2\nexit 1\n', { mode: 0o755 });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('cfnLint cannot pass silently', () => {
  it('reports no error on a valid template and an error on an invalid one (through the run service)', async () => {
    expect(process.env[CFN_LINT_SERVICE_VARIABLE]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/); // jest's global setup
    expect((await cfnLint([path.join(dir, 'ok.json')])).errors).toEqual([]);
    expect((await cfnLint([path.join(dir, 'bad.json')])).errors).toEqual([expect.stringMatching(/^E3006 /)]);
  });

  it('fails when the binary is missing', async () => {
    await expect(cfnLint([path.join(dir, 'ok.json')], { binary: path.join(dir, 'no-such-cfn-lint') })).rejects.toThrow(
      CfnLintRunError,
    );
    await expect(cfnLint([path.join(dir, 'ok.json')], { env: { PATH: dir } })).rejects.toThrow(/could not run/);
  });

  it('fails when cfn-lint crashes (exit 1)', async () => {
    await expect(cfnLint([path.join(dir, 'ok.json')], { binary: path.join(dir, 'crash') })).rejects.toThrow(
      /exit 1.*boom/s,
    );
  });

  it('reports a file it could not read as an error', async () => {
    expect((await cfnLint([path.join(dir, 'missing.json')])).errors).toEqual([expect.stringMatching(/^E0003 /)]);
  });
});

describe('the cfn-lint service cannot pass silently either', () => {
  /** A stand-in service answering `answer` (HTTP code and body) to every request. */
  async function fakeService(answer: { code: number; body: string }, use: (url: string) => Promise<void>) {
    const server = http.createServer((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(answer.code).end(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await use(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }
  const lintWith = (service: string) => cfnLint([path.join(dir, 'ok.json')], { service });
  const cli = (status: number, stdout: string, stderr = '') => JSON.stringify({ status, stdout, stderr });

  it('fails to start without a Python that serves (global setup then leaves cfnLint to the CLI)', async () => {
    await expect(startCfnLintService(path.join(dir, 'no-such-python'))).rejects.toThrow(
      /did not start: spawn .*ENOENT/,
    );
    await expect(startCfnLintService('false')).rejects.toThrow(/did not start: it exited \(1\) before naming its port/);
  });

  it('fails when the service cannot be reached', async () => {
    let closedUrl = '';
    await fakeService({ code: 200, body: '' }, async (url) => void (closedUrl = url));
    await expect(lintWith(closedUrl)).rejects.toThrow(/could not be reached.*global setup/s);
  });

  it('fails on a crash, an answer or report that is not JSON, an error status or an exit without a finding', async () => {
    const cases: [{ code: number; body: string }, RegExp][] = [
      [{ code: 200, body: cli(1, '', 'Traceback: boom') }, /failed \(exit 1\).*boom/s],
      [{ code: 200, body: 'not json' }, /not JSON: not json/],
      [{ code: 200, body: JSON.stringify({ stdout: '[]' }) }, /without a status/],
      [{ code: 200, body: cli(0, 'Configuration error') }, /printed no JSON report.*Configuration error/s],
      [{ code: 200, body: cli(2, '[]', 'lost') }, /exited 2 without a finding.*lost/s],
      [{ code: 400, body: 'cfn-lint service: bad request' }, /answered 400: cfn-lint service: bad request/],
    ];
    for (const [answer, error] of cases) {
      await fakeService(answer, async (url) => {
        await expect(lintWith(url)).rejects.toThrow(CfnLintRunError);
        await expect(lintWith(url)).rejects.toThrow(error);
      });
    }
  });
});

describe('the cfn-lint service answers what the cfn-lint CLI does', () => {
  // The committed product template (a real one), with an invalid resource so there is a finding naming the file,
  // and a nonce so no other suite's request can have been kept for the same contents.
  const snapshots = path.join(__dirname, '../../product-stack-snapshots/codecommit');
  const real = JSON.parse(fs.readFileSync(path.join(snapshots, fs.readdirSync(snapshots)[0] as string), 'utf8')) as {
    Resources: Record<string, unknown>;
  };

  it('for a real template, and for the same contents at another path (kept, not linted again)', async () => {
    const contents = JSON.stringify(
      {
        ...real,
        Description: `cross-check ${Date.now()} ${Math.random()}`,
        Resources: { ...real.Resources, Nope: { Type: 'AWS::SNS::Nope' } },
      },
      null,
      1,
    );
    const [a, b] = ['a', 'b'].map((sub) => path.join(dir, sub, 'product.template.json')) as [string, string];
    for (const file of [a, b]) {
      fs.mkdirSync(path.dirname(file));
      fs.writeFileSync(file, contents);
    }
    const byCli = await cfnLintOutput([b], { binary: 'cfn-lint' });
    const first = await cfnLintOutput([a]);
    const again = await cfnLintOutput([b]);

    expect(byCli.by).toBe('cfn-lint');
    expect(first.by).toMatch(/service/);
    expect((byCli.status ?? 0) & 2).toBe(2); // errors (and warnings: the W3005 the other suites accept)
    const findings = JSON.parse(byCli.stdout) as { Rule: { Id: string }; Filename: string }[];
    expect(findings).toContainEqual(
      expect.objectContaining({ Rule: expect.objectContaining({ Id: 'E3006' }), Filename: b }),
    );
    expect([first.cached, again.cached]).toEqual([false, true]);
    expect({ status: again.status, stdout: again.stdout, stderr: again.stderr }).toEqual({
      status: byCli.status,
      stdout: byCli.stdout,
      stderr: byCli.stderr,
    });
    // The first answer (linted, not kept) is the CLI's but for the path it names, and so the ids made from it
    // (the service moves a kept answer only when it can make each finding's id again; the second answer's equal the
    // CLI's).
    const withoutIds = (stdout: string) =>
      (JSON.parse(stdout) as Record<string, unknown>[]).map((finding) =>
        Object.fromEntries(Object.entries(finding).filter(([key]) => key !== 'Id' && key !== 'ParentId')),
      );
    expect(first.stdout).toContain(a);
    expect(first.status).toBe(byCli.status);
    expect(withoutIds(first.stdout)).toEqual(withoutIds(byCli.stdout.split(b).join(a)));
  }, 180_000); // the CLI and a first lint of a large template, on a loaded machine

  it('lints a file again when its contents change, and keeps answers by contents', async () => {
    const file = path.join(dir, 'changing.json');
    const nonce = { Description: `changing ${Date.now()} ${Math.random()}` };
    fs.writeFileSync(file, JSON.stringify({ ...nonce, Resources: { Topic: { Type: 'AWS::SNS::Nope' } } }));
    expect((await cfnLint([file])).errors).toEqual([expect.stringMatching(/^E3006 /)]);
    fs.writeFileSync(file, JSON.stringify({ ...nonce, Resources: { Topic: { Type: 'AWS::SNS::Topic' } } }));
    const fixed = await cfnLintOutput([file]);
    expect([fixed.cached, (await cfnLint([file])).errors]).toEqual([false, []]);
    fs.writeFileSync(file, JSON.stringify({ ...nonce, Resources: { Topic: { Type: 'AWS::SNS::Nope' } } }));
    const broken = await cfnLintOutput([file]);
    expect(broken.cached).toBe(true);
    expect((await cfnLint([file])).errors).toEqual([expect.stringMatching(/^E3006 /)]);
  });
});
