import { conditionHolds } from './support';

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
