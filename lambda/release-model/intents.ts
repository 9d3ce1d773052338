/**
 * Merge intents: a pull request merged into main before the model of its last commit was registered, or a direct
 * invocation with `approve_when_registered` (CI after a merge) that came first. The intent is written to DynamoDB
 * (partition key `commitId`, TTL attribute `expiresAt`) so that the merge is not lost; when SageMaker reports the
 * commit's model version, the version is approved and the intent marked done.
 *
 * Every write is idempotent: recording twice keeps the first record, marking done twice leaves it done.
 */
import {
  AttributeValue,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import * as z from 'zod/mini';
import { ReleaseTrigger } from './registry';
import { isConditionalCheckFailed } from '../../contracts/sdk-errors/dynamodb';

export type PullRequestTrigger = Extract<ReleaseTrigger, { kind: 'pull-request' }>;
export type DirectInvocationTrigger = Extract<ReleaseTrigger, { kind: 'direct-invocation' }>;
/** What recorded an intent: a pull request merge, or a direct invocation with `approve_when_registered`. */
export type IntentTrigger = PullRequestTrigger | DirectInvocationTrigger;

export interface MergeIntent {
  readonly commitId: string;
  readonly status: 'pending' | 'done';
  readonly trigger: IntentTrigger;
  readonly recordedAt: string;
  /** Epoch seconds after which DynamoDB deletes the item and the intent no longer counts. */
  readonly expiresAt: number;
  readonly approvedModelPackageArn?: string;
}

const SECONDS_PER_DAY = 86_400;

const s = (value: string): AttributeValue => ({ S: value });

function triggerToItem(trigger: IntentTrigger): Record<string, AttributeValue> {
  const map: Record<string, AttributeValue> = {};
  for (const [key, value] of Object.entries(trigger)) {
    if (typeof value === 'string') map[key] = s(value);
  }
  return map;
}

const stored = z.object({ S: z.string() });
const storedOptional = z.optional(stored);
const itemSchema = z.object({
  commitId: stored,
  status: z.object({ S: z.enum(['pending', 'done']) }),
  recordedAt: stored,
  expiresAt: z.object({ N: z.string().check(z.regex(/^[0-9]+$/)) }),
  approvedModelPackageArn: storedOptional,
  trigger: z.object({
    M: z.union([
      z.object({
        kind: z.object({ S: z.literal('pull-request') }),
        pullRequestId: stored,
        sourceBranch: stored,
        destinationBranch: stored,
        mergeOption: storedOptional,
        mergedBy: storedOptional,
        eventId: stored,
      }),
      z.object({ kind: z.object({ S: z.literal('direct-invocation') }), sourceBranch: storedOptional }),
    ]),
  }),
});

function itemToIntent(item: Record<string, AttributeValue>): MergeIntent {
  const parsed = itemSchema.safeParse(item);
  if (!parsed.success) {
    throw new Error(
      `intent item does not have the expected shape: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  }
  const { data } = parsed;
  const t = data.trigger.M;
  return {
    commitId: data.commitId.S,
    status: data.status.S,
    recordedAt: data.recordedAt.S,
    expiresAt: Number(data.expiresAt.N),
    approvedModelPackageArn: data.approvedModelPackageArn?.S,
    trigger:
      'pullRequestId' in t
        ? {
            kind: 'pull-request',
            pullRequestId: t.pullRequestId.S,
            sourceBranch: t.sourceBranch.S,
            destinationBranch: t.destinationBranch.S,
            mergeOption: t.mergeOption?.S,
            mergedBy: t.mergedBy?.S,
            eventId: t.eventId.S,
          }
        : t.sourceBranch === undefined
          ? { kind: 'direct-invocation' }
          : { kind: 'direct-invocation', sourceBranch: t.sourceBranch.S },
  };
}

export interface IntentStore {
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
  readonly ttlDays: number;
}

/**
 * Records that `commitId` was merged and waits for its model. Conditional on no live record for the commit, so a
 * repeated event keeps the first record (returns 'already-recorded' then); an expired record that DynamoDB has not
 * deleted yet (TTL deletion runs late) is replaced.
 */
export async function recordIntent(
  store: IntentStore,
  commitId: string,
  trigger: IntentTrigger,
  now: Date,
): Promise<{ outcome: 'recorded' | 'already-recorded'; expiresAt: number }> {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const expiresAt = nowSeconds + store.ttlDays * SECONDS_PER_DAY;
  try {
    await store.dynamodb.send(
      new PutItemCommand({
        TableName: store.tableName,
        Item: {
          commitId: s(commitId),
          status: s('pending'),
          trigger: { M: triggerToItem(trigger) },
          recordedAt: s(now.toISOString()),
          expiresAt: { N: String(expiresAt) },
        },
        ConditionExpression: 'attribute_not_exists(commitId) OR expiresAt <= :now',
        ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
      }),
    );
    return { outcome: 'recorded', expiresAt };
  } catch (err) {
    if (isConditionalCheckFailed(err)) return { outcome: 'already-recorded', expiresAt };
    throw err;
  }
}

/** The intent recorded for `commitId`, unless there is none or it has expired (DynamoDB deletes expired items late). */
export async function getIntent(store: IntentStore, commitId: string, now: Date): Promise<MergeIntent | undefined> {
  const result = await store.dynamodb.send(
    new GetItemCommand({ TableName: store.tableName, Key: { commitId: s(commitId) }, ConsistentRead: true }),
  );
  if (result.Item === undefined) return undefined;
  const intent = itemToIntent(result.Item);
  return intent.expiresAt * 1000 > now.getTime() ? intent : undefined;
}

/** Marks the intent done with the approved version. A no-op if the item is gone (expired meanwhile). */
export async function markIntentDone(
  store: IntentStore,
  commitId: string,
  modelPackageArn: string,
  now: Date,
): Promise<void> {
  try {
    await store.dynamodb.send(
      new UpdateItemCommand({
        TableName: store.tableName,
        Key: { commitId: s(commitId) },
        UpdateExpression: 'SET #status = :done, approvedModelPackageArn = :arn, approvedAt = :at',
        ConditionExpression: 'attribute_exists(commitId)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':done': s('done'), ':arn': s(modelPackageArn), ':at': s(now.toISOString()) },
      }),
    );
  } catch (err) {
    if (isConditionalCheckFailed(err)) return;
    throw err;
  }
}
