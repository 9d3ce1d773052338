import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { awsEvent } from '../support/fixtures';
import { parseOrThrow, pullRequestStateChangeSchema, repositoryStateChangeSchema } from '../../contracts/events';
import { AwsEvent, GitRepository, git } from './support/git-events';

const SHA = /^[0-9a-f]{40}$/;

/** Every key of `event` (nested, dotted) must be a key of the published sample: the adapter never invents fields. */
function expectOnlySampleKeys(event: AwsEvent, sampleFile: string): void {
  const keys = (value: unknown, prefix = ''): string[] =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? Object.entries(value).flatMap(([k, v]) => [`${prefix}${k}`, ...keys(v, `${prefix}${k}.`)])
      : [];
  const allowed = new Set(keys(awsEvent(sampleFile)));
  expect(keys(event).filter((k) => !allowed.has(k))).toEqual([]);
}

describe('git → CodeCommit events adapter', () => {
  let repo: GitRepository;
  beforeEach(() => {
    repo = new GitRepository({ repositoryName: 'model-demo-train', account: '111111111111', region: 'us-east-1' });
  });
  afterEach(() => repo.dispose());

  it('emits referenceCreated, then referenceUpdated without merge fields, for pushes of a new branch', () => {
    const ds = repo.clone('alice');
    ds.newBranch('experiment/a');
    const first = ds.commit({ 'a.txt': '1' }, 'first');
    const created = ds.push('experiment/a');
    expect(created).toHaveLength(1);
    const [event] = created;
    expectOnlySampleKeys(event!, 'codecommit-referenceCreated.json');
    const parsed = parseOrThrow(repositoryStateChangeSchema, event, 'event');
    expect(parsed.detail).toEqual(
      expect.objectContaining({
        event: 'referenceCreated',
        repositoryName: 'model-demo-train',
        referenceType: 'branch',
        referenceName: 'experiment/a',
        referenceFullName: 'refs/heads/experiment/a',
        commitId: first,
      }),
    );
    expect(parsed.resources).toEqual(['arn:aws:codecommit:us-east-1:111111111111:model-demo-train']);

    const second = ds.commit({ 'a.txt': '2' }, 'second');
    const [updated, ...rest] = ds.push('experiment/a');
    expect(rest).toEqual([]);
    expectOnlySampleKeys(updated!, 'codecommit-referenceUpdated.json');
    expect(updated!.detail).toEqual({
      event: 'referenceUpdated',
      repositoryName: 'model-demo-train',
      repositoryId: repo.repositoryId,
      referenceType: 'branch',
      referenceName: 'experiment/a',
      referenceFullName: 'refs/heads/experiment/a',
      commitId: second,
      oldCommitId: first,
    });
  });

  it('emits referenceDeleted with only the old commit for a deleted branch, and nothing for a no-op push', () => {
    const ds = repo.clone('bob');
    ds.newBranch('experiment/b');
    const tip = ds.commit({ 'b.txt': 'b' }, 'b');
    ds.push('experiment/b');
    expect(ds.push('experiment/b')).toEqual([]);
    const [deleted, ...rest] = ds.deleteRemoteBranch('experiment/b');
    expect(rest).toEqual([]);
    expectOnlySampleKeys(deleted!, 'codecommit-referenceDeleted.json');
    expect(deleted!.detail).toEqual(expect.objectContaining({ event: 'referenceDeleted', oldCommitId: tip }));
    expect(deleted!.detail).not.toHaveProperty('commitId');
    expect(repo.branches().has('experiment/b')).toBe(false);
  });

  it.each([
    ['FAST_FORWARD_MERGE', 'is the source tip'],
    ['SQUASH_MERGE', 'is a new single-parent commit with the source tree'],
    ['THREE_WAY_MERGE', 'is a two-parent commit'],
  ] as const)('merges a pull request with %s on real git: the new main %s', (mergeOption, _outcome) => {
    const ds = repo.clone('carol');
    ds.newBranch('experiment/c');
    ds.commit({ 'c.txt': 'c1' }, 'c1');
    const tip = ds.commit({ 'c.txt': 'c2' }, 'c2');
    ds.push('experiment/c');
    const oldMain = repo.head('main');
    if (mergeOption === 'THREE_WAY_MERGE') {
      // main moves on meanwhile, so a real merge commit is needed.
      const other = repo.clone('dave');
      other.commit({ 'other.txt': 'x' }, 'other work on main');
      other.push('main');
    }
    const destination = repo.head('main');
    const pr = repo.openPullRequest('experiment/c', 'Deeper trees');
    expectOnlySampleKeys(pr.events[0]!, 'codecommit-pullRequestCreated.json');
    expect(parseOrThrow(pullRequestStateChangeSchema, pr.events[0], 'event').detail).toEqual(
      expect.objectContaining({ event: 'pullRequestCreated', isMerged: 'False', sourceCommit: tip }),
    );

    const { mergeCommit, events } = repo.mergePullRequest(pr, mergeOption);
    expect(repo.head('main')).toBe(mergeCommit);
    const parents = git(repo.bareDir, ['rev-list', '--parents', '-n', '1', mergeCommit]).split(' ').slice(1);
    if (mergeOption === 'FAST_FORWARD_MERGE') expect(mergeCommit).toBe(tip);
    if (mergeOption === 'SQUASH_MERGE') {
      expect(parents).toEqual([oldMain]);
      expect(git(repo.bareDir, ['rev-parse', `${mergeCommit}^{tree}`])).toBe(
        git(repo.bareDir, ['rev-parse', `${tip}^{tree}`]),
      );
    }
    if (mergeOption === 'THREE_WAY_MERGE') expect(parents).toEqual([destination, tip]);

    const [updated, merged] = events;
    expectOnlySampleKeys(updated!, 'codecommit-referenceUpdated.json');
    expect(updated!.detail).toEqual(
      expect.objectContaining({
        event: 'referenceUpdated',
        referenceName: 'main',
        commitId: mergeCommit,
        oldCommitId: destination,
        sourceCommitId: tip,
        destinationCommitId: destination,
        baseCommitId: expect.stringMatching(SHA),
        mergeOption,
      }),
    );
    expectOnlySampleKeys(merged!, 'codecommit-pullRequestMergeStatusUpdated.json');
    expect(parseOrThrow(pullRequestStateChangeSchema, merged, 'event').detail).toEqual(
      expect.objectContaining({
        event: 'pullRequestMergeStatusUpdated',
        isMerged: 'True',
        pullRequestId: pr.pullRequestId,
        sourceReference: 'refs/heads/experiment/c',
        destinationReference: 'refs/heads/main',
        sourceCommit: tip,
        destinationCommit: destination,
        mergeOption,
      }),
    );
    expect(() => repo.mergePullRequest(pr, mergeOption)).toThrow(/is not open/);
  });

  it('exports the tree of a commit, as a build would check it out', () => {
    const ds = repo.clone('erin');
    const commit = ds.commit({ 'src/x.txt': 'x' }, 'x');
    ds.push('main');
    const out = repo.exportCommit(commit, fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-export-')));
    expect(fs.readFileSync(path.join(out, 'src/x.txt'), 'utf8')).toBe('x');
    expect(fs.existsSync(path.join(out, '.git'))).toBe(false);
    fs.rmSync(out, { recursive: true });
  });
});
