/**
 * Real git standing in for the project's CodeCommit repository, and an adapter that turns what git did into the
 * events CodeCommit publishes to EventBridge.
 *
 * A bare repository in a temporary directory plays the repository; work clones play the data scientists' machines.
 * After each operation the adapter compares the bare repository's branch refs before and after and emits, for each
 * change, the event CodeCommit documents ("Monitoring CodeCommit events in Amazon EventBridge"), built from the
 * published sample in `shared/fixtures/aws-events` with its fields filled in and nothing added:
 * - a pushed new branch → `referenceCreated` (`commitId`);
 * - a push to an existing branch → `referenceUpdated` (`commitId`, `oldCommitId`; the published sample is an update
 *   by a merge, so a plain push drops the merge fields it carries);
 * - a deleted branch → `referenceDeleted` (only `oldCommitId`);
 * - a pull request → `pullRequestCreated`; merging it (fast-forward, squash or merge commit, done with real git and
 *   pushed) → `referenceUpdated` on the destination with the merge fields of the sample (`mergeOption`,
 *   `baseCommitId`, `sourceCommitId`, `destinationCommitId`) and `pullRequestMergeStatusUpdated` (`isMerged` "True",
 *   the source and destination commits, the merge option).
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TEST_CACHE_DIR_VARIABLE } from '../../support/esbuild-cache';
import { awsEvent } from '../../support/fixtures';

/** An EventBridge event as CodeCommit publishes it (a fresh object, safe to change). */
export interface AwsEvent {
  version: string;
  id: string;
  'detail-type': string;
  source: string | string[];
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export type MergeOption = 'FAST_FORWARD_MERGE' | 'SQUASH_MERGE' | 'THREE_WAY_MERGE';

export interface GitRepositoryOptions {
  /** The CodeCommit repository name the events carry (the promised `model-<project>-train`). */
  readonly repositoryName: string;
  readonly account: string;
  readonly region: string;
  /** @default 'main' */
  readonly mainBranch?: string;
  /** Files of the first commit on the main branch (the seed code). @default - a README only */
  readonly seedDir?: string;
}

const MERGE_FIELDS = [
  'baseCommitId',
  'sourceCommitId',
  'destinationCommitId',
  'mergeOption',
  'conflictDetailsLevel',
  'conflictResolutionStrategy',
] as const;

/** Runs git with a fixed identity and no user or system configuration; returns trimmed stdout. */
export function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: cwd,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'Data Scientist',
      GIT_AUTHOR_EMAIL: 'ds@example.com',
      GIT_COMMITTER_NAME: 'Data Scientist',
      GIT_COMMITTER_EMAIL: 'ds@example.com',
    },
  }).trim();
}

/**
 * A bare repository holding only the README seed commit on `mainBranch`, made once per jest run in the run's cache
 * directory (test/support/global-setup.ts) and copied by each {@link GitRepository} that has no seed code (a bare
 * repository stores no paths, so a copy is a repository of its own). Outside a jest run: undefined (each repository
 * makes its own). Copies share the seed commit's id; nothing compares commits across repositories.
 */
function readmeOnlyTemplate(mainBranch: string): string | undefined {
  const cacheRoot = process.env[TEST_CACHE_DIR_VARIABLE];
  if (cacheRoot === undefined) return undefined;
  const template = path.join(cacheRoot, 'git-readme-seed', `${Buffer.from(mainBranch).toString('hex')}.git`);
  if (fs.existsSync(template)) return template;
  // Made beside, then renamed: another worker sees the whole repository or none.
  const staging = fs.mkdtempSync(path.join(cacheRoot, 'staging-git-'));
  GitRepository.createSeeded(staging, path.join(staging, 'bare.git'), mainBranch);
  fs.mkdirSync(path.dirname(template), { recursive: true });
  try {
    fs.renameSync(path.join(staging, 'bare.git'), template);
  } catch {
    // the other worker was first: its repository is as good
  }
  fs.rmSync(staging, { recursive: true, force: true });
  return template;
}

/** The time format of the published samples: ISO 8601 to the second, UTC. */
export function eventTime(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The bare repository that plays the project's CodeCommit repository, plus the event adapter. */
export class GitRepository {
  readonly root: string;
  readonly bareDir: string;
  readonly repositoryName: string;
  readonly repositoryId: string;
  readonly mainBranch: string;
  private readonly account: string;
  private readonly region: string;
  private nextPullRequestId = 1;
  private readonly openPullRequests = new Map<string, { source: string; destination: string; title: string }>();
  /** Every pull request as CodeCommit keeps it (what GetPullRequest answers from), open or closed. */
  readonly pullRequestRecords = new Map<string, PullRequestRecord>();

  constructor(options: GitRepositoryOptions) {
    this.repositoryName = options.repositoryName;
    this.account = options.account;
    this.region = options.region;
    this.mainBranch = options.mainBranch ?? 'main';
    this.repositoryId = randomUUID();
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-git-'));
    this.bareDir = path.join(this.root, `${this.repositoryName}.git`);
    const template = options.seedDir === undefined ? readmeOnlyTemplate(this.mainBranch) : undefined;
    if (template !== undefined) {
      fs.cpSync(template, this.bareDir, { recursive: true });
      return;
    }
    GitRepository.createSeeded(this.root, this.bareDir, this.mainBranch, options.seedDir);
  }

  /**
   * Creates the bare repository `bareDir` with the project's first commit on `mainBranch`: what the repository is
   * created with (CodeCommit's initial code), the files of `seedDir` or a README only. `root` holds the seed clone.
   */
  static createSeeded(root: string, bareDir: string, mainBranch: string, seedDir?: string): void {
    git(root, ['init', '--quiet', '--bare', `--initial-branch=${mainBranch}`, bareDir]);
    const seed = path.join(root, 'clones', 'seed');
    fs.mkdirSync(path.dirname(seed), { recursive: true });
    git(root, ['clone', '--quiet', bareDir, seed]);
    if (seedDir) fs.cpSync(seedDir, seed, { recursive: true });
    else fs.writeFileSync(path.join(seed, 'README.md'), '# model\n');
    git(seed, ['add', '--all']);
    git(seed, ['commit', '--quiet', '-m', 'Initial commit: seed code']);
    git(seed, ['push', '--quiet', 'origin', `HEAD:refs/heads/${mainBranch}`]);
  }

  get repositoryArn(): string {
    return `arn:aws:codecommit:${this.region}:${this.account}:${this.repositoryName}`;
  }

  /** A work clone (a data scientist's machine) on the main branch. */
  clone(name: string): WorkClone {
    const dir = path.join(this.root, 'clones', name);
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    git(this.root, ['clone', '--quiet', this.bareDir, dir]);
    return new WorkClone(this, dir);
  }

  /** Branch name → commit id, read from the bare repository. */
  branches(): Map<string, string> {
    const out = git(this.bareDir, ['for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/']);
    const result = new Map<string, string>();
    for (const line of out.split('\n').filter(Boolean)) {
      const [ref, sha] = line.split(' ');
      if (ref && sha) result.set(ref.slice('refs/heads/'.length), sha);
    }
    return result;
  }

  /** The commit a branch points to in the bare repository; throws if the branch does not exist. */
  head(branch: string): string {
    const sha = this.branches().get(branch);
    if (!sha) throw new Error(`branch ${branch} does not exist in ${this.bareDir}`);
    return sha;
  }

  /**
   * Runs `change` (something that changes the bare repository's branches) and returns the CodeCommit repository
   * events for what changed, in branch-name order.
   */
  observe(change: () => void): AwsEvent[] {
    const before = this.branches();
    change();
    const after = this.branches();
    const names = [...new Set([...before.keys(), ...after.keys()])].sort();
    const events: AwsEvent[] = [];
    for (const name of names) {
      const old = before.get(name);
      const now = after.get(name);
      if (old === now) continue;
      if (old === undefined && now !== undefined)
        events.push(this.referenceEvent('referenceCreated', name, { commitId: now }));
      else if (old !== undefined && now === undefined)
        events.push(this.referenceEvent('referenceDeleted', name, { oldCommitId: old }));
      else if (old !== undefined && now !== undefined)
        events.push(this.referenceEvent('referenceUpdated', name, { commitId: now, oldCommitId: old }));
    }
    return events;
  }

  /** Opens a pull request from `source` into `destination` (the main branch by default). */
  openPullRequest(source: string, title: string, destination: string = this.mainBranch): PullRequest {
    const pullRequestId = String(this.nextPullRequestId++);
    this.openPullRequests.set(pullRequestId, { source, destination, title });
    const event = this.pullRequestEvent('codecommit-pullRequestCreated.json', pullRequestId, {
      sourceCommit: this.head(source),
      destinationCommit: this.head(destination),
    });
    this.pullRequestRecords.set(pullRequestId, {
      pullRequestId,
      title,
      authorArn: `arn:aws:iam::${this.account}:user/author-of-${pullRequestId}`,
      creationDate: Date.now() / 1000,
      source,
      destination,
      sourceCommit: this.head(source),
      destinationCommit: this.head(destination),
      status: 'OPEN',
      revisionId: randomUUID().replace(/-/g, ''),
      approvals: new Set(),
    });
    return { pullRequestId, source, destination, events: [event] };
  }

  /** A reviewer approves the pull request's current revision (CodeCommit's UpdatePullRequestApprovalState). */
  approvePullRequest(pullRequest: PullRequest, reviewerArn: string): void {
    const record = this.pullRequestRecords.get(pullRequest.pullRequestId);
    if (!record) throw new Error(`pull request ${pullRequest.pullRequestId} does not exist`);
    record.approvals.add(reviewerArn);
  }

  /**
   * Merges an open pull request the way CodeCommit's MergePullRequestBy* APIs do, with real git in a scratch clone
   * pushed to the bare repository, and returns the events: the destination's `referenceUpdated` (with the merge
   * fields) and the pull request's `pullRequestMergeStatusUpdated`.
   */
  mergePullRequest(pullRequest: PullRequest, mergeOption: MergeOption): { mergeCommit: string; events: AwsEvent[] } {
    const open = this.openPullRequests.get(pullRequest.pullRequestId);
    if (!open) throw new Error(`pull request ${pullRequest.pullRequestId} is not open`);
    const sourceCommit = this.head(open.source);
    const destinationCommit = this.head(open.destination);
    const work = this.clone(`merge-${pullRequest.pullRequestId}-${randomUUID().slice(0, 8)}`);
    git(work.dir, ['checkout', '--quiet', '-B', open.destination, `origin/${open.destination}`]);
    const baseCommitId = git(work.dir, ['merge-base', destinationCommit, sourceCommit]);
    const message = `Merge pull request #${pullRequest.pullRequestId}: ${open.title}`;
    if (mergeOption === 'FAST_FORWARD_MERGE') {
      git(work.dir, ['merge', '--quiet', '--ff-only', sourceCommit]);
    } else if (mergeOption === 'SQUASH_MERGE') {
      git(work.dir, ['merge', '--quiet', '--squash', sourceCommit]);
      git(work.dir, ['commit', '--quiet', '-m', message]);
    } else {
      git(work.dir, ['merge', '--quiet', '--no-ff', '-m', message, sourceCommit]);
    }
    const mergeCommit = git(work.dir, ['rev-parse', 'HEAD']);
    const referenceEvents = this.observe(() =>
      git(work.dir, ['push', '--quiet', 'origin', `HEAD:refs/heads/${open.destination}`]),
    );
    const updated = referenceEvents.find((e) => e.detail.referenceName === open.destination);
    if (!updated || referenceEvents.length !== 1) {
      throw new Error(`merging pull request ${pullRequest.pullRequestId} changed ${referenceEvents.length} refs`);
    }
    // A merge through CodeCommit carries the merge fields of the published referenceUpdated sample.
    const sample = awsEvent<AwsEvent>('codecommit-referenceUpdated.json').detail;
    Object.assign(updated.detail, {
      baseCommitId,
      sourceCommitId: sourceCommit,
      destinationCommitId: destinationCommit,
      mergeOption,
      conflictDetailsLevel: sample.conflictDetailsLevel,
      conflictResolutionStrategy: sample.conflictResolutionStrategy,
    });
    const merged = this.pullRequestEvent('codecommit-pullRequestMergeStatusUpdated.json', pullRequest.pullRequestId, {
      sourceCommit,
      destinationCommit,
      mergeOption,
    });
    const record = this.pullRequestRecords.get(pullRequest.pullRequestId);
    if (record) {
      record.status = 'CLOSED';
      record.sourceCommit = sourceCommit;
      record.destinationCommit = destinationCommit;
      record.mergeMetadata = {
        isMerged: true,
        mergedBy: String(merged.detail.callerUserArn),
        mergeCommitId: mergeCommit,
        mergeOption,
      };
    }
    this.openPullRequests.delete(pullRequest.pullRequestId);
    return { mergeCommit, events: [updated, merged] };
  }

  /** Writes the tree of `commit` into `dir` (what CodeBuild's source download gives a build), returns `dir`. */
  exportCommit(commit: string, dir: string): string {
    fs.mkdirSync(dir, { recursive: true });
    const archive = path.join(this.root, `${commit}.tar`);
    git(this.bareDir, ['archive', '--format=tar', `--output=${archive}`, commit]);
    execFileSync('tar', ['-xf', archive, '-C', dir]);
    fs.rmSync(archive);
    return dir;
  }

  /** Removes the temporary directory with every clone. */
  dispose(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }

  private envelope(event: AwsEvent): AwsEvent {
    event.id = randomUUID();
    event.time = eventTime();
    event.account = this.account;
    event.region = this.region;
    event.resources = [this.repositoryArn];
    return event;
  }

  private referenceEvent(
    kind: 'referenceCreated' | 'referenceUpdated' | 'referenceDeleted',
    branch: string,
    commits: { commitId?: string; oldCommitId?: string },
  ): AwsEvent {
    const event = this.envelope(awsEvent<AwsEvent>(`codecommit-${kind}.json`));
    const detail = event.detail;
    if (kind === 'referenceUpdated') for (const field of MERGE_FIELDS) delete detail[field];
    Object.assign(detail, {
      repositoryName: this.repositoryName,
      repositoryId: this.repositoryId,
      referenceType: 'branch',
      referenceName: branch,
      referenceFullName: `refs/heads/${branch}`,
      ...commits,
    });
    return event;
  }

  private pullRequestEvent(file: string, pullRequestId: string, fields: Record<string, string>): AwsEvent {
    const open = this.openPullRequests.get(pullRequestId);
    if (!open) throw new Error(`pull request ${pullRequestId} is not open`);
    const event = this.envelope(awsEvent<AwsEvent>(file));
    const detail = event.detail;
    const consoleUrl = `https://${this.region}.console.aws.amazon.com/codesuite/codecommit/repositories/${this.repositoryName}/pull-requests/${pullRequestId}`;
    Object.assign(detail, {
      pullRequestId,
      title: open.title,
      repositoryNames: [this.repositoryName],
      sourceReference: `refs/heads/${open.source}`,
      destinationReference: `refs/heads/${open.destination}`,
      notificationBody: `A pull request event occurred in the following AWS CodeCommit repository: ${this.repositoryName}. For more information, go to the AWS CodeCommit console ${consoleUrl}`,
      ...fields,
    });
    return event;
  }
}

/** A pull request as CodeCommit stores it (the fields GetPullRequest returns), plus the approvals given. */
export interface PullRequestRecord {
  readonly pullRequestId: string;
  readonly title: string;
  readonly authorArn: string;
  readonly creationDate: number;
  readonly source: string;
  readonly destination: string;
  sourceCommit: string;
  destinationCommit: string;
  status: 'OPEN' | 'CLOSED';
  readonly revisionId: string;
  readonly approvals: Set<string>;
  mergeMetadata?: { isMerged: boolean; mergedBy: string; mergeCommitId: string; mergeOption: string };
}

export interface PullRequest {
  readonly pullRequestId: string;
  readonly source: string;
  readonly destination: string;
  /** `pullRequestCreated`. */
  readonly events: AwsEvent[];
}

/** A data scientist's clone of the repository. */
export class WorkClone {
  constructor(
    private readonly repository: GitRepository,
    readonly dir: string,
  ) {}

  /** Creates and checks out a new local branch from the current commit. */
  newBranch(branch: string): void {
    git(this.dir, ['checkout', '--quiet', '-b', branch]);
  }

  /** Writes files (path relative to the clone → content) and commits them; returns the commit id. */
  commit(files: Record<string, string>, message: string): string {
    for (const [file, content] of Object.entries(files)) {
      const full = path.join(this.dir, file);
      fs.mkdirSync(path.dirname(full), { recursive: true });
      fs.writeFileSync(full, content);
    }
    git(this.dir, ['add', '--all']);
    git(this.dir, ['commit', '--quiet', '-m', message]);
    return git(this.dir, ['rev-parse', 'HEAD']);
  }

  /** `git push origin <branch>`; returns the events CodeCommit publishes for it. */
  push(branch: string): AwsEvent[] {
    return this.repository.observe(() =>
      git(this.dir, ['push', '--quiet', 'origin', `${branch}:refs/heads/${branch}`]),
    );
  }

  /** `git push origin --delete <branch>`; returns the events CodeCommit publishes for it. */
  deleteRemoteBranch(branch: string): AwsEvent[] {
    return this.repository.observe(() => git(this.dir, ['push', '--quiet', 'origin', '--delete', branch]));
  }

  /** Reads a file of the current checkout. */
  read(file: string): string {
    return fs.readFileSync(path.join(this.dir, file), 'utf8');
  }
}
