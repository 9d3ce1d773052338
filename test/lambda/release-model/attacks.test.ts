/**
 * Issue 10, the release function's side: one test per attack, as the attacker would try it, against the handler's
 * routing with SageMaker, CodeCommit, DynamoDB and S3 played by aws-sdk-client-mock (support.ts answers as the
 * services document). Each of these approved something on the old main; each must refuse now.
 *
 * What these cannot prove: IAM (who may call what) and EventBridge delivery; the CDK tests and the moto integration
 * tests cover those parts.
 */
import { ListModelPackagesCommand, ModelApprovalStatus, UpdateModelPackageCommand } from '@aws-sdk/client-sagemaker';
import { createHash } from 'node:crypto';
import { handleReleaseEvent } from '../../../lambda/release-model/release';
import {
  arnOf,
  commit,
  config,
  FakeVersion,
  makeDeps,
  mergeEvent,
  mockRegistry,
  PullRequestFacts,
  pullRequests,
  pushEvent,
  registeredEvent,
  versions,
  useReleaseMocks,
  callsBeforeUpdate,
} from './support';

const { sagemaker, dynamodb } = useReleaseMocks();

const updates = () => sagemaker.commandCalls(UpdateModelPackageCommand).map((c) => c.args[0].input);

/** SageMaker reports every version registered (the registration events), as it does in production. */
async function register(all: FakeVersion[], deps: ReturnType<typeof makeDeps>['deps']): Promise<void> {
  for (const v of all) await handleReleaseEvent(registeredEvent(v.version, v.group), deps);
}

describe('issue 10 attacks on the release function', () => {
  it('attack 2: a version registered Approved is never released by a merge, and it is logged', async () => {
    // prepare: the source branch's own pipeline registered the version Approved (ModelApprovalStatus=Approved).
    const all: FakeVersion[] = [{ version: 1, commitId: commit('born'), status: ModelApprovalStatus.APPROVED }];
    mockRegistry(sagemaker, all);
    const { deps, logs } = makeDeps();
    await register(all, deps);

    // act
    const result = await handleReleaseEvent(mergeEvent(commit('born')), deps);

    // assert: was "already-approved" (the merge blessed it); now refused
    expect(result.outcome).toBe('refused');
    expect(result.message).toContain('registered Approved');
    expect(updates()).toEqual([]);
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'ERROR', message: expect.stringContaining('registered Approved') }),
    );
  });

  it("attack 3: a version claiming a colleague's commit from another pipeline is never approved", async () => {
    // prepare: the colleague's branch trained the commit (version 1); the attacker's branch registered a newer
    // version claiming the same commit, and another by hand naming the colleague's execution.
    const all: FakeVersion[] = [
      { version: 1, commitId: commit('c') },
      { version: 2, commitId: commit('c'), branch: 'experiment/evil' },
      { version: 3, commitId: commit('c'), executionId: 'exec1', origin: 'hand' },
    ];
    mockRegistry(sagemaker, all);
    const { deps, logs } = makeDeps();
    await register(all, deps);

    // act
    const result = await handleReleaseEvent(mergeEvent(commit('c')), deps);

    // assert: was version 3 (the newest claim) approved; now only the colleague's version 1
    expect(result).toMatchObject({ outcome: 'approved', modelPackageArn: arnOf(1) });
    expect(updates().map((u) => u.ModelPackageArn)).toEqual([arnOf(1)]);
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'WARN', message: expect.stringContaining(`ignored ${arnOf(2)}`) }),
    );
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        message: expect.stringContaining(`model version ${arnOf(3)} is not indexed: no RegisterModel step`),
      }),
    );
  });

  it('attack 3: with only the claims registered, the merge approves nothing and waits for the real version', async () => {
    const all: FakeVersion[] = [{ version: 1, commitId: commit('c'), branch: 'experiment/evil' }];
    mockRegistry(sagemaker, all);
    const { deps } = makeDeps();
    await register(all, deps);

    const result = await handleReleaseEvent(mergeEvent(commit('c')), deps);

    // was: approved (version 1); now: an intent waits for the source branch's own version
    expect(result.outcome).toBe('intent-recorded');
    expect(updates()).toEqual([]);
  });

  it('attack 3: two genuine candidates of the source pipeline refuse the release, clearly', async () => {
    const all: FakeVersion[] = [
      { version: 1, commitId: commit('c') },
      { version: 2, commitId: commit('c'), executionId: 'exec-second-run' },
    ];
    mockRegistry(sagemaker, all);
    const { deps } = makeDeps();
    await register(all, deps);

    const result = await handleReleaseEvent(mergeEvent(commit('c')), deps);

    // was: approved (the newest); now: refused, naming both
    expect(result.outcome).toBe('refused');
    expect(result.message).toContain('2 genuine candidates in model-demo');
    expect(updates()).toEqual([]);
  });

  it('attack 4 (release side): a direct push of an experiment head to main approves nothing by default', async () => {
    const all = versions(3);
    mockRegistry(sagemaker, all);
    const { deps } = makeDeps();
    await register(all, deps);

    const result = await handleReleaseEvent(pushEvent(commit(3)), deps);

    // was: approved (version 3); now: ignored, approveOnPushToMain is off
    expect(result.outcome).toBe('ignored');
    expect(result.message).toContain('approveOnPushToMain is off');
    expect(updates()).toEqual([]);
    expect(sagemaker.calls().length).toBe(3 * 5); // the registrations only: nothing for the push
  });

  it.each([
    ['a pull request CodeCommit does not know (sent by direct invocation)', {}, true],
    ['a pull request merged without approval', { approved: false }, false],
    ['a pull request whose approval rules were overridden', { overridden: true }, false],
    ['a pull request that is still open', { isMerged: false }, false],
    ['a pull request merged from another commit', { sourceCommit: commit('other') }, false],
    ['a pull request into another branch', { destinationBranch: 'develop' }, false],
  ])('attack 5: a forged merge event (%s) changes nothing and is logged as such', async (_case, facts, unknown) => {
    const all = versions(3);
    mockRegistry(sagemaker, all);
    const { deps, logs } = makeDeps();
    await register(all, deps);
    const event = mergeEvent(
      commit(2),
      { callerUserArn: 'arn:aws:sts::123456789012:assumed-role/Admin/head-of-risk' },
      {
        forged: unknown,
      },
    );
    if (!unknown) pullRequests.set('1', { ...(pullRequests.get('1') as PullRequestFacts), ...facts });
    const before = dynamodb.calls().length;

    const result = await handleReleaseEvent(event, deps);

    // was: approved, "merged by head-of-risk"; now: refused, nothing written
    expect(result.outcome).toBe('refused');
    expect(updates()).toEqual([]);
    expect(dynamodb.calls().length).toBe(before);
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        message: expect.stringContaining('refused a pull request merge event CodeCommit does not confirm'),
      }),
    );
  });

  it("attack 5: the audit trail holds CodeCommit's facts, not the event's", async () => {
    const all = versions(3);
    mockRegistry(sagemaker, all);
    const { deps } = makeDeps();
    await register(all, deps);
    const event = mergeEvent(commit(2), { callerUserArn: 'arn:aws:sts::123456789012:assumed-role/Admin/head-of-risk' });
    pullRequests.set('1', {
      ...(pullRequests.get('1') as PullRequestFacts),
      mergedBy: 'arn:aws:sts::123456789012:assumed-role/Lead/Mary_Major',
    });

    const result = await handleReleaseEvent(event, deps);

    expect(result.outcome).toBe('approved');
    expect(updates()[0]?.CustomerMetadataProperties).toMatchObject({
      release_merged_by: 'arn:aws:sts::123456789012:assumed-role/Lead/Mary_Major',
      release_facts: 'codecommit',
    });
    expect(updates()[0]?.ApprovalDescription).not.toContain('head-of-risk');
  });

  it('attack 7: approval copies the artifact to the approved prefix and records its version id and sha256', async () => {
    const all = versions(2);
    mockRegistry(sagemaker, all);
    const { deps } = makeDeps();
    await register(all, deps);

    await handleReleaseEvent(mergeEvent(commit(2)), deps);

    const key = 'approved-artifacts/model-demo/2/model.tar.gz';
    // was: no copy and no record (ModelDataUrl, overwritable, was all there was); now:
    expect(updates()[0]?.CustomerMetadataProperties).toMatchObject({
      approved_artifact_uri: `s3://${config.artifactBucketName}/${key}`,
      approved_artifact_version_id: 'v1',
      approved_artifact_sha256: createHash('sha256').update(`bytes of ${key}`).digest('hex'),
    });
  });

  it('attack 14: a merge finds its version through the index, 2 SageMaker calls at most before the update, oldest of 1,000', async () => {
    const all = versions(1000);
    mockRegistry(sagemaker, all);
    const { deps } = makeDeps();
    await register(all, deps);
    sagemaker.resetHistory();

    const result = await handleReleaseEvent(mergeEvent(commit(1)), deps);

    // was: 11 calls (10 list pages + 1 describe); now: the index query (DynamoDB) and one describe
    expect(result).toMatchObject({ outcome: 'approved', modelPackageArn: arnOf(1) });
    expect(callsBeforeUpdate(sagemaker)).toBeLessThanOrEqual(2);
    expect(sagemaker.commandCalls(ListModelPackagesCommand)).toEqual([]);
  });

  it('attack 14: a push to main with no model lists at most one page, never the whole registry', async () => {
    const all = versions(1000);
    mockRegistry(sagemaker, all);
    const { deps } = makeDeps();
    const result = await handleReleaseEvent(pushEvent(commit('squash')), {
      ...deps,
      config: { ...config, approveOnPushToMain: true },
    });

    // was: 10 list pages (the whole group); now: the bounded fallback, one page
    expect(result.outcome).toBe('ignored');
    expect(sagemaker.commandCalls(ListModelPackagesCommand).length).toBeLessThanOrEqual(1);
  });
});
