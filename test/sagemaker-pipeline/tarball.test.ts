/**
 * The seed's tar writer, read back by real readers: GNU/BSD `tar` and Python's tarfile (what SageMaker's training
 * toolkit uses on sourcedir.tar.gz). Block padding, nested paths and sizes past one block are where a hand-written
 * writer goes wrong; a reader that disagrees fails here.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tarGz } from '../../sagemaker-pipeline/src/tarball';

const ENTRIES = [
  { name: 'train.py', content: Buffer.from('print("train")\n') },
  { name: 'lib/helpers.py', content: Buffer.from('x = 1\n'.repeat(300)) }, // 1,800 bytes: four blocks
  { name: 'empty.txt', content: Buffer.alloc(0) },
  { name: 'exact.bin', content: Buffer.alloc(512, 7) }, // exactly one block: no padding
];

describe('tarGz', () => {
  let dir: string;
  let archive: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tarball-'));
    archive = path.join(dir, 'sourcedir.tar.gz');
    fs.writeFileSync(archive, tarGz(ENTRIES));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is listed and extracted by tar with every byte intact', () => {
    const listed = execFileSync('tar', ['-tzf', archive], { encoding: 'utf8' }).trim().split('\n');
    expect(listed).toEqual(['empty.txt', 'exact.bin', 'lib/helpers.py', 'train.py']);
    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    execFileSync('tar', ['-xzf', archive, '-C', out]);
    for (const entry of ENTRIES) expect(fs.readFileSync(path.join(out, entry.name))).toEqual(entry.content);
  });

  it('is read by Python tarfile as regular files with their sizes', () => {
    const script =
      'import json, sys, tarfile\n' +
      'with tarfile.open(sys.argv[1], "r:gz") as t:\n' +
      '    print(json.dumps([[m.name, m.isfile(), m.size, m.mode] for m in t.getmembers()]))\n';
    const members = JSON.parse(execFileSync('python3', ['-c', script, archive], { encoding: 'utf8' })) as unknown;
    expect(members).toEqual([
      ['empty.txt', true, 0, 0o644],
      ['exact.bin', true, 512, 0o644],
      ['lib/helpers.py', true, 1800, 0o644],
      ['train.py', true, 15, 0o644],
    ]);
  });

  it('writes the same bytes for the same files in any order', () => {
    expect(tarGz([...ENTRIES].reverse())).toEqual(fs.readFileSync(archive));
  });

  it('refuses names a reader would place outside its folder, or that do not fit the header', () => {
    const content = Buffer.from('x');
    expect(() => tarGz([{ name: '../evil.py', content }])).toThrow(/cannot pack "\.\.\/evil\.py"/);
    expect(() => tarGz([{ name: '/etc/passwd', content }])).toThrow(/tar names here are relative/);
    expect(() => tarGz([{ name: 'a'.repeat(101), content }])).toThrow(/at most 100 bytes/);
  });
});
