import { GetItemCommand, PutItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeModelPackageCommand,
  ListModelPackagesCommand,
  ListTagsCommand,
  ModelApprovalStatus,
  ModelPackageStatus,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { handleReleaseEvent, ReleaseDeps } from '../../../lambda/release-model/release';
import { awsEvent } from '../../support/fixtures';
import {
  arnOf,
  commit,
  config,
  FakeVersion,
  GROUP,
  indexDirectly,
  indexItems,
  makeDeps,
  mergeEvent,
  mockIntentTable,
  mockRegistry,
  NOW,
  PREFIX,
  pushEvent,
  registeredEvent,
  versions,
  useReleaseMocks,
  callsBeforeUpdate,
} from './support';

const { sagemaker, dynamodb } = useReleaseMocks();

/** SageMaker reports each version registered: the function verifies and indexes it (then the history is reset). */
async function register(all: FakeVersion[], deps: ReleaseDeps): Promise<void> {
  for (const v of all) await handleReleaseEvent(registeredEvent(v.version, v.group), deps);
  sagemaker.resetHistory();
  dynamodb.resetHistory();
}

/** PutItem calls to the intent table (the commit index gets its own writes). */
function intentWrites() {
  return dynamodb.commandCalls(PutItemCommand).filter((c) => c.args[0].input.TableName === config.intentTableName);
}

function updates() {
  return sagemaker.commandCalls(UpdateModelPackageCommand).map((call) => call.args[0].input);
}

describe('pull request merged into main', () => {
  /**
   * 1,000 versions; the experiment's last commit is version 990; newer versions exist for other commits, including
   * the destination commit, which a merge-commit or squash lookup by main's head would wrongly pick.
   */
  const thousand = (): FakeVersion[] => [...versions(999), { version: 1000, commitId: commit('destination') }];
  /** The commit index the function wrote when SageMaker reported the 1,000 versions registered. */
  let indexedThousand: typeof indexItems;

  // The 1,000 registrations are played once for the three merge options below (the function is deterministic under
  // the fixed clock, and the registrations read only the registry); each test starts from a fresh registry and its
  // own copy of the index they wrote, so one test's approval is never seen by another.
  beforeAll(async () => {
    mockRegistry(sagemaker, thousand());
    mockIntentTable(dynamodb);
    await register(thousand(), makeDeps().deps);
    expect(indexItems.size).toBe(1000);
    indexedThousand = new Map(indexItems);
  });

  it.each(['FAST_FORWARD_MERGE', 'SQUASH_MERGE', 'THREE_WAY_MERGE'])(
    'approves the version of the source commit for a %s, with 2 calls before the update among 1,000 versions',
    async (mergeOption) => {
      // prepare: the 1,000 versions, registered (above)
      mockRegistry(sagemaker, thousand());
      mockIntentTable(dynamodb);
      for (const [key, item] of indexedThousand) indexItems.set(key, structuredClone(item));
      const { deps } = makeDeps();

      // act
      const result = await handleReleaseEvent(mergeEvent(commit(990), { mergeOption }), deps);

      // assert
      expect(result).toMatchObject({ outcome: 'approved', commitId: commit(990), modelPackageVersion: 990 });
      expect(callsBeforeUpdate(sagemaker)).toBeLessThanOrEqual(2);
      expect(updates()).toHaveLength(1);
      const update = updates()[0];
      expect(update?.ModelPackageArn).toBe(arnOf(990));
      expect(update?.ModelApprovalStatus).toBe('Approved');
      expect(update?.ApprovalDescription).toEqual(expect.stringContaining('pull request 1'));
      expect(update?.ApprovalDescription).toEqual(expect.stringContaining('experiment/deeper-trees'));
      expect(update?.ApprovalDescription).toEqual(expect.stringContaining(mergeOption));
      expect(update?.ApprovalDescription).toEqual(expect.stringContaining('assumed-role/Admin/Mary_Major'));
      expect(update?.CustomerMetadataProperties).toEqual({
        commit_id: commit(990),
        branch: 'experiment/deeper-trees',
        pipeline_execution_id: 'exec990',
        pipeline_execution_arn: `${PREFIX}pipeline/demo-experiment--deeper-trees/execution/exec990`,
        approved_artifact_uri: 's3://demo-artifacts/approved-artifacts/model-demo/990/model.tar.gz',
        approved_artifact_version_id: 'v1',
        approved_artifact_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        release_facts: 'codecommit',
        release_trigger: 'pull-request',
        release_pull_request_id: '1',
        release_source_branch: 'experiment/deeper-trees',
        release_destination_branch: 'main',
        release_merge_option: mergeOption,
        release_merged_by: 'arn:aws:sts::123456789012:assumed-role/Admin/Mary_Major',
        release_event_id: '01234567-0123-0123-0123-012345678901',
        release_approved_at: NOW.toISOString(),
      });
      expect(dynamodb).not.toHaveReceivedCommand(PutItemCommand);
    },
  );

  it('only ever lists and describes this project group', async () => {
    mockRegistry(sagemaker, [...versions(3), { version: 4, commitId: commit(2), group: 'model-other' }]);
    mockIntentTable(dynamodb);
    const { deps } = makeDeps();

    await handleReleaseEvent(mergeEvent(commit(2)), deps);

    for (const call of sagemaker.commandCalls(ListModelPackagesCommand)) {
      expect(call.args[0].input.ModelPackageGroupName).toBe(GROUP);
    }
    expect(updates().map((u) => u.ModelPackageArn)).toEqual([arnOf(2)]);
  });

  it('refuses, naming both, when the source pipeline registered two live versions of the commit in one group', async () => {
    mockRegistry(sagemaker, [
      { version: 1, commitId: commit('a') },
      { version: 2, commitId: commit('b') },
      { version: 3, commitId: commit('a'), executionId: 'exec-rerun' },
      { version: 4, commitId: commit('c') },
    ]);
    const { deps } = makeDeps();

    const result = await handleReleaseEvent(mergeEvent(commit('a')), deps);

    expect(result).toMatchObject({ outcome: 'refused', message: expect.stringContaining('version 1') });
    expect(result.message).toContain('version 3');
    expect(updates()).toEqual([]);
  });

  it('approves the version of every group of the project, and none of a group tagged for another project', async () => {
    const all: FakeVersion[] = [
      { version: 1, commitId: commit('a') },
      { version: 1, commitId: commit('a'), group: 'model-demo-ranker' },
      { version: 1, commitId: commit('a'), group: 'model-demo-foreign' },
    ];
    mockRegistry(sagemaker, all);
    const { deps } = makeDeps();
    await register(all, deps);

    const result = await handleReleaseEvent(mergeEvent(commit('a')), deps);

    expect(result).toMatchObject({ outcome: 'approved', modelPackageArn: arnOf(1) });
    expect(updates().map((u) => u.ModelPackageArn)).toEqual([arnOf(1), arnOf(1, 'model-demo-ranker')]);
    expect(result.approvals?.map((a) => a.modelPackageGroupName)).toEqual(['model-demo', 'model-demo-ranker']);
  });

  it('leaves an approved version as it is: success, no second update', async () => {
    mockRegistry(sagemaker, [
      { version: 1, commitId: commit('a'), status: ModelApprovalStatus.APPROVED, released: true },
    ]);
    const { deps } = makeDeps();

    const result = await handleReleaseEvent(mergeEvent(commit('a')), deps);

    expect(result.outcome).toBe('already-approved');
    expect(sagemaker).not.toHaveReceivedCommand(UpdateModelPackageCommand);
  });

  it('refuses to approve a Rejected newest version and reports it without throwing (a retry cannot help)', async () => {
    mockRegistry(sagemaker, [
      { version: 1, commitId: commit('b') },
      { version: 2, commitId: commit('a'), status: ModelApprovalStatus.REJECTED },
    ]);
    mockIntentTable(dynamodb);
    const { deps, logs } = makeDeps();

    const result = await handleReleaseEvent(mergeEvent(commit('a')), deps);

    expect(result).toMatchObject({
      outcome: 'rejected',
      commitId: commit('a'),
      modelPackageArn: arnOf(2),
      message: expect.stringContaining(`${arnOf(2)} for commit ${commit('a')} is Rejected`),
    });
    expect(sagemaker).not.toHaveReceivedCommand(UpdateModelPackageCommand);
    expect(intentWrites()).toEqual([]);
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        message: expect.stringContaining('is Rejected'),
        modelPackageArn: arnOf(2),
      }),
    );
  });

  it('reports a Rejected version found by the re-check after recording the intent, without throwing', async () => {
    const all: FakeVersion[] = [];
    mockRegistry(sagemaker, all);
    const table = mockIntentTable(dynamodb);
    // The Rejected version appears right after the first lookup.
    dynamodb.on(PutItemCommand).callsFake((input: PutItemCommand['input']) => {
      const racing = { version: 1, commitId: commit('racing'), createdAt: NOW, status: ModelApprovalStatus.REJECTED };
      all.push(racing);
      indexDirectly(racing); // its registration event indexed it (and found no intent yet)
      table.set(input.Item?.commitId?.S ?? '', { ...input.Item });
      mockRegistry(sagemaker, all);
      return {};
    });
    const { deps } = makeDeps();

    const result = await handleReleaseEvent(mergeEvent(commit('racing')), deps);

    expect(result).toMatchObject({ outcome: 'rejected', modelPackageArn: arnOf(1) });
    expect(sagemaker).not.toHaveReceivedCommand(UpdateModelPackageCommand);
    expect(table.get(commit('racing'))?.status).toEqual({ S: 'pending' });
  });

  it('records the intent, approving nothing, while the only version of the commit is still being created', async () => {
    mockRegistry(sagemaker, [
      { version: 1, commitId: commit('a') },
      { version: 2, commitId: commit('b'), packageStatus: ModelPackageStatus.IN_PROGRESS },
    ]);
    const table = mockIntentTable(dynamodb);
    const { deps, logs } = makeDeps();

    const result = await handleReleaseEvent(mergeEvent(commit('b')), deps);

    expect(result).toMatchObject({
      outcome: 'intent-recorded',
      modelPackageArn: arnOf(2),
      message: expect.stringContaining(`version 2 (${arnOf(2)}) is still InProgress`),
    });
    expect(sagemaker).not.toHaveReceivedCommand(UpdateModelPackageCommand);
    expect(table.get(commit('b'))?.status).toEqual({ S: 'pending' });
    expect(logs.some((l) => l.level === 'INFO' && l.message.includes('still being created'))).toBe(true);
  });

  it('skips a Failed version of the commit, saying so, and approves the newest Completed one', async () => {
    mockRegistry(sagemaker, [
      { version: 1, commitId: commit('a') },
      { version: 2, commitId: commit('a'), packageStatus: ModelPackageStatus.FAILED },
    ]);
    mockIntentTable(dynamodb);
    const { deps, logs } = makeDeps();

    const result = await handleReleaseEvent(mergeEvent(commit('a')), deps);

    expect(result).toMatchObject({ outcome: 'approved', modelPackageVersion: 1 });
    expect(updates().map((u) => u.ModelPackageArn)).toEqual([arnOf(1)]);
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'WARN', modelPackageArn: arnOf(2), modelPackageStatus: 'Failed' }),
    );
  });

  it('records the intent when the only version of the commit Failed, never approving it', async () => {
    mockRegistry(sagemaker, [{ version: 1, commitId: commit('a'), packageStatus: ModelPackageStatus.FAILED }]);
    const table = mockIntentTable(dynamodb);
    const { deps } = makeDeps();

    const result = await handleReleaseEvent(mergeEvent(commit('a')), deps);

    expect(result.outcome).toBe('intent-recorded');
    expect(sagemaker).not.toHaveReceivedCommand(UpdateModelPackageCommand);
    expect(table.get(commit('a'))?.status).toEqual({ S: 'pending' });
  });

  it('rejects the documented sample as published, whose sourceCommit is not 40 hex, naming the field', async () => {
    const { deps } = makeDeps();

    await expect(
      handleReleaseEvent(awsEvent('codecommit-pullRequestMergeStatusUpdated.json'), deps),
    ).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringContaining('detail.sourceCommit') });
    expect(sagemaker.calls()).toHaveLength(0);
    expect(dynamodb.calls()).toHaveLength(0);
  });

  it('rejects a merge event whose isMerged is a boolean rather than the documented string', async () => {
    const { deps } = makeDeps();

    await expect(handleReleaseEvent(mergeEvent(commit('a'), { isMerged: true }), deps)).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('detail.isMerged'),
    });
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it.each([
    [
      'closed without merging (documented pullRequestStatusChanged)',
      () => awsEvent('codecommit-pullRequestStatusChanged.json'),
    ],
    ['merge status updated but not merged', () => mergeEvent(commit('a'), { isMerged: 'False' })],
    ['merged into another branch', () => mergeEvent(commit('a'), { destinationReference: 'refs/heads/develop' })],
    ['of another repository', () => mergeEvent(commit('a'), { repositoryNames: ['OtherRepo'] })],
    ['created (documented pullRequestCreated)', () => awsEvent('codecommit-pullRequestCreated.json')],
  ])('ignores a pull request %s, touching nothing', async (_name, event) => {
    mockRegistry(sagemaker, versions(3));
    const { deps, logs } = makeDeps();

    const result = await handleReleaseEvent(event(), deps);

    expect(result.outcome).toBe('ignored');
    expect(sagemaker.calls()).toHaveLength(0);
    expect(dynamodb.calls()).toHaveLength(0);
    expect(logs.some((l) => l.message === result.message)).toBe(true);
  });
});

describe('merged before the model was registered', () => {
  it('records the merge intent durably with the reasons and a TTL, approving nothing yet', async () => {
    mockRegistry(sagemaker, versions(5));
    const table = mockIntentTable(dynamodb);
    const { deps, logs } = makeDeps();

    const result = await handleReleaseEvent(mergeEvent(commit('training'), { mergeOption: 'SQUASH_MERGE' }), deps);

    expect(result.outcome).toBe('intent-recorded');
    expect(result.message).toContain('failed the quality gate');
    expect(sagemaker).not.toHaveReceivedCommand(UpdateModelPackageCommand);
    expect(dynamodb).toHaveReceivedCommandWith(PutItemCommand, {
      TableName: 'release-intents-demo',
      ConditionExpression: 'attribute_not_exists(commitId) OR expiresAt <= :now',
    });
    const item = table.get(commit('training'));
    expect(item).toMatchObject({
      status: { S: 'pending' },
      expiresAt: { N: String(NOW.getTime() / 1000 + 14 * 86_400) },
      trigger: {
        M: expect.objectContaining({ pullRequestId: { S: '1' }, mergeOption: { S: 'SQUASH_MERGE' } }),
      },
    });
    expect(logs.some((l) => l.level === 'WARN' && l.message.includes('merged before the model was registered'))).toBe(
      true,
    );
  });

  it('replaces an expired intent that DynamoDB has not deleted yet when the commit is merged again', async () => {
    mockRegistry(sagemaker, versions(2));
    const table = mockIntentTable(dynamodb);
    const { deps } = makeDeps();
    await handleReleaseEvent(mergeEvent(commit('training'), { pullRequestId: '7' }), deps);
    const later = new Date(NOW.getTime() + 15 * 86_400_000);

    const again = await handleReleaseEvent(mergeEvent(commit('training'), { pullRequestId: '8' }), {
      ...deps,
      now: () => later,
    });

    expect(again).toMatchObject({ outcome: 'intent-recorded', message: expect.stringContaining('recorded the merge') });
    expect(table.get(commit('training'))).toMatchObject({
      recordedAt: { S: later.toISOString() },
      trigger: { M: expect.objectContaining({ pullRequestId: { S: '8' } }) },
    });
  });

  it('keeps the first intent when the merge event is delivered twice', async () => {
    mockRegistry(sagemaker, versions(2));
    mockIntentTable(dynamodb);
    const { deps } = makeDeps();

    await handleReleaseEvent(mergeEvent(commit('training')), deps);
    const second = await handleReleaseEvent(mergeEvent(commit('training')), deps);

    expect(second).toMatchObject({ outcome: 'intent-recorded', message: expect.stringContaining('already recorded') });
    expect(dynamodb.commandCalls(PutItemCommand)).toHaveLength(2);
    expect(sagemaker).not.toHaveReceivedCommand(UpdateModelPackageCommand);
  });

  it('approves a version registered between the lookup and the intent, found by the re-check', async () => {
    const all: FakeVersion[] = versions(3);
    mockRegistry(sagemaker, all);
    const table = mockIntentTable(dynamodb);
    // The version appears right after the first lookup, as if registered meanwhile.
    dynamodb.on(PutItemCommand).callsFake((input: PutItemCommand['input']) => {
      all.push({ version: 4, commitId: commit('racing'), createdAt: NOW });
      indexDirectly({ version: 4, commitId: commit('racing') });
      table.set(input.Item?.commitId?.S ?? '', { ...input.Item });
      mockRegistry(sagemaker, all);
      return {};
    });
    const { deps } = makeDeps();

    const result = await handleReleaseEvent(mergeEvent(commit('racing')), deps);

    expect(result).toMatchObject({ outcome: 'approved', modelPackageVersion: 4 });
    expect(updates().map((u) => u.ModelPackageArn)).toEqual([arnOf(4)]);
    expect(table.get(commit('racing'))).toMatchObject({
      status: { S: 'done' },
      approvedModelPackageArn: { S: arnOf(4) },
    });
    // the re-check after writing the intent reads the commit index again (its registration wrote it meanwhile)
    expect(dynamodb.commandCalls(QueryCommand)).toHaveLength(2);
  });

  it('approves the version once SageMaker reports it registered, with the merge reasons, and marks the intent done', async () => {
    // prepare: merge first
    const all: FakeVersion[] = versions(3);
    mockRegistry(sagemaker, all);
    const table = mockIntentTable(dynamodb);
    const { deps } = makeDeps();
    await handleReleaseEvent(mergeEvent(commit('late'), { mergeOption: 'THREE_WAY_MERGE' }), deps);
    expect(sagemaker).not.toHaveReceivedCommand(UpdateModelPackageCommand);
    // then training registers version 4 for the merged commit
    all.push({ version: 4, commitId: commit('late') });
    mockRegistry(sagemaker, all);

    // act
    const result = await handleReleaseEvent(registeredEvent(4), deps);

    // assert
    expect(result).toMatchObject({ outcome: 'approved', modelPackageVersion: 4, commitId: commit('late') });
    expect(updates()).toHaveLength(1);
    expect(updates()[0]).toMatchObject({
      ModelPackageArn: arnOf(4),
      ModelApprovalStatus: 'Approved',
      ApprovalDescription: expect.stringMatching(
        /pull request 1 from experiment\/deeper-trees was merged into main \(THREE_WAY_MERGE\).*approved on registration/,
      ),
      CustomerMetadataProperties: expect.objectContaining({
        release_pull_request_id: '1',
        release_trigger: 'pull-request',
      }),
    });
    expect(table.get(commit('late'))).toMatchObject({
      status: { S: 'done' },
      approvedModelPackageArn: { S: arnOf(4) },
    });
  });

  it('completes on retry when marking the intent done failed after the approval, without a second update', async () => {
    mockRegistry(sagemaker, []);
    const table = mockIntentTable(dynamodb);
    const { deps, logs } = makeDeps();
    await handleReleaseEvent(mergeEvent(commit('late')), deps);
    const registered: FakeVersion[] = [{ version: 1, commitId: commit('late') }];
    mockRegistry(sagemaker, registered);
    dynamodb.on(UpdateItemCommand).rejectsOnce(new Error('ProvisionedThroughputExceededException'));

    await expect(handleReleaseEvent(registeredEvent(1), deps)).rejects.toThrow('ProvisionedThroughputExceeded');
    expect(logs.some((l) => l.level === 'ERROR' && l.message.startsWith(`failed after approving ${arnOf(1)}`))).toBe(
      true,
    );
    // EventBridge retries the event; the version now reads Approved
    mockRegistry(sagemaker, [
      { version: 1, commitId: commit('late'), status: ModelApprovalStatus.APPROVED, released: true },
    ]);
    const retriedTable = mockIntentTable(dynamodb);
    retriedTable.set(commit('late'), table.get(commit('late')) ?? {});
    const retried = await handleReleaseEvent(registeredEvent(1), deps);

    expect(retried.outcome).toBe('already-approved');
    expect(updates()).toHaveLength(1);
    expect(retriedTable.get(commit('late'))).toMatchObject({
      status: { S: 'done' },
      approvedModelPackageArn: { S: arnOf(1) },
    });
  });

  it('answers the state change of its own approval with already-approved: no second update', async () => {
    const all: FakeVersion[] = [{ version: 1, commitId: commit('late') }];
    mockRegistry(sagemaker, []);
    mockIntentTable(dynamodb);
    const { deps } = makeDeps();
    await handleReleaseEvent(mergeEvent(commit('late')), deps);
    mockRegistry(sagemaker, all);
    await handleReleaseEvent(registeredEvent(1), deps);
    mockRegistry(sagemaker, [
      { version: 1, commitId: commit('late'), status: ModelApprovalStatus.APPROVED, released: true },
    ]);

    const again = await handleReleaseEvent(registeredEvent(1), deps);

    expect(again).toMatchObject({ outcome: 'already-approved', message: expect.stringContaining('already approved') });
    expect(updates()).toHaveLength(1);
  });

  it('refuses a waiting merge a version first seen Approved (registered so), keeping the intent pending', async () => {
    mockRegistry(sagemaker, []);
    const table = mockIntentTable(dynamodb);
    const { deps } = makeDeps();
    await handleReleaseEvent(mergeEvent(commit('late')), deps);
    mockRegistry(sagemaker, [{ version: 1, commitId: commit('late'), status: ModelApprovalStatus.APPROVED }]);

    const result = await handleReleaseEvent(registeredEvent(1), deps);

    expect(result).toMatchObject({ outcome: 'refused', message: expect.stringContaining('registered Approved') });
    expect(sagemaker).not.toHaveReceivedCommand(UpdateModelPackageCommand);
    expect(table.get(commit('late'))?.status).toEqual({ S: 'pending' });
  });

  it('never approves a Rejected registered version and says so, keeping the intent', async () => {
    mockRegistry(sagemaker, []);
    const table = mockIntentTable(dynamodb);
    const { deps, logs } = makeDeps();
    await handleReleaseEvent(mergeEvent(commit('late')), deps);
    mockRegistry(sagemaker, [{ version: 1, commitId: commit('late'), status: ModelApprovalStatus.REJECTED }]);

    const result = await handleReleaseEvent(registeredEvent(1), deps);

    expect(result).toMatchObject({ outcome: 'rejected', message: expect.stringContaining('is Rejected') });
    expect(sagemaker).not.toHaveReceivedCommand(UpdateModelPackageCommand);
    expect(table.get(commit('late'))?.status).toEqual({ S: 'pending' });
    expect(logs.some((l) => l.level === 'ERROR' && l.message.includes('never approved'))).toBe(true);
  });

  it.each([ModelPackageStatus.PENDING, ModelPackageStatus.IN_PROGRESS])(
    'waits while the registered version is %s, and approves it on its Completed state change',
    async (packageStatus) => {
      mockRegistry(sagemaker, []);
      const table = mockIntentTable(dynamodb);
      const { deps } = makeDeps();
      await handleReleaseEvent(mergeEvent(commit('late')), deps);
      mockRegistry(sagemaker, [{ version: 1, commitId: commit('late'), packageStatus }]);

      const waiting = await handleReleaseEvent(registeredEvent(1), deps);

      expect(waiting).toMatchObject({
        outcome: 'ignored',
        message: expect.stringContaining(`version 1 (${arnOf(1)}) is still ${packageStatus}`),
      });
      expect(sagemaker).not.toHaveReceivedCommand(UpdateModelPackageCommand);
      expect(table.get(commit('late'))?.status).toEqual({ S: 'pending' });

      mockRegistry(sagemaker, [{ version: 1, commitId: commit('late') }]);
      const completed = await handleReleaseEvent(registeredEvent(1), deps);

      expect(completed).toMatchObject({ outcome: 'approved', modelPackageVersion: 1 });
      expect(updates().map((u) => u.ModelPackageArn)).toEqual([arnOf(1)]);
      expect(table.get(commit('late'))?.status).toEqual({ S: 'done' });
    },
  );

  it('skips a Failed registered version, saying so, and keeps the intent', async () => {
    mockRegistry(sagemaker, []);
    const table = mockIntentTable(dynamodb);
    const { deps, logs } = makeDeps();
    await handleReleaseEvent(mergeEvent(commit('late')), deps);
    mockRegistry(sagemaker, [{ version: 1, commitId: commit('late'), packageStatus: ModelPackageStatus.FAILED }]);

    const result = await handleReleaseEvent(registeredEvent(1), deps);

    expect(result).toMatchObject({
      outcome: 'ignored',
      message: expect.stringContaining(
        `no Completed model version in ${GROUP} was trained from commit ${commit('late')}`,
      ),
    });
    expect(sagemaker).not.toHaveReceivedCommand(UpdateModelPackageCommand);
    expect(table.get(commit('late'))?.status).toEqual({ S: 'pending' });
    expect(logs.some((l) => l.level === 'WARN' && l.message.includes('its status is Failed'))).toBe(true);
  });

  it('approves the Completed version of the event, not a newer one of the commit still being created', async () => {
    mockRegistry(sagemaker, []);
    mockIntentTable(dynamodb);
    const { deps } = makeDeps();
    await handleReleaseEvent(mergeEvent(commit('late')), deps);
    mockRegistry(sagemaker, [
      { version: 1, commitId: commit('late') },
      { version: 2, commitId: commit('late'), packageStatus: ModelPackageStatus.IN_PROGRESS },
    ]);

    const result = await handleReleaseEvent(registeredEvent(1), deps);

    expect(result.modelPackageVersion).toBe(1);
    expect(updates().map((u) => u.ModelPackageArn)).toEqual([arnOf(1)]);
  });

  it('refuses once a second genuine version of the waiting commit is registered, approving neither', async () => {
    mockRegistry(sagemaker, []);
    mockIntentTable(dynamodb);
    const { deps } = makeDeps();
    await handleReleaseEvent(mergeEvent(commit('late')), deps);
    const all: FakeVersion[] = [
      { version: 1, commitId: commit('late'), packageStatus: ModelPackageStatus.IN_PROGRESS },
      { version: 2, commitId: commit('late'), executionId: 'exec-rerun' },
    ];
    mockRegistry(sagemaker, all);
    await handleReleaseEvent(registeredEvent(1), deps);

    const result = await handleReleaseEvent(registeredEvent(2), deps);

    expect(result).toMatchObject({ outcome: 'refused', message: expect.stringContaining('2 genuine candidates') });
    expect(updates()).toEqual([]);
  });

  it('ignores a registration for which no merge waits', async () => {
    mockRegistry(sagemaker, versions(2));
    mockIntentTable(dynamodb);
    const { deps } = makeDeps();

    const result = await handleReleaseEvent(registeredEvent(2), deps);

    expect(result).toMatchObject({
      outcome: 'ignored',
      message: `indexed ${arnOf(2)} for commit ${commit(2)} (indexed); no merge waits for the commit`,
    });
    expect(sagemaker).not.toHaveReceivedCommand(UpdateModelPackageCommand);
  });

  it('ignores an intent past its expiry that DynamoDB has not deleted yet', async () => {
    mockRegistry(sagemaker, []);
    const table = mockIntentTable(dynamodb);
    const { deps } = makeDeps();
    await handleReleaseEvent(mergeEvent(commit('late')), deps);
    mockRegistry(sagemaker, [{ version: 1, commitId: commit('late') }]);
    const later = new Date(NOW.getTime() + 15 * 86_400_000);

    const result = await handleReleaseEvent(registeredEvent(1), { ...deps, now: () => later });

    expect(result.outcome).toBe('ignored');
    expect(table.has(commit('late'))).toBe(true);
    expect(sagemaker).not.toHaveReceivedCommand(UpdateModelPackageCommand);
  });

  it('skips a registered version without commit metadata', async () => {
    mockRegistry(sagemaker, [{ version: 1, description: 'hand-registered model' }]);
    mockIntentTable(dynamodb);
    const { deps } = makeDeps();

    const result = await handleReleaseEvent(registeredEvent(1), deps);

    expect(result).toMatchObject({ outcome: 'ignored', message: expect.stringContaining('has no commit metadata') });
    expect(dynamodb).not.toHaveReceivedCommand(GetItemCommand);
  });

  it('ignores a state change of another group without any call', async () => {
    const { deps } = makeDeps();

    const result = await handleReleaseEvent(registeredEvent(1, 'model-other'), deps);

    expect(result.outcome).toBe('ignored');
    expect(sagemaker.calls()).toHaveLength(0);
    expect(dynamodb.calls()).toHaveLength(0);
  });

  it('ignores a version that describes as another group, never updating it', async () => {
    mockRegistry(sagemaker, []);
    sagemaker.on(DescribeModelPackageCommand).resolves({
      ModelPackageArn: arnOf(1),
      ModelPackageGroupName: 'model-other',
      MetadataProperties: { CommitId: commit('x') },
    });
    const { deps } = makeDeps();

    const result = await handleReleaseEvent(registeredEvent(1), deps);

    expect(result).toMatchObject({
      outcome: 'ignored',
      message: expect.stringContaining('its group model-other is not one of project demo'),
    });
    expect(sagemaker).not.toHaveReceivedCommand(UpdateModelPackageCommand);
    expect(dynamodb.calls()).toHaveLength(0);
  });

  it("ignores a version of another project's group named model-<project>-…: IAM refuses its tags, nothing described", async () => {
    // The role reads tags and versions only when they carry the project id (lib/constructs/isolation.ts).
    sagemaker
      .on(ListTagsCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    sagemaker.on(DescribeModelPackageCommand).rejects(new Error('not expected'));
    const { deps } = makeDeps();

    const result = await handleReleaseEvent(registeredEvent(1, 'model-demo-v2'), deps);

    expect(result).toMatchObject({ outcome: 'ignored', message: expect.stringContaining('another project') });
    expect(sagemaker).not.toHaveReceivedCommand(DescribeModelPackageCommand);
    expect(sagemaker).not.toHaveReceivedCommand(UpdateModelPackageCommand);
    expect(dynamodb.calls()).toHaveLength(0);
  });

  it('parses the documented model package state change sample, array source and all', async () => {
    const event = awsEvent<{ detail: Record<string, unknown> }>('sagemaker-model-package-state-change.json');
    const { deps } = makeDeps();

    const result = await handleReleaseEvent(event, deps);

    expect(result).toMatchObject({
      outcome: 'ignored',
      message: expect.stringContaining('versionedmp-p-idy6c3e1fiqj'),
    });
  });
});

describe('push to main, with approveOnPushToMain (opt-in)', () => {
  /** The function as configured with approveOnPushToMain: true. */
  const pushDeps = () => {
    const made = makeDeps();
    return { ...made, deps: { ...made.deps, config: { ...config, approveOnPushToMain: true } } };
  };

  it('approves the new head when a model exists for it (direct push, fast-forward)', async () => {
    mockRegistry(sagemaker, versions(10));
    const { deps } = pushDeps();
    await register(versions(10), deps);

    const result = await handleReleaseEvent(pushEvent(commit(7)), deps);

    expect(result).toMatchObject({ outcome: 'approved', modelPackageVersion: 7 });
    expect(updates()[0]).toMatchObject({
      ModelPackageArn: arnOf(7),
      ApprovalDescription: expect.stringContaining(`commit ${commit(7)} became the head of main (referenceUpdated)`),
      CustomerMetadataProperties: expect.objectContaining({ release_trigger: 'push', release_branch: 'main' }),
    });
    expect(callsBeforeUpdate(sagemaker)).toBeLessThanOrEqual(2);
  });

  it('approves on referenceCreated of main (documented sample, on main)', async () => {
    mockRegistry(sagemaker, versions(3));
    const event = awsEvent<{ detail: Record<string, unknown> }>('codecommit-referenceCreated.json');
    event.detail = {
      ...event.detail,
      referenceName: 'main',
      referenceFullName: 'refs/heads/main',
      commitId: commit(1),
    };
    const { deps } = pushDeps();

    const result = await handleReleaseEvent(event, deps);

    expect(result).toMatchObject({ outcome: 'approved', modelPackageVersion: 1 });
  });

  it('logs and does nothing for a head without a model (squash or merge commit): no update, no intent', async () => {
    mockRegistry(sagemaker, versions(10));
    const { deps, logs } = pushDeps();

    const result = await handleReleaseEvent(pushEvent(commit('merge-commit')), deps);

    expect(result).toMatchObject({ outcome: 'ignored', message: expect.stringContaining('squash or merge commit') });
    expect(sagemaker).not.toHaveReceivedCommand(UpdateModelPackageCommand);
    expect(intentWrites()).toEqual([]);
    expect(logs.some((l) => l.message === result.message)).toBe(true);
  });

  it('approves nothing, saying why, while the head model is still being created', async () => {
    mockRegistry(sagemaker, [{ version: 1, commitId: commit(1), packageStatus: ModelPackageStatus.IN_PROGRESS }]);
    const { deps } = pushDeps();

    const result = await handleReleaseEvent(pushEvent(commit(1)), deps);

    expect(result).toMatchObject({ outcome: 'ignored', message: expect.stringContaining('is still InProgress') });
    expect(sagemaker).not.toHaveReceivedCommand(UpdateModelPackageCommand);
    expect(intentWrites()).toEqual([]);
  });

  it('warns and approves nothing when the head model is Rejected', async () => {
    mockRegistry(sagemaker, [{ version: 1, commitId: commit(1), status: ModelApprovalStatus.REJECTED }]);
    const { deps, logs } = pushDeps();

    const result = await handleReleaseEvent(pushEvent(commit(1)), deps);

    expect(result.outcome).toBe('rejected');
    expect(sagemaker).not.toHaveReceivedCommand(UpdateModelPackageCommand);
    expect(logs.some((l) => l.level === 'WARN' && l.message.includes('is Rejected'))).toBe(true);
  });

  it.each([
    ['a push to another branch (documented sample, myBranch)', () => awsEvent('codecommit-referenceUpdated.json')],
    [
      'the deletion of main (documented referenceDeleted)',
      () => {
        const e = awsEvent<{ detail: Record<string, unknown> }>('codecommit-referenceDeleted.json');
        e.detail = { ...e.detail, referenceName: 'main', referenceFullName: 'refs/heads/main' };
        return e;
      },
    ],
    ['a push to main of another repository', () => pushEvent(commit(1), { repositoryName: 'OtherRepo' })],
    ['a tag named main', () => pushEvent(commit(1), { referenceType: 'tag', referenceFullName: 'refs/tags/main' })],
  ])('ignores %s', async (_name, event) => {
    mockRegistry(sagemaker, versions(3));
    const { deps } = pushDeps();

    const result = await handleReleaseEvent(event(), deps);

    expect(result.outcome).toBe('ignored');
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it('rejects a push to main whose commitId is not 40 hex, naming the field', async () => {
    const { deps } = pushDeps();

    await expect(handleReleaseEvent(pushEvent('7f0103fMERGE'), deps)).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('detail.commitId "7f0103fMERGE"'),
    });
    expect(sagemaker.calls()).toHaveLength(0);
  });
});

describe('direct invocation', () => {
  it('throws for a Rejected version, since the caller must hear it', async () => {
    mockRegistry(sagemaker, [{ version: 1, commitId: commit('a'), status: ModelApprovalStatus.REJECTED }]);
    const { deps } = makeDeps();

    await expect(handleReleaseEvent({ commit_id: commit('a') }, deps)).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining(`${arnOf(1)} for commit ${commit('a')} is Rejected`),
    });
    expect(sagemaker).not.toHaveReceivedCommand(UpdateModelPackageCommand);
  });

  it('approves the named commit and says it was a direct invocation', async () => {
    mockRegistry(sagemaker, versions(150));
    const { deps } = makeDeps();

    const result = await handleReleaseEvent({ commit_id: commit(120) }, deps);

    expect(result).toMatchObject({ outcome: 'approved', modelPackageVersion: 120, modelPackageArn: arnOf(120) });
    expect(updates()[0]).toMatchObject({
      ApprovalDescription: `Approved by direct invocation (CI, facts from the payload) for commit ${commit(120)}.`,
      CustomerMetadataProperties: expect.objectContaining({ release_trigger: 'direct-invocation' }),
    });
  });

  it('rejects an unknown commit with an error naming it, approving and recording nothing', async () => {
    mockRegistry(sagemaker, versions(250));
    const { deps } = makeDeps();

    await expect(handleReleaseEvent({ commit_id: commit('unknown') }, deps)).rejects.toMatchObject({
      name: 'NotFoundError',
      message: expect.stringContaining(
        `no Completed model version in ${GROUP} (or the project's further groups) was trained from commit ${commit('unknown')}`,
      ),
    });
    expect(sagemaker).not.toHaveReceivedCommand(UpdateModelPackageCommand);
    // the bounded fallback: one page of the newest 100 versions, never the 3 pages of the group
    expect(sagemaker.commandCalls(ListModelPackagesCommand)).toHaveLength(1);
    expect(dynamodb.calls().map((c) => c.args[0].constructor.name)).toEqual(['QueryCommand']);
  });

  it.each([
    ['a commit id that is not 40 hex digits', { commit_id: 'abc123' }, 'commit_id: must be a full commit id'],
    ['an abbreviated commit id (no prefix matching)', { commit_id: commit(1).slice(0, 7) }, 'commit_id: must be'],
    ['an upper-case commit id', { commit_id: commit(1).toUpperCase() }, 'commit_id: must be a full commit id'],
    ['a payload without commit_id', {}, 'commit_id: is required'],
    ['a payload with extra fields', { commit_id: commit(1), branch: 'main' }, 'Unrecognized key: "branch"'],
    ['a commit id that is not a string', { commit_id: 42 }, 'commit_id: must be a string'],
    ['a payload that is not an object', 'deadbeef', 'must be a JSON object'],
    [
      'approve_when_registered given as the string "true"',
      { commit_id: commit(1), approve_when_registered: 'true' },
      'approve_when_registered: must be a boolean',
    ],
    [
      'approve_when_registered given as 1',
      { commit_id: commit(1), approve_when_registered: 1 },
      'approve_when_registered: must be a boolean',
    ],
    [
      'approve_when_registered given as null',
      { commit_id: commit(1), approve_when_registered: null },
      'approve_when_registered: must be a boolean',
    ],
    [
      'another extra field beside approve_when_registered',
      { commit_id: commit(1), approve_when_registered: true, approve: true },
      'Unrecognized key: "approve"',
    ],
  ])('rejects %s, naming the problem, approving nothing', async (_name, payload, problem) => {
    mockRegistry(sagemaker, versions(3));
    const { deps } = makeDeps();

    await expect(handleReleaseEvent(payload, deps)).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining(problem),
    });
    expect(sagemaker.calls()).toHaveLength(0);
    expect(dynamodb.calls()).toHaveLength(0);
  });
});

describe('direct invocation with approve_when_registered', () => {
  const payload = (commitId: string) => ({ commit_id: commitId, approve_when_registered: true });

  it('approves at once, recording nothing, when the version exists', async () => {
    mockRegistry(sagemaker, versions(5));
    mockIntentTable(dynamodb);
    const { deps } = makeDeps();

    const result = await handleReleaseEvent(payload(commit(4)), deps);

    expect(result).toMatchObject({ outcome: 'approved', modelPackageVersion: 4 });
    expect(updates()[0]?.ApprovalDescription).toBe(
      `Approved by direct invocation (CI, facts from the payload) for commit ${commit(4)}.`,
    );
    expect(intentWrites()).toEqual([]);
  });

  it('records the intent of an unregistered commit, with a TTL, as a merge does, approving nothing yet', async () => {
    mockRegistry(sagemaker, versions(3));
    const table = mockIntentTable(dynamodb);
    const { deps, logs } = makeDeps();

    const result = await handleReleaseEvent(payload(commit('training')), deps);

    expect(result).toMatchObject({
      outcome: 'intent-recorded',
      commitId: commit('training'),
      message: expect.stringContaining('recorded the direct invocation'),
    });
    expect(result.message).toContain('approved when it is registered before 2026-12-06T03:00:00.000Z');
    expect(sagemaker).not.toHaveReceivedCommand(UpdateModelPackageCommand);
    expect(dynamodb).toHaveReceivedCommandWith(PutItemCommand, {
      TableName: 'release-intents-demo',
      ConditionExpression: 'attribute_not_exists(commitId) OR expiresAt <= :now',
    });
    expect(table.get(commit('training'))).toEqual({
      commitId: { S: commit('training') },
      status: { S: 'pending' },
      trigger: { M: { kind: { S: 'direct-invocation' } } },
      recordedAt: { S: NOW.toISOString() },
      expiresAt: { N: String(NOW.getTime() / 1000 + 14 * 86_400) },
    });
    // the second lookup after the write, for versions registered meanwhile
    expect(sagemaker.commandCalls(ListModelPackagesCommand)).toHaveLength(1);
    expect(dynamodb.commandCalls(QueryCommand)).toHaveLength(2);
    expect(logs.some((l) => l.level === 'WARN' && l.message.includes('merged before the model was registered'))).toBe(
      true,
    );
  });

  it('approves the version once SageMaker reports it registered, as a direct invocation, and marks the intent done', async () => {
    // prepare: CI invokes after the merge, while training runs
    const all: FakeVersion[] = versions(3);
    mockRegistry(sagemaker, all);
    const table = mockIntentTable(dynamodb);
    const { deps } = makeDeps();
    const recorded = await handleReleaseEvent(payload(commit('late')), deps);
    expect(recorded.outcome).toBe('intent-recorded');
    // then training registers version 4 for the commit
    all.push({ version: 4, commitId: commit('late') });
    mockRegistry(sagemaker, all);

    // act
    const result = await handleReleaseEvent(registeredEvent(4), deps);

    // assert
    expect(result).toMatchObject({ outcome: 'approved', modelPackageVersion: 4, commitId: commit('late') });
    expect(updates()).toHaveLength(1);
    expect(updates()[0]).toMatchObject({
      ModelPackageArn: arnOf(4),
      ModelApprovalStatus: 'Approved',
      ApprovalDescription:
        `Approved by direct invocation (CI, facts from the payload) for commit ${commit('late')}. The direct invocation (recorded ` +
        `${NOW.toISOString()}) came before the model was registered; approved on registration.`,
      CustomerMetadataProperties: expect.objectContaining({
        commit_id: commit('late'),
        release_trigger: 'direct-invocation',
      }),
    });
    expect(updates()[0]?.CustomerMetadataProperties).not.toHaveProperty('release_pull_request_id');
    expect(table.get(commit('late'))).toMatchObject({
      status: { S: 'done' },
      approvedModelPackageArn: { S: arnOf(4) },
    });

    // the state change of the approval itself, and CI replaying the invocation: nothing more
    mockRegistry(sagemaker, [
      ...versions(3),
      { version: 4, commitId: commit('late'), status: ModelApprovalStatus.APPROVED, released: true },
    ]);
    expect((await handleReleaseEvent(registeredEvent(4), deps)).outcome).toBe('already-approved');
    expect((await handleReleaseEvent(payload(commit('late')), deps)).outcome).toBe('already-approved');
    expect(updates()).toHaveLength(1);
  });

  it('keeps the first intent when CI invokes twice before registration', async () => {
    mockRegistry(sagemaker, versions(2));
    const table = mockIntentTable(dynamodb);
    const { deps } = makeDeps();

    await handleReleaseEvent(payload(commit('training')), deps);
    const first = table.get(commit('training'));
    const second = await handleReleaseEvent(payload(commit('training')), {
      ...deps,
      now: () => new Date(NOW.getTime() + 60_000),
    });

    expect(second).toMatchObject({ outcome: 'intent-recorded', message: expect.stringContaining('already recorded') });
    expect(dynamodb.commandCalls(PutItemCommand)).toHaveLength(2);
    expect(table.get(commit('training'))).toEqual(first);
    expect(sagemaker).not.toHaveReceivedCommand(UpdateModelPackageCommand);
  });

  it('keeps the intent of a pull request merge recorded first, approving with its reasons', async () => {
    mockRegistry(sagemaker, []);
    const table = mockIntentTable(dynamodb);
    const { deps } = makeDeps();
    await handleReleaseEvent(mergeEvent(commit('late'), { mergeOption: 'SQUASH_MERGE' }), deps);

    const direct = await handleReleaseEvent(payload(commit('late')), deps);
    mockRegistry(sagemaker, [{ version: 1, commitId: commit('late') }]);
    const result = await handleReleaseEvent(registeredEvent(1), deps);

    expect(direct).toMatchObject({ outcome: 'intent-recorded', message: expect.stringContaining('already recorded') });
    expect(table.get(commit('late'))?.trigger).toMatchObject({ M: { kind: { S: 'pull-request' } } });
    expect(result.outcome).toBe('approved');
    expect(updates()[0]?.ApprovalDescription).toMatch(/^Approved because pull request 1 .*The merge \(recorded/);
  });

  it('approves a version registered between the lookup and the intent, found by the re-check', async () => {
    const all: FakeVersion[] = versions(3);
    mockRegistry(sagemaker, all);
    const table = mockIntentTable(dynamodb);
    dynamodb.on(PutItemCommand).callsFake((input: PutItemCommand['input']) => {
      all.push({ version: 4, commitId: commit('racing'), createdAt: NOW });
      indexDirectly({ version: 4, commitId: commit('racing') });
      table.set(input.Item?.commitId?.S ?? '', { ...input.Item });
      mockRegistry(sagemaker, all);
      return {};
    });
    const { deps } = makeDeps();

    const result = await handleReleaseEvent(payload(commit('racing')), deps);

    expect(result).toMatchObject({ outcome: 'approved', modelPackageVersion: 4 });
    expect(updates().map((u) => u.ModelPackageArn)).toEqual([arnOf(4)]);
    expect(table.get(commit('racing'))).toMatchObject({
      status: { S: 'done' },
      approvedModelPackageArn: { S: arnOf(4) },
    });
  });

  it('without the flag, fails for an unregistered commit and records nothing, so no registration approves it', async () => {
    mockRegistry(sagemaker, versions(3));
    const table = mockIntentTable(dynamodb);
    const { deps } = makeDeps();

    await expect(handleReleaseEvent({ commit_id: commit('late') }, deps)).rejects.toMatchObject({
      name: 'NotFoundError',
      message: expect.stringContaining(
        `no Completed model version in ${GROUP} (or the project's further groups) was trained from commit ${commit('late')}`,
      ),
    });
    await expect(
      handleReleaseEvent({ commit_id: commit('late'), approve_when_registered: false }, deps),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(intentWrites()).toEqual([]);
    expect(table.size).toBe(0);

    mockRegistry(sagemaker, [...versions(3), { version: 4, commitId: commit('late') }]);
    const registered = await handleReleaseEvent(registeredEvent(4), deps);

    expect(registered).toMatchObject({
      outcome: 'ignored',
      message: expect.stringContaining(`no merge waits for the commit`),
    });
    expect(sagemaker).not.toHaveReceivedCommand(UpdateModelPackageCommand);
  });

  it('still refuses a Rejected version at once, recording nothing', async () => {
    mockRegistry(sagemaker, [{ version: 1, commitId: commit('a'), status: ModelApprovalStatus.REJECTED }]);
    mockIntentTable(dynamodb);
    const { deps } = makeDeps();

    await expect(handleReleaseEvent(payload(commit('a')), deps)).rejects.toMatchObject({ name: 'ConflictError' });
    expect(intentWrites()).toEqual([]);
  });

  it('fails, naming the version, when the only version of the commit is still being created (no flag)', async () => {
    mockRegistry(sagemaker, [{ version: 1, commitId: commit('a'), packageStatus: ModelPackageStatus.PENDING }]);
    mockIntentTable(dynamodb);
    const { deps } = makeDeps();

    await expect(handleReleaseEvent({ commit_id: commit('a') }, deps)).rejects.toMatchObject({
      name: 'NotFoundError',
      message: expect.stringContaining(`version 1 (${arnOf(1)}) is still Pending`),
    });
    expect(sagemaker).not.toHaveReceivedCommand(UpdateModelPackageCommand);
    expect(intentWrites()).toEqual([]);
  });
});

describe('other events', () => {
  it.each(['codepipeline-pipeline-execution-succeeded.json', 'sagemaker-pipeline-execution-status-change.json'])(
    'logs and ignores %s',
    async (file) => {
      const { deps, logs } = makeDeps();

      const result = await handleReleaseEvent(awsEvent(file), deps);

      expect(result).toMatchObject({ outcome: 'ignored', message: expect.stringContaining('are not handled') });
      expect(sagemaker.calls()).toHaveLength(0);
      expect(logs).toHaveLength(1);
    },
  );

  it('does not touch the intent table for approvals found at once', async () => {
    mockRegistry(sagemaker, versions(2));
    const { deps } = makeDeps();

    await handleReleaseEvent(mergeEvent(commit(1)), deps);

    expect(dynamodb).not.toHaveReceivedCommand(UpdateItemCommand);
    expect(dynamodb).not.toHaveReceivedCommand(GetItemCommand);
  });
});
