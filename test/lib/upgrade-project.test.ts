/**
 * The upgrade path of an existing project: the platform files of a newer version reach a project's repository as a
 * commit on a review branch, on real git, and the data scientists' files are never touched.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { platformVersion, SEED_VERSION_FILE, stageSeedCode } from '../../lib/seed-code';
import { platformFiles, RETIRED_PLATFORM_PATHS, UpgradeError, upgradeProject } from '../../lib/upgrade-project';

function git(repo: string, ...args: string[]): string {
  const result = spawnSync('git', args, { cwd: repo, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

describe('upgrading an existing project', () => {
  let seed: string;
  let work: string;
  /** The old project, built once; each test gets a copy of the clone (work tree and .git) in its own folder. */
  let template: string | undefined;
  beforeAll(() => {
    seed = stageSeedCode(fs.mkdtempSync(path.join(os.tmpdir(), 'mbm-upgrade-new-')));
  });
  afterAll(() => {
    fs.rmSync(seed, { recursive: true, force: true });
    if (template !== undefined) fs.rmSync(path.dirname(template), { recursive: true, force: true });
  });
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'mbm-upgrade-repo-'));
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  /** A project repository created from an older seed, with the data scientists' own commits on top. */
  function oldProject(): string {
    const repo = path.join(work, 'model-churn-train');
    template ??= createOldProject(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mbm-upgrade-old-')), 'old'));
    fs.cpSync(template, repo, { recursive: true });
    return repo;
  }

  /** Creates the old project's clone at `repo` (copying a clone keeps it a working clone: git stores no paths). */
  function createOldProject(repo: string): string {
    fs.cpSync(seed, repo, { recursive: true });
    fs.writeFileSync(path.join(repo, SEED_VERSION_FILE), 'v0.0.9\n');
    fs.writeFileSync(path.join(repo, 'run.js'), '// the run command of v0.0.9\n');
    fs.rmSync(path.join(repo, 'ci', 'release.sh'));
    git(path.dirname(repo), 'init', '--quiet', '-b', 'main', repo);
    git(repo, 'config', 'user.email', 'ds@example.com');
    git(repo, 'config', 'user.name', 'Data Scientist');
    git(repo, 'add', '-A');
    git(repo, 'commit', '--quiet', '-m', 'Seed code of v0.0.9');
    fs.writeFileSync(path.join(repo, 'scripts', 'train.py'), '# our own model\n');
    fs.writeFileSync(path.join(repo, 'README.md'), '# Our churn model\n');
    git(repo, 'commit', '--quiet', '-am', 'Our model');
    return repo;
  }

  it('commits the changed platform files on platform/upgrade-<version> and leaves main and our files alone', () => {
    const repo = oldProject();
    const mainBefore = git(repo, 'rev-parse', 'main');
    const result = upgradeProject(repo, { seedDir: seed });

    expect(result).toEqual({
      branch: `platform/upgrade-${platformVersion()}`,
      fromVersion: 'v0.0.9',
      toVersion: platformVersion(),
      changed: [SEED_VERSION_FILE, 'ci/release.sh', 'run.js'].sort(),
      removed: [],
    });
    expect(git(repo, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
    expect(git(repo, 'rev-parse', 'main')).toBe(mainBefore);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    const changed = git(repo, 'diff', '--name-only', `main..${result.branch}`).split('\n').sort();
    expect(changed).toEqual([...result.changed]);
    expect(git(repo, 'show', `${result.branch}:run.js`)).toBe(
      fs.readFileSync(path.join(seed, 'run.js'), 'utf8').trim(),
    );
    expect(git(repo, 'show', `${result.branch}:scripts/train.py`)).toBe('# our own model');
    expect(git(repo, 'show', `${result.branch}:README.md`)).toBe('# Our churn model');
    expect(fs.statSync(path.join(seed, 'ci', 'release.sh')).mode & 0o111).toBe(0o111);
    expect(git(repo, 'ls-tree', result.branch ?? '', 'ci/release.sh')).toMatch(/^100755 /);
  });

  it('does nothing when the platform files are already current', () => {
    const repo = oldProject();
    const first = upgradeProject(repo, { seedDir: seed });
    git(repo, 'merge', '--quiet', '--ff-only', first.branch ?? '');
    const branches = git(repo, 'branch', '--list');
    expect(upgradeProject(repo, { seedDir: seed, toVersion: 'v9.9.9' })).toEqual({
      fromVersion: platformVersion(),
      toVersion: 'v9.9.9',
      changed: [],
      removed: [],
    });
    expect(git(repo, 'branch', '--list')).toBe(branches);
  });

  it('removes retired platform paths (the old scripts/extract_vendor/) in the upgrade commit, and only those', () => {
    const repo = oldProject();
    // A project seeded before the vendored driver moved to scripts/vendor/, with a data scientist's file beside it.
    const old = path.join(repo, 'scripts', 'extract_vendor');
    fs.mkdirSync(path.join(old, 'pg8000'), { recursive: true });
    fs.writeFileSync(path.join(old, 'pg8000', '__init__.py'), '# the old vendored driver\n');
    fs.writeFileSync(path.join(old, 'LICENSE'), 'BSD\n');
    fs.writeFileSync(path.join(repo, 'scripts', 'extract_vendor_notes.md'), '# ours, not the platform folder\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '--quiet', '-m', 'Seed code with the old vendor folder');
    expect(RETIRED_PLATFORM_PATHS).toContain('scripts/extract_vendor/');

    const result = upgradeProject(repo, { seedDir: seed });
    expect(result.removed).toEqual(['scripts/extract_vendor/LICENSE', 'scripts/extract_vendor/pg8000/__init__.py']);
    const diff = git(repo, 'diff', '--name-status', `main..${result.branch}`).split('\n').sort();
    expect(diff).toEqual(
      expect.arrayContaining(['D\tscripts/extract_vendor/LICENSE', 'D\tscripts/extract_vendor/pg8000/__init__.py']),
    );
    expect(git(repo, 'ls-tree', '-r', '--name-only', result.branch ?? '', 'scripts/')).not.toMatch(/extract_vendor\//);
    expect(git(repo, 'show', `${result.branch}:scripts/extract_vendor_notes.md`)).toBe(
      '# ours, not the platform folder',
    );
    expect(git(repo, 'log', '-1', '--format=%b', result.branch ?? '')).toContain(
      'Removed (retired platform paths): scripts/extract_vendor/.',
    );
    // Main keeps the old folder until the team merges the upgrade.
    expect(fs.existsSync(path.join(old, 'LICENSE'))).toBe(true);
  });

  it('commits an upgrade that only removes retired paths when every platform file is current', () => {
    const repo = oldProject();
    git(repo, 'merge', '--quiet', '--ff-only', upgradeProject(repo, { seedDir: seed }).branch ?? '');
    fs.mkdirSync(path.join(repo, 'scripts', 'extract_vendor'), { recursive: true });
    fs.writeFileSync(path.join(repo, 'scripts', 'extract_vendor', 'LICENSE'), 'BSD\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '--quiet', '-m', 'the old folder, restored by a merge');
    const result = upgradeProject(repo, { seedDir: seed, toVersion: 'v9.9.9' });
    expect(result).toMatchObject({ branch: 'platform/upgrade-v9.9.9', changed: [] });
    expect(result.removed).toEqual(['scripts/extract_vendor/LICENSE']);
  });

  it('refuses a clone with uncommitted changes, saying what to do, and changes nothing', () => {
    const repo = oldProject();
    fs.writeFileSync(path.join(repo, 'scripts', 'train.py'), '# work in progress\n');
    expect(() => upgradeProject(repo, { seedDir: seed })).toThrow(
      new UpgradeError(`${repo} has uncommitted changes: commit or stash them, then run the upgrade again`),
    );
    expect(git(repo, 'branch', '--list').split('\n')).toHaveLength(1);
  });

  it('refuses when the upgrade branch exists, and a folder that is not a clone', () => {
    const repo = oldProject();
    upgradeProject(repo, { seedDir: seed });
    expect(() => upgradeProject(repo, { seedDir: seed })).toThrow(/branch platform\/upgrade-v.* exists/);
    expect(() => upgradeProject(work, { seedDir: seed })).toThrow(/is not the root of a git clone/);
  });

  it('owns only platform files of the staged seed: never the pipeline file, the ML scripts or the README', () => {
    const owned = platformFiles(seed);
    expect(owned).toEqual(expect.arrayContaining(['run.js', 'buildspec.yml', SEED_VERSION_FILE]));
    const dataScientists = /^(README\.md|scripts\/|queries\/|examples\/|pipeline\.(yaml|config\.json)$)/;
    // The platform's own scripts (the SQL extract with its vendored driver, the serving code) are the exception.
    const platformScripts = /^scripts\/(extract\.py|vendor\/|inference\.py)/;
    expect(owned.filter((file) => dataScientists.test(file) && !platformScripts.test(file))).toEqual([]);
    expect(owned).toEqual(expect.arrayContaining(['scripts/extract.py', 'scripts/inference.py']));
  });
});
