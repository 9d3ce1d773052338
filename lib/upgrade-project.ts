/**
 * The upgrade path of an existing project's repository (docs/deploying.md, "Upgrading existing projects").
 *
 * A project's repository receives the seed code once, when the project is created; updating the provisioned product
 * to a newer version updates the project's stack (functions, roles, build) but never the repository. The files the
 * platform owns (the bundled run command, the buildspec, the CI scripts, the pipeline file's schema) are brought up
 * to date by this command, as a commit on a branch of their own that the team reviews and merges like any change.
 * The data scientists' files (pipeline file, ML scripts, queries, README) are never touched.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { platformVersion, SEED_VERSION_FILE, stageSeedCode } from './seed-code';

/**
 * Paths of the seed repository that the platform owns: files, or folders ending in `/`. Everything else in the
 * repository belongs to the project's data scientists.
 */
export const PLATFORM_OWNED_PATHS: readonly string[] = [
  SEED_VERSION_FILE,
  'run.js',
  'report.js',
  'local_runner.py',
  'scripts/extract.py',
  'scripts/vendor/',
  'scripts/inference.py',
  'buildspec.yml',
  'ci/',
  'Jenkinsfile',
  '.github/workflows/mlops.yml',
  'pipeline.schema.json',
];

/**
 * Platform paths of earlier versions that the platform no longer ships (files, or folders ending in `/`): the upgrade
 * commit removes them. `scripts/extract_vendor/` became `scripts/vendor/` in v0.2.0.
 */
export const RETIRED_PLATFORM_PATHS: readonly string[] = ['scripts/extract_vendor/'];

/** A refusal the user can act on: the message says what is wrong and what to do. Nothing was changed. */
export class UpgradeError extends Error {
  override readonly name = 'UpgradeError';
}

function git(repo: string, args: string[]): string {
  const result = spawnSync('git', args, { cwd: repo, encoding: 'utf8' });
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0) {
    throw new Error(`git ${args.join(' ')} failed in ${repo}: ${result.stderr.trim() || result.stdout.trim()}`);
  }
  return result.stdout;
}

function filesUnder(dir: string, base = dir): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? filesUnder(path.join(dir, entry.name), base)
        : [path.relative(base, path.join(dir, entry.name))],
    );
}

/** The platform-owned files of a staged seed, as paths relative to it. */
export function platformFiles(seedDir: string): string[] {
  return filesUnder(seedDir)
    .filter((file) =>
      PLATFORM_OWNED_PATHS.some((owned) => (owned.endsWith('/') ? file.startsWith(owned) : file === owned)),
    )
    .sort();
}

export interface UpgradeResult {
  /** The branch the commit is on, or undefined when the repository was already up to date. */
  readonly branch?: string;
  readonly fromVersion: string;
  readonly toVersion: string;
  /** Platform files the commit adds or changes. */
  readonly changed: readonly string[];
  /** Files under retired platform paths (RETIRED_PLATFORM_PATHS) that the commit removes. */
  readonly removed: readonly string[];
}

export interface UpgradeOptions {
  /** The staged seed code of the new version. @default - staged from this checkout */
  readonly seedDir?: string;
  /** The version named in the branch and the commit message. @default - platformVersion() */
  readonly toVersion?: string;
}

/**
 * Commits the platform files of the new version to `repo` (a clone of a project's repository), on a new branch
 * `platform/upgrade-<version>` started from the current HEAD, and switches back to where HEAD was. Refuses, changing
 * nothing, when the clone has uncommitted changes, is in the middle of an operation, or the branch exists.
 */
export function upgradeProject(repo: string, options: UpgradeOptions = {}): UpgradeResult {
  if (!fs.existsSync(path.join(repo, '.git'))) {
    throw new UpgradeError(`${repo} is not the root of a git clone: clone model-<project>-train and name its folder`);
  }
  if (git(repo, ['status', '--porcelain']).trim() !== '') {
    throw new UpgradeError(`${repo} has uncommitted changes: commit or stash them, then run the upgrade again`);
  }
  const toVersion = options.toVersion ?? platformVersion();
  const versionFile = path.join(repo, SEED_VERSION_FILE);
  const fromVersion = fs.existsSync(versionFile)
    ? fs.readFileSync(versionFile, 'utf8').trim()
    : 'unknown (created before v0.2.0)';
  const branch = `platform/upgrade-${toVersion}`;
  if (git(repo, ['branch', '--list', branch]).trim() !== '') {
    throw new UpgradeError(`branch ${branch} exists in ${repo}: merge or delete it, then run the upgrade again`);
  }

  const staged = options.seedDir ?? stageSeedCode(fs.mkdtempSync(path.join(os.tmpdir(), 'mbm-upgrade-seed-')));
  try {
    const head = git(repo, ['rev-parse', '--abbrev-ref', 'HEAD']).trim();
    const files = platformFiles(staged);
    const changed = files.filter((file) => {
      const target = path.join(repo, file);
      return !fs.existsSync(target) || !fs.readFileSync(target).equals(fs.readFileSync(path.join(staged, file)));
    });
    const removed = git(repo, ['ls-files', '-z', '--', ...RETIRED_PLATFORM_PATHS])
      .split('\0')
      .filter((file) => file !== '')
      .sort();
    if (changed.length === 0 && removed.length === 0) return { fromVersion, toVersion, changed, removed };

    git(repo, ['switch', '--quiet', '-c', branch]);
    for (const file of changed) {
      const target = path.join(repo, file);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(path.join(staged, file), target);
      fs.chmodSync(target, fs.statSync(path.join(staged, file)).mode);
    }
    if (changed.length > 0) git(repo, ['add', '--', ...changed]);
    if (removed.length > 0) git(repo, ['rm', '--quiet', '--', ...removed]);
    git(repo, [
      'commit',
      '--quiet',
      '-m',
      `Upgrade the platform files to multibranch-mlops ${toVersion}`,
      '-m',
      [
        `From ${fromVersion}.`,
        changed.length > 0 ? `Changed: ${changed.join(', ')}.` : '',
        removed.length > 0 ? `Removed (retired platform paths): ${RETIRED_PLATFORM_PATHS.join(', ')}.` : '',
        'The pipeline file, ML scripts and README are untouched.',
      ]
        .filter((part) => part !== '')
        .join(' '),
    ]);
    git(repo, ['switch', '--quiet', head]);
    return { branch, fromVersion, toVersion, changed, removed };
  } finally {
    if (options.seedDir === undefined) fs.rmSync(staged, { recursive: true, force: true });
  }
}
