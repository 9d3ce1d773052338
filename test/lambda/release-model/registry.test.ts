import { ListModelPackagesCommand, SageMakerClient, UpdateModelPackageCommand } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import {
  approvalDescription,
  approvalMetadata,
  approveModelPackage,
  commitFromDescription,
  commitOfPackage,
  fallbackCandidates,
  FALLBACK_MAX_VERSIONS,
} from '../../../lambda/release-model/registry';
import { IndexEntry } from '../../../lambda/release-model/commit-index';
import { chooseVersions } from '../../../lambda/release-model/choose';
import { COMMIT_ID_PATTERN } from '../../../contracts/patterns';
import { COMMIT_PATTERN } from '../../../sagemaker-pipeline/src/definition';
import { arnOf, commit, GROUP, mockRegistry, NOW, versions } from './support';

const sagemaker = mockClient(SageMakerClient);
const client = new SageMakerClient({ region: 'us-east-2' });

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

describe('fallbackCandidates (versions older than the commit index)', () => {
  it('reads ONE page of the 100 newest versions and returns the ARNs whose description names the commit', async () => {
    mockRegistry(sagemaker, [...versions(150), { version: 151, commitId: commit(140) }]);

    const found = await fallbackCandidates(client, GROUP, commit(140));

    expect(found).toEqual([arnOf(151), arnOf(140)]);
    expect(sagemaker.commandCalls(ListModelPackagesCommand)).toHaveLength(1);
    expect(sagemaker.commandCalls(ListModelPackagesCommand)[0]?.args[0].input).toMatchObject({
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: FALLBACK_MAX_VERSIONS,
    });
  });

  it('does not find a version beyond the bound: no second page is ever read', async () => {
    mockRegistry(sagemaker, versions(250));

    expect(await fallbackCandidates(client, GROUP, commit(100))).toEqual([]);
    expect(sagemaker.commandCalls(ListModelPackagesCommand)).toHaveLength(1);
  });
});

describe('chooseVersions', () => {
  const entry = (version: number, pipeline: string, extra: Partial<IndexEntry> = {}): IndexEntry => ({
    commitId: commit('c'),
    modelPackageArn: arnOf(version),
    modelPackageGroupName: GROUP,
    modelPackageVersion: version,
    pipelineName: pipeline,
    pipelineExecutionArn: `arn:exec/${version}`,
    registeredApprovalStatus: 'PendingManualApproval',
    indexedAt: NOW.toISOString(),
    ...extra,
  });

  it("keeps the source pipeline's versions and sets the others apart as claims, comparing case-insensitively", () => {
    const choice = chooseVersions(
      [entry(1, 'demo-experiment--a'), entry(2, 'demo-experiment--evil')],
      'Demo-experiment--a',
    );
    expect(choice.chosen.map((e) => e.modelPackageVersion)).toEqual([1]);
    expect(choice.claims.map((e) => e.modelPackageVersion)).toEqual([2]);
    expect(choice.refusal).toBeUndefined();
  });

  it('refuses versions of several pipelines when no source branch is named', () => {
    expect(chooseVersions([entry(1, 'p-a'), entry(2, 'p-b')], undefined).refusal).toContain('2 pipelines');
  });

  it('refuses when a genuine version was registered Approved', () => {
    expect(chooseVersions([entry(1, 'p-a', { registeredApprovalStatus: 'Approved' })], 'p-a').refusal).toContain(
      'registered Approved',
    );
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
