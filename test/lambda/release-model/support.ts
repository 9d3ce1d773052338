/**
 * Unit-test support for the release function: an in-memory model package group and intent table behind
 * aws-sdk-client-mock, answering like the services (newest-first pages, NextToken, CreationTimeAfter, conditional
 * writes), plus the configuration and the documented events with 40-hex commit ids.
 */
import { createHash } from 'node:crypto';
import {
  AttributeValue,
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeModelPackageCommand,
  DescribeModelPackageCommandOutput,
  ListModelPackagesCommand,
  ModelApprovalStatus,
  ModelPackageStatus,
  SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { AwsClientStub } from 'aws-sdk-client-mock';
import { ReleaseConfig } from '../../../lambda/release-model/config';
import { ReleaseDeps } from '../../../lambda/release-model/release';
import { createLogger } from '../../../lambda/shared/logger';
import { awsEvent } from '../../support/fixtures';

export const GROUP = 'model-demo';
export const NOW = new Date('2026-11-22T03:00:00.000Z');

export const config: ReleaseConfig = {
  projectName: 'demo',
  repositoryName: 'MyDemoRepo',
  mainBranch: 'main',
  modelPackageGroupName: GROUP,
  intentTableName: 'release-intents-demo',
  intentTtlDays: 14,
};

/** A deterministic 40-hex commit id per label. */
export const commit = (label: string | number): string => createHash('sha1').update(String(label)).digest('hex');

export const arnOf = (version: number, group = GROUP): string =>
  `arn:aws:sagemaker:us-east-2:123456789012:model-package/${group}/${version}`;

export interface FakeVersion {
  readonly version: number;
  readonly commitId?: string;
  /** @default - `commit <commitId> trained on <branch>` per the contract, none without a commitId */
  readonly description?: string;
  readonly status?: ModelApprovalStatus;
  /** The version's ModelPackageStatus. @default Completed */
  readonly packageStatus?: ModelPackageStatus;
  /** Write the contract's metadata. @default true when commitId is set */
  readonly metadata?: boolean;
  readonly group?: string;
  /** @default - one minute per version after 2026-01-01 */
  readonly createdAt?: Date;
}

/** Versions 1..n of the group, version i trained from `commit(i)`. */
export function versions(n: number): FakeVersion[] {
  return Array.from({ length: n }, (_, i) => ({ version: i + 1, commitId: commit(i + 1) }));
}

const BASE_TIME = Date.parse('2026-01-01T00:00:00.000Z');
const creationTime = (v: FakeVersion) => v.createdAt ?? new Date(BASE_TIME + v.version * 60_000);

function describe(v: FakeVersion): DescribeModelPackageCommandOutput {
  const withMetadata = v.metadata ?? v.commitId !== undefined;
  return {
    $metadata: {},
    ModelPackageArn: arnOf(v.version, v.group),
    ModelPackageGroupName: v.group ?? GROUP,
    ModelPackageVersion: v.version,
    ModelPackageDescription: v.description ?? (v.commitId ? `commit ${v.commitId} trained on experiment/x` : undefined),
    ModelPackageName: v.group ?? GROUP,
    ModelPackageStatus: v.packageStatus ?? ModelPackageStatus.COMPLETED,
    ModelPackageStatusDetails: { ValidationStatuses: [] },
    ModelApprovalStatus: v.status ?? ModelApprovalStatus.PENDING_MANUAL_APPROVAL,
    CreationTime: creationTime(v),
    MetadataProperties: withMetadata && v.commitId ? { CommitId: v.commitId } : undefined,
    CustomerMetadataProperties:
      withMetadata && v.commitId
        ? { commit_id: v.commitId, branch: 'experiment/x', pipeline_execution_arn: `arn:exec/${v.version}` }
        : undefined,
  };
}

/** Serves `all` through ListModelPackages / DescribeModelPackage / UpdateModelPackage on the mocked client. */
export function mockRegistry(sagemaker: AwsClientStub<SageMakerClient>, all: FakeVersion[]): void {
  const byArn = new Map(all.map((v) => [arnOf(v.version, v.group), v]));
  sagemaker.on(ListModelPackagesCommand).callsFake((input: ListModelPackagesCommand['input']) => {
    const after = input.CreationTimeAfter === undefined ? undefined : new Date(input.CreationTimeAfter).getTime();
    const matching = all
      .filter((v) => (v.group ?? GROUP) === input.ModelPackageGroupName)
      .filter((v) => after === undefined || creationTime(v).getTime() > after)
      // SageMaker sorts by CreationTime (SortBy defaults to CreationTime); versions only break ties.
      .sort((a, b) => {
        const order = creationTime(a).getTime() - creationTime(b).getTime() || a.version - b.version;
        return input.SortOrder === 'Descending' ? -order : order;
      });
    const start = input.NextToken === undefined ? 0 : Number(input.NextToken);
    const size = input.MaxResults ?? 10;
    const page = matching.slice(start, start + size);
    const next = start + size < matching.length ? String(start + size) : undefined;
    return {
      ModelPackageSummaryList: page.map((v) => {
        const d = describe(v);
        return {
          ModelPackageArn: d.ModelPackageArn,
          ModelPackageGroupName: d.ModelPackageGroupName,
          ModelPackageVersion: d.ModelPackageVersion,
          ModelPackageDescription: d.ModelPackageDescription,
          ModelPackageStatus: d.ModelPackageStatus,
          ModelApprovalStatus: d.ModelApprovalStatus,
          CreationTime: d.CreationTime,
        };
      }),
      NextToken: next,
    };
  });
  sagemaker.on(DescribeModelPackageCommand).callsFake((input: DescribeModelPackageCommand['input']) => {
    const v = byArn.get(input.ModelPackageName ?? '');
    if (v === undefined) throw new Error(`Model package ${input.ModelPackageName} not found`);
    return describe(v);
  });
  // An update is kept, as SageMaker keeps it: later lists and describes show the new approval status.
  sagemaker.on(UpdateModelPackageCommand).callsFake((input: UpdateModelPackageCommand['input']) => {
    const v = byArn.get(input.ModelPackageArn ?? '');
    if (v === undefined) throw new Error(`Model package ${input.ModelPackageArn} not found`);
    const updated: FakeVersion = {
      ...v,
      ...(input.ModelApprovalStatus === undefined ? {} : { status: input.ModelApprovalStatus }),
    };
    byArn.set(input.ModelPackageArn ?? '', updated);
    all[all.indexOf(v)] = updated;
    return { ModelPackageArn: input.ModelPackageArn };
  });
}

type Item = Record<string, AttributeValue>;

interface ConditionInput {
  readonly ConditionExpression?: string;
  readonly ExpressionAttributeNames?: Record<string, string>;
  readonly ExpressionAttributeValues?: Record<string, AttributeValue>;
}

const COMPARISON = /^(#?[A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|<>|=|<|>)\s*(:[A-Za-z0-9_]+)$/;
const FUNCTION = /^(attribute_exists|attribute_not_exists)\((#?[A-Za-z_][A-Za-z0-9_]*)\)$/;

/**
 * Whether `item` (undefined: no item) satisfies a condition expression, with DynamoDB's semantics for the subset
 * the release function writes: `attribute_exists(a)`, `attribute_not_exists(a)`, `a <op> :value` on N or S
 * values (false when `a` is missing), joined by AND / OR (AND binds tighter, no parentheses). Anything else throws,
 * so that a condition the fake cannot judge fails the test rather than passing unchecked.
 */
export function conditionHolds(item: Item | undefined, input: ConditionInput): boolean {
  const expression = input.ConditionExpression;
  if (expression === undefined) return true;
  const name = (token: string): string => {
    if (!token.startsWith('#')) return token;
    const resolved = input.ExpressionAttributeNames?.[token];
    if (resolved === undefined) throw new Error(`condition names ${token}, which ExpressionAttributeNames lacks`);
    return resolved;
  };
  const term = (text: string): boolean => {
    const fn = FUNCTION.exec(text);
    if (fn) {
      const present = item?.[name(fn[2] as string)] !== undefined;
      return fn[1] === 'attribute_exists' ? present : !present;
    }
    const cmp = COMPARISON.exec(text);
    if (!cmp) throw new Error(`the fake intent table cannot evaluate the condition term ${JSON.stringify(text)}`);
    const [, attribute, op, placeholder] = cmp as unknown as [string, string, string, string];
    const value = input.ExpressionAttributeValues?.[placeholder];
    if (value === undefined) throw new Error(`condition uses ${placeholder}, which ExpressionAttributeValues lacks`);
    const actual = item?.[name(attribute)];
    if (actual === undefined) return false;
    let left: number | string;
    let right: number | string;
    if (actual.N !== undefined && value.N !== undefined) [left, right] = [Number(actual.N), Number(value.N)];
    else if (actual.S !== undefined && value.S !== undefined) [left, right] = [actual.S, value.S];
    else return false;
    switch (op) {
      case '=':
        return left === right;
      case '<>':
        return left !== right;
      case '<':
        return left < right;
      case '<=':
        return left <= right;
      case '>':
        return left > right;
      default:
        return left >= right;
    }
  };
  return expression
    .trim()
    .split(/\s+OR\s+/)
    .some((alternative) =>
      alternative
        .split(/\s+AND\s+/)
        .map((t) => t.trim())
        .every(term),
    );
}

/** An intent table keyed on commitId that evaluates the writes' ConditionExpression as DynamoDB does. */
export function mockIntentTable(dynamodb: AwsClientStub<DynamoDBClient>): Map<string, Item> {
  const items = new Map<string, Item>();
  const failed = () =>
    new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
  dynamodb.on(PutItemCommand).callsFake((input: PutItemCommand['input']) => {
    const key = input.Item?.commitId?.S ?? '';
    if (!conditionHolds(items.get(key), input)) throw failed();
    items.set(key, { ...input.Item });
    return {};
  });
  dynamodb
    .on(GetItemCommand)
    .callsFake((input: GetItemCommand['input']) => ({ Item: items.get(input.Key?.commitId?.S ?? '') }));
  dynamodb.on(UpdateItemCommand).callsFake((input: UpdateItemCommand['input']) => {
    const item = items.get(input.Key?.commitId?.S ?? '');
    if (!conditionHolds(item, input)) throw failed();
    if (item === undefined)
      throw new Error('the fake intent table only updates existing items (an upsert is not modelled)');
    const values = input.ExpressionAttributeValues ?? {};
    items.set(input.Key?.commitId?.S ?? '', {
      ...item,
      status: values[':done'] ?? { S: '?' },
      approvedModelPackageArn: values[':arn'] ?? { S: '?' },
      approvedAt: values[':at'] ?? { S: '?' },
    });
    return {};
  });
  return items;
}

export interface LogLine {
  level: string;
  message: string;
  [key: string]: unknown;
}

export function makeDeps(): { deps: ReleaseDeps; logs: LogLine[] } {
  const logs: LogLine[] = [];
  return {
    logs,
    deps: {
      config,
      sagemaker: new SageMakerClient({ region: 'us-east-2' }),
      dynamodb: new DynamoDBClient({ region: 'us-east-2' }),
      logger: createLogger({}, { level: 'DEBUG', write: (line) => logs.push(JSON.parse(line) as LogLine) }),
      now: () => NOW,
    },
  };
}

type Detail = Record<string, unknown>;
type Event = { id: string; detail: Detail; [key: string]: unknown };

/** The documented merge event, merged from `experiment/deeper-trees` with `sourceCommit` and the given option. */
export function mergeEvent(sourceCommit: string, changes: Detail = {}): Event {
  const event = awsEvent<Event>('codecommit-pullRequestMergeStatusUpdated.json');
  event.detail = {
    ...event.detail,
    sourceCommit,
    destinationCommit: commit('destination'),
    sourceReference: 'refs/heads/experiment/deeper-trees',
    ...changes,
  };
  return event;
}

/** The documented referenceUpdated event, on `main` by default. */
export function pushEvent(commitId: string, changes: Detail = {}): Event {
  const event = awsEvent<Event>('codecommit-referenceUpdated.json');
  event.detail = {
    ...event.detail,
    referenceName: 'main',
    referenceFullName: 'refs/heads/main',
    commitId,
    oldCommitId: commit('old-head'),
    ...changes,
  };
  return event;
}

/** The documented model package state change, for version `version` of the group, with the string source. */
export function registeredEvent(version: number, group = GROUP): Event {
  const event = awsEvent<Event>('sagemaker-model-package-state-change.json');
  event.source = 'aws.sagemaker';
  event.resources = [arnOf(version, group)];
  event.detail = {
    ...event.detail,
    ModelPackageGroupName: group,
    ModelPackageVersion: version,
    ModelPackageArn: arnOf(version, group),
    ModelApprovalStatus: 'PendingManualApproval',
  };
  return event;
}
