import {
  DescribeModelPackageCommand,
  ListModelPackagesCommand,
  ModelPackageStatus,
  SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import {
  approvalDescription,
  approvalMetadata,
  approveModelPackage,
  commitFromDescription,
  commitOfPackage,
  findNewestVersionForCommit,
} from '../../../lambda/release-model/registry';
import { COMMIT_ID_PATTERN } from '../../../lambda/shared/events';
import { createLogger } from '../../../lambda/shared/logger';
import { COMMIT_PATTERN } from '../../../sagemaker-pipeline/src/definition';
import { arnOf, commit, FakeVersion, GROUP, LogLine, mockRegistry, NOW, versions } from './support';

const sagemaker = mockClient(SageMakerClient);
const client = new SageMakerClient({ region: 'us-east-2' });

function logger() {
  const lines: LogLine[] = [];
  return { lines, log: createLogger({}, { write: (l) => lines.push(JSON.parse(l) as LogLine) }) };
}

beforeEach(() => sagemaker.reset());

describe('commitFromDescription', () => {
  const id = commit('x');
  it.each([
    [`commit ${id}`, id],
    [`commit ${id} trained on experiment/a`, id],
    [`commit ${id}\npipeline execution ...`, id],
  ])('reads the commit of %j', (description, expected) => {
    expect(commitFromDescription(description)).toBe(expected);
  });

  it.each([
    [`commit ${id}0`, 'a longer id (no prefix matching)'],
    [`commit ${id}-retrain`, 'an id followed by other characters'],
    [`commit ${id.slice(0, 7)}`, 'an abbreviated id'],
    [`commit ${id.toUpperCase()}`, 'an upper-case id'],
    [`trained from commit ${id}`, 'a description that does not begin with it'],
    [undefined, 'no description'],
  ])('reads nothing from %j (%s)', (description, _why) => {
    expect(commitFromDescription(description)).toBeUndefined();
  });
});

describe('commitOfPackage', () => {
  const id = commit('x');
  it('reads MetadataProperties.CommitId and the commit_id customer metadata when they agree', () => {
    expect(
      commitOfPackage({ MetadataProperties: { CommitId: id }, CustomerMetadataProperties: { commit_id: id } }),
    ).toEqual({
      commitId: id,
    });
  });
  it('names the problem of a version without metadata', () => {
    expect(commitOfPackage({})).toEqual({ problem: expect.stringContaining('has no commit metadata') });
  });
  it('names the problem of conflicting metadata', () => {
    expect(
      commitOfPackage({ MetadataProperties: { CommitId: id }, CustomerMetadataProperties: { commit_id: commit('y') } }),
    ).toEqual({ problem: expect.stringContaining('conflicting commit metadata') });
  });
  it('names the problem of an abbreviated commit id', () => {
    expect(commitOfPackage({ MetadataProperties: { CommitId: id.slice(0, 8) } })).toEqual({
      problem: expect.stringContaining('not 40 lowercase hex digits'),
    });
  });
});

describe('findNewestVersionForCommit', () => {
  it.each([
    [1000, 1000, 2],
    [1000, 901, 2],
    [1000, 900, 3],
    [1000, 500, 7],
    [1000, 1, 11],
    [10, 1, 2],
  ])('among %i versions finds version %i with %i API calls, newest first', async (size, version, calls) => {
    mockRegistry(sagemaker, versions(size));
    const { log } = logger();

    const result = await findNewestVersionForCommit(
      client,
      { modelPackageGroupName: GROUP, commitId: commit(version) },
      log,
    );

    expect(result.modelPackage?.ModelPackageArn).toBe(arnOf(version));
    expect(result.apiCalls).toBe(calls);
    expect(sagemaker.calls()).toHaveLength(calls);
    expect(sagemaker).toHaveReceivedCommandTimes(DescribeModelPackageCommand, 1);
    expect(sagemaker).toHaveReceivedCommandWith(ListModelPackagesCommand, {
      ModelPackageGroupName: GROUP,
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 100,
    });
  });

  it('reads every page and finds nothing for an unknown commit', async () => {
    mockRegistry(sagemaker, versions(1000));
    const { log } = logger();

    const result = await findNewestVersionForCommit(
      client,
      { modelPackageGroupName: GROUP, commitId: commit('nope') },
      log,
    );

    expect(result).toEqual({ apiCalls: 10, versionsScanned: 1000 });
    expect(sagemaker).not.toHaveReceivedCommand(DescribeModelPackageCommand);
  });

  it('skips versions without metadata or description, and matches no other commit, not fatal', async () => {
    const target = commit('target');
    const all: FakeVersion[] = [
      { version: 1, commitId: target },
      // a commit id that shares 39 characters with the target
      { version: 2, commitId: `${target.slice(0, 39)}${target.endsWith('0') ? '1' : '0'}` },
      { version: 3, description: `commit ${target}`, metadata: false },
      { version: 4 },
      { version: 5, description: 'registered by hand' },
      { version: 6, commitId: commit('other'), description: `commit ${target} (copy-pasted)` },
    ];
    mockRegistry(sagemaker, all);
    const { log, lines } = logger();

    const result = await findNewestVersionForCommit(client, { modelPackageGroupName: GROUP, commitId: target }, log);

    expect(result.modelPackage?.ModelPackageArn).toBe(arnOf(1));
    expect(sagemaker.commandCalls(DescribeModelPackageCommand).map((c) => c.args[0].input.ModelPackageName)).toEqual([
      arnOf(6),
      arnOf(3),
      arnOf(1),
    ]);
    const warnings = lines.filter((l) => l.level === 'WARN').map((l) => l.reason);
    expect(warnings).toEqual([
      `its metadata names commit ${commit('other')}`,
      expect.stringContaining('has no commit metadata'),
    ]);
  });

  it('keeps to versions created after a given instant when asked', async () => {
    mockRegistry(sagemaker, [
      { version: 1, commitId: commit('a'), createdAt: new Date('2026-01-01T00:00:00Z') },
      { version: 2, commitId: commit('b'), createdAt: new Date('2026-06-01T00:00:00Z') },
    ]);
    const { log } = logger();

    const result = await findNewestVersionForCommit(
      client,
      { modelPackageGroupName: GROUP, commitId: commit('a'), createdAfter: new Date('2026-03-01T00:00:00Z') },
      log,
    );

    expect(result.modelPackage).toBeUndefined();
    expect(result.versionsScanned).toBe(1);
  });

  it('returns only a Completed version: skips a Failed one, reports the newest one still being created', async () => {
    mockRegistry(sagemaker, [
      { version: 1, commitId: commit('a') },
      { version: 2, commitId: commit('a'), packageStatus: ModelPackageStatus.FAILED },
      { version: 3, commitId: commit('a'), packageStatus: ModelPackageStatus.PENDING },
      { version: 4, commitId: commit('a'), packageStatus: ModelPackageStatus.IN_PROGRESS },
      { version: 5, commitId: commit('a'), packageStatus: ModelPackageStatus.DELETING },
    ]);
    const { lines, log } = logger();

    const result = await findNewestVersionForCommit(
      client,
      { modelPackageGroupName: GROUP, commitId: commit('a') },
      log,
    );

    expect(result.modelPackage?.ModelPackageArn).toBe(arnOf(1));
    expect(result.inProgress?.ModelPackageArn).toBe(arnOf(4));
    expect(lines.filter((l) => l.level === 'WARN').map((l) => l.modelPackageArn)).toEqual([arnOf(5), arnOf(2)]);
  });

  it('finds no version when the commit has only versions still being created', async () => {
    mockRegistry(sagemaker, [{ version: 1, commitId: commit('a'), packageStatus: ModelPackageStatus.IN_PROGRESS }]);
    const { log } = logger();

    const result = await findNewestVersionForCommit(
      client,
      { modelPackageGroupName: GROUP, commitId: commit('a') },
      log,
    );

    expect(result.modelPackage).toBeUndefined();
    expect(result.inProgress?.ModelPackageVersion).toBe(1);
  });
});

describe('the commit id pattern', () => {
  it('is one regex shared by the pipeline definition and the release function', () => {
    expect(COMMIT_PATTERN).toBe(COMMIT_ID_PATTERN);
  });
});

describe('approval', () => {
  const pr = {
    kind: 'pull-request' as const,
    pullRequestId: '42',
    sourceBranch: 'experiment/deeper-trees',
    destinationBranch: 'main',
    mergeOption: 'SQUASH_MERGE',
    mergedBy: 'arn:aws:sts::123456789012:assumed-role/Admin/Mary_Major',
    eventId: 'e-1',
  };

  it('describes a merge with the pull request, branches, merge option and who merged', () => {
    expect(approvalDescription(pr, commit('a'))).toBe(
      `Approved because pull request 42 from experiment/deeper-trees was merged into main (SQUASH_MERGE) by ` +
        `arn:aws:sts::123456789012:assumed-role/Admin/Mary_Major; its last commit ${commit('a')} trained this version.`,
    );
  });

  it('keeps the description within SageMaker 1,024 characters', () => {
    const text = approvalDescription({ ...pr, sourceBranch: 'b'.repeat(2000) }, commit('a'));
    expect(text).toHaveLength(1024);
    expect(text.endsWith('...')).toBe(true);
  });

  it('writes metadata values SageMaker accepts: allowed characters only, at most 256 long', () => {
    const metadata = approvalMetadata({ ...pr, sourceBranch: `feature/#1 ${'x'.repeat(300)}` }, NOW);
    expect(metadata.release_source_branch).toMatch(/^feature\/_1 x+$/);
    expect(metadata.release_source_branch).toHaveLength(256);
    for (const value of Object.values(metadata)) expect(value).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u);
  });

  it('leaves out facts the event did not carry', () => {
    const metadata = approvalMetadata({ ...pr, mergeOption: undefined, mergedBy: undefined }, NOW);
    expect(Object.keys(metadata)).not.toContain('release_merge_option');
    expect(Object.keys(metadata)).not.toContain('release_merged_by');
  });

  it('sends one update for a pending version and none for an approved one', async () => {
    sagemaker.on(UpdateModelPackageCommand).resolves({ ModelPackageArn: arnOf(1) });
    const pending = { $metadata: {}, ModelPackageArn: arnOf(1), ModelApprovalStatus: 'PendingManualApproval' } as const;

    await expect(approveModelPackage(client, pending, pr, { commitId: commit('a'), now: NOW })).resolves.toBe(
      'approved',
    );
    await expect(
      approveModelPackage(client, { ...pending, ModelApprovalStatus: 'Approved' }, pr, {
        commitId: commit('a'),
        now: NOW,
      }),
    ).resolves.toBe('already-approved');
    expect(sagemaker).toHaveReceivedCommandTimes(UpdateModelPackageCommand, 1);
  });
});
