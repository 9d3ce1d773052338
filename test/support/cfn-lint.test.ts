import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cfnLint, CfnLintRunError } from './cfn-lint';

describe('cfnLint cannot pass silently', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-'));
    fs.writeFileSync(path.join(dir, 'ok.json'), JSON.stringify({ Resources: { Topic: { Type: 'AWS::SNS::Topic' } } }));
    fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ Resources: { Topic: { Type: 'AWS::SNS::Nope' } } }));
    fs.writeFileSync(path.join(dir, 'crash'), '#!/bin/sh\necho boom >&2\nexit 1\n', { mode: 0o755 });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reports no error on a valid template and an error on an invalid one', () => {
    expect(cfnLint([path.join(dir, 'ok.json')]).errors).toEqual([]);
    expect(cfnLint([path.join(dir, 'bad.json')]).errors).toEqual([expect.stringMatching(/^E3006 /)]);
  });

  it('fails when the binary is missing', () => {
    expect(() => cfnLint([path.join(dir, 'ok.json')], { binary: path.join(dir, 'no-such-cfn-lint') })).toThrow(
      CfnLintRunError,
    );
    expect(() => cfnLint([path.join(dir, 'ok.json')], { env: { PATH: dir } })).toThrow(/could not run/);
  });

  it('fails when cfn-lint crashes (exit 1)', () => {
    expect(() => cfnLint([path.join(dir, 'ok.json')], { binary: path.join(dir, 'crash') })).toThrow(/exit 1.*boom/s);
  });

  it('reports a file it could not read as an error', () => {
    expect(cfnLint([path.join(dir, 'missing.json')]).errors).toEqual([expect.stringMatching(/^E0003 /)]);
  });
});
