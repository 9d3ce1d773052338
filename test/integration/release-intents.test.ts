/**
 * The intent store against DynamoDB in moto_server: a repeated merge keeps the first record, and a record that has
 * expired but that DynamoDB's TTL sweep has not deleted yet (it runs up to days late) does not block a new merge.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { getIntent, IntentStore, recordIntent } from '../../lambda/release-model/intents';
import { MotoServer, startMoto, useMotoEnvironment } from '../support/moto';

const COMMIT = 'c'.repeat(40);
const DAY_MS = 86_400_000;

describe('release intents in DynamoDB (moto)', () => {
  let moto: MotoServer;
  let store: IntentStore;

  beforeAll(async () => {
    moto = await startMoto();
    useMotoEnvironment(moto.endpoint);
    const dynamodb = new DynamoDBClient({});
    await dynamodb.send(
      new CreateTableCommand({
        TableName: 'intents',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'commitId', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'commitId', KeyType: 'HASH' }],
      }),
    );
    store = { dynamodb, tableName: 'intents', ttlDays: 14 };
  });
  afterAll(async () => moto.stop());

  it('keeps the first live record, and replaces one that expired but is not deleted yet', async () => {
    const first = new Date('2026-01-01T00:00:00Z');
    const trigger = { kind: 'direct-invocation' } as const;

    expect((await recordIntent(store, COMMIT, trigger, first)).outcome).toBe('recorded');
    const again = new Date(first.getTime() + 13 * DAY_MS);
    expect((await recordIntent(store, COMMIT, trigger, again)).outcome).toBe('already-recorded');
    expect((await getIntent(store, COMMIT, again))?.recordedAt).toBe(first.toISOString());

    const afterExpiry = new Date(first.getTime() + 15 * DAY_MS);
    expect(await getIntent(store, COMMIT, afterExpiry)).toBeUndefined();
    expect((await recordIntent(store, COMMIT, trigger, afterExpiry)).outcome).toBe('recorded');
    expect((await getIntent(store, COMMIT, afterExpiry))?.recordedAt).toBe(afterExpiry.toISOString());
  });
});
