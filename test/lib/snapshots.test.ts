/**
 * Product version snapshots: only a release writes the committed ones, one folder per source provider; any other
 * synth works on a copy inside the cloud assembly; a released version's template cannot change silently.
 */
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { platformVersion, PROJECT_ROOT } from '../../lib/seed-code';
import { committedSnapshotDirectory, SNAPSHOT_ROOT, snapshotDirectoryForSynth } from '../../lib/snapshots';
import { buildApp, cdkJsonContext, removeApp } from '../support/app';

/** path → sha256 of every file below `dir`. */
function treeDigest(dir: string): Record<string, string> {
  const digest: Record<string, string> = {};
  if (!fs.existsSync(dir)) return digest;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    digest[path.relative(dir, file)] = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  }
  return digest;
}

/** Files below `root` modified at or after `since` (ms), outside node_modules, .git and Python caches. */
function modifiedSince(root: string, since: number): string[] {
  const skip = new Set(['node_modules', '.git', '__pycache__', '.pytest_cache']);
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (skip.has(entry.name)) continue;
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (fs.statSync(file).mtimeMs >= since) found.push(path.relative(root, file));
    }
  };
  walk(root);
  return found;
}

describe('product version snapshots', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'mbm-snapshot-root-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  // One unlocked synth of the default (codecommit) app for the suite: the snapshot folder it writes is what both the
  // per-provider test and the locked-version test start from (each gets its own copy); synthesized on first use.
  let codecommitRoot: string | undefined;
  afterAll(() => {
    if (codecommitRoot !== undefined) fs.rmSync(codecommitRoot, { recursive: true, force: true });
  });
  /** Copies the snapshot folder an unlocked codecommit synth writes (cdk.json's context) to `destination`. */
  function copyCodecommitSnapshots(destination: string): void {
    if (codecommitRoot === undefined) {
      const synthRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'mbm-snapshot-codecommit-'));
      removeApp(buildApp({ snapshotDirectory: committedSnapshotDirectory('codecommit', synthRoot) }));
      codecommitRoot = synthRoot;
    }
    fs.cpSync(committedSnapshotDirectory('codecommit', codecommitRoot), destination, { recursive: true });
  }

  it('gives a normal synth a copy inside the cloud assembly, and a release the committed folder', () => {
    const committed = committedSnapshotDirectory('codecommit', root);
    fs.mkdirSync(committed, { recursive: true });
    fs.writeFileSync(path.join(committed, 'x.v1.product.template.json'), '{}');
    const outdir = path.join(root, 'cdk.out');

    const working = snapshotDirectoryForSynth({ provider: 'codecommit', release: false, outdir, root });
    expect(working).toBe(path.join(outdir, 'product-stack-snapshots', 'codecommit'));
    expect(fs.readdirSync(working)).toEqual(['x.v1.product.template.json']);
    expect(snapshotDirectoryForSynth({ provider: 'codecommit', release: true, outdir, root })).toBe(committed);
  });

  it('keeps one folder per provider, so an external-ci synth never overwrites the codecommit snapshot', () => {
    // The codecommit synth's folder first (cdk.json's sourceProvider is codecommit), then the external-ci synth.
    expect(cdkJsonContext().sourceProvider).toBe('codecommit');
    copyCodecommitSnapshots(committedSnapshotDirectory('codecommit', root));
    const codecommitBefore = treeDigest(committedSnapshotDirectory('codecommit', root));
    removeApp(
      buildApp({
        context: { sourceProvider: 'external-ci' },
        snapshotDirectory: committedSnapshotDirectory('external-ci', root),
      }),
    );
    const codecommit = treeDigest(committedSnapshotDirectory('codecommit', root));
    const externalCi = treeDigest(committedSnapshotDirectory('external-ci', root));
    expect(codecommit).toEqual(codecommitBefore);
    expect(Object.keys(codecommit)).toEqual(Object.keys(externalCi));
    expect(Object.values(codecommit)).not.toEqual(Object.values(externalCi));
  });

  it('refuses a locked version whose snapshot differs from the synthesized template, and accepts an equal one', () => {
    const snapshots = fs.mkdtempSync(path.join(os.tmpdir(), 'mbm-locked-'));
    try {
      // An unlocked synth writes the current version's template: the snapshot a release would commit.
      copyCodecommitSnapshots(snapshots);
      const [name, ...others] = fs
        .readdirSync(snapshots)
        .filter((file) => file.includes(`.${platformVersion()}.product.template.json`));
      expect(others).toEqual([]);
      const file = path.join(snapshots, name as string);
      removeApp(buildApp({ snapshotDirectory: snapshots, context: { productVersionLocked: true } }));

      const released = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
      fs.writeFileSync(file, JSON.stringify({ ...released, Description: 'what an earlier build released' }));
      expect(() => buildApp({ snapshotDirectory: snapshots, context: { productVersionLocked: true } })).toThrow(
        /Template has changed/,
      );
    } finally {
      fs.rmSync(snapshots, { recursive: true, force: true });
    }
  });

  it('writes only inside the cloud assembly on `cdk synth`, and a locked released version matches its snapshot', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mbm-synth-'));
    const before = treeDigest(SNAPSHOT_ROOT);
    const started = Date.now() - 1000;
    try {
      // The project's CDK CLI, as `npx cdk` runs it (without npx's own Node start).
      const result = spawnSync(
        path.join(PROJECT_ROOT, 'node_modules', '.bin', 'cdk'),
        [
          'synth',
          '--quiet',
          '--no-notices',
          '-o',
          outdir,
          '-c',
          'account=111111111111',
          '-c',
          'region=us-east-1',
          '-c',
          'productVersionLocked=true',
        ],
        { cwd: PROJECT_ROOT, encoding: 'utf8', env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' } },
      );
      expect(`${result.stdout}${result.stderr}`).not.toContain('Template has changed');
      expect(result.status).toBe(0);
      expect(treeDigest(SNAPSHOT_ROOT)).toEqual(before);
      // Nothing of the synth outside the cloud assembly (the seed code and the branch template are written there).
      const written = modifiedSince(PROJECT_ROOT, started).filter((file) => !file.startsWith('test/'));
      expect(written).toEqual([]);
      const current = fs
        .readdirSync(path.join(outdir, 'product-stack-snapshots', 'codecommit'))
        .filter((name) => name.includes(`.${platformVersion()}.product.template.json`));
      expect(current).toHaveLength(1);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
