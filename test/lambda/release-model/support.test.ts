import {
  DescribeModelPackageCommand,
  ListModelPackagesCommand,
  SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { conditionHolds, GROUP, mockRegistry } from './support';

/** The fake intent table must judge the release function's conditions as DynamoDB does, or tests prove nothing. */
describe('conditionHolds (the fake intent table)', () => {
  const now = { ':now': { N: '1000' } };
  const record = 'attribute_not_exists(commitId) OR expiresAt <= :now';
  const item = (expiresAt: number) => ({ commitId: { S: 'c' }, expiresAt: { N: String(expiresAt) } });

  it.each([
    ['no item', undefined, true],
    ['a live item', item(1001), false],
    ['an item expiring now', item(1000), true],
    ['an expired item not deleted yet', item(999), true],
  ])('record-intent condition with %s: %s', (_name, existing, holds) => {
    expect(conditionHolds(existing, { ConditionExpression: record, ExpressionAttributeValues: now })).toBe(holds);
  });

  it('mark-done condition holds only for an existing item', () => {
    const input = { ConditionExpression: 'attribute_exists(commitId)' };
    expect(conditionHolds(item(1), input)).toBe(true);
    expect(conditionHolds(undefined, input)).toBe(false);
  });

  it('catches a broken condition: comparison turned round, or the expiry clause dropped', () => {
    expect(
      conditionHolds(item(999), {
        ConditionExpression: 'attribute_not_exists(commitId) OR expiresAt >= :now',
        ExpressionAttributeValues: now,
      }),
    ).toBe(false);
    expect(conditionHolds(item(999), { ConditionExpression: 'attribute_not_exists(commitId)' })).toBe(false);
    expect(
      conditionHolds(item(999), {
        ConditionExpression: 'attribute_exists(commitId) AND expiresAt > :now',
        ExpressionAttributeValues: now,
      }),
    ).toBe(false);
  });

  it('resolves attribute names and refuses what it cannot judge', () => {
    expect(
      conditionHolds(
        { status: { S: 'done' } },
        {
          ConditionExpression: '#s = :v',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':v': { S: 'done' } },
        },
      ),
    ).toBe(true);
    expect(() => conditionHolds(item(1), { ConditionExpression: 'begins_with(commitId, :p)' })).toThrow(
      /cannot evaluate/,
    );
    expect(() => conditionHolds(item(1), { ConditionExpression: 'expiresAt <= :missing' })).toThrow(/lacks/);
  });
});

/** The fake registry must order and remember as SageMaker does (moto cross-checks the real client elsewhere). */
describe('mockRegistry (the fake model registry)', () => {
  const sagemaker = mockClient(SageMakerClient);
  afterAll(() => sagemaker.restore());

  it('lists by CreationTime, not by version, and keeps approvals', async () => {
    sagemaker.reset();
    // Version 2 was created before version 1 (clock skew between registrations).
    mockRegistry(sagemaker, [
      { version: 1, commitId: 'a'.repeat(40), createdAt: new Date('2026-01-02T00:00:00Z') },
      { version: 2, commitId: 'b'.repeat(40), createdAt: new Date('2026-01-01T00:00:00Z') },
    ]);
    const client = new SageMakerClient({});
    const list = async () =>
      (await client.send(new ListModelPackagesCommand({ ModelPackageGroupName: GROUP, SortOrder: 'Descending' })))
        .ModelPackageSummaryList ?? [];
    expect((await list()).map((p) => p.ModelPackageVersion)).toEqual([1, 2]);
    const arn = (await list())[1]?.ModelPackageArn;
    await client.send(new UpdateModelPackageCommand({ ModelPackageArn: arn, ModelApprovalStatus: 'Approved' }));
    expect((await list()).map((p) => p.ModelApprovalStatus)).toEqual(['PendingManualApproval', 'Approved']);
    const described = await client.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
    expect(described.ModelApprovalStatus).toBe('Approved');
  });
});
