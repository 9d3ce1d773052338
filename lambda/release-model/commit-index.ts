/**
 * The commit index: commit → the model versions trained from it, in every group of the project, each with the facts
 * the release function verified itself when SageMaker reported the version (which pipeline's execution registered
 * it, and the version's approval status when first seen). A merge reads its versions with one DynamoDB Query, so
 * no release path lists the registry.
 *
 * Table: partition key `commitId` (S), sort key `modelPackageArn` (S). Only the release function writes it (the
 * table's resource policy denies writes to every other principal), and only after verification, so an entry is a
 * fact, not a claim. The first sighting of a version is kept (conditional write): a later state change (our own
 * approval) never overwrites what the version looked like when it was registered.
 */
import { AttributeValue, DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import * as z from 'zod/mini';
import { isConditionalCheckFailed } from '../../contracts/sdk-errors/dynamodb';

export interface IndexEntry {
  readonly commitId: string;
  readonly modelPackageArn: string;
  readonly modelPackageGroupName: string;
  readonly modelPackageVersion: number;
  /** The pipeline whose execution registered the version, lower case (SageMaker ARNs are). */
  readonly pipelineName: string;
  readonly pipelineExecutionArn: string;
  /** ModelApprovalStatus when the function first saw the version: `Approved` here means registered Approved. */
  readonly registeredApprovalStatus: string;
  readonly indexedAt: string;
}

/** DynamoDB actions of this module: what the release role is granted on the index, and no more. */
export const COMMIT_INDEX_ACTIONS = ['dynamodb:PutItem', 'dynamodb:Query'];

const s = (value: string): AttributeValue => ({ S: value });

const itemSchema = z.object({
  commitId: z.object({ S: z.string() }),
  modelPackageArn: z.object({ S: z.string() }),
  modelPackageGroupName: z.object({ S: z.string() }),
  modelPackageVersion: z.object({ N: z.string() }),
  pipelineName: z.object({ S: z.string() }),
  pipelineExecutionArn: z.object({ S: z.string() }),
  registeredApprovalStatus: z.object({ S: z.string() }),
  indexedAt: z.object({ S: z.string() }),
});

/** Writes the entry unless the version is indexed already; returns what the index holds for it afterwards. */
export async function putIndexEntry(
  dynamodb: DynamoDBClient,
  tableName: string,
  entry: IndexEntry,
): Promise<'indexed' | 'already-indexed'> {
  try {
    await dynamodb.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          commitId: s(entry.commitId),
          modelPackageArn: s(entry.modelPackageArn),
          modelPackageGroupName: s(entry.modelPackageGroupName),
          modelPackageVersion: { N: String(entry.modelPackageVersion) },
          pipelineName: s(entry.pipelineName),
          pipelineExecutionArn: s(entry.pipelineExecutionArn),
          registeredApprovalStatus: s(entry.registeredApprovalStatus),
          indexedAt: s(entry.indexedAt),
        },
        ConditionExpression: 'attribute_not_exists(modelPackageArn)',
      }),
    );
    return 'indexed';
  } catch (err) {
    if (isConditionalCheckFailed(err)) return 'already-indexed';
    throw err;
  }
}

/** Every indexed version of `commitId` (one strongly consistent Query; a commit has a handful of versions). */
export async function queryCommit(
  dynamodb: DynamoDBClient,
  tableName: string,
  commitId: string,
): Promise<IndexEntry[]> {
  const entries: IndexEntry[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'commitId = :c',
        ExpressionAttributeValues: { ':c': s(commitId) },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      const parsed = z.safeParse(itemSchema, item);
      if (!parsed.success) throw new Error(`commit index item of ${commitId} does not have the expected shape`);
      const d = parsed.data;
      entries.push({
        commitId: d.commitId.S,
        modelPackageArn: d.modelPackageArn.S,
        modelPackageGroupName: d.modelPackageGroupName.S,
        modelPackageVersion: Number(d.modelPackageVersion.N),
        pipelineName: d.pipelineName.S,
        pipelineExecutionArn: d.pipelineExecutionArn.S,
        registeredApprovalStatus: d.registeredApprovalStatus.S,
        indexedAt: d.indexedAt.S,
      });
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return entries;
}
