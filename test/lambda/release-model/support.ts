/**
 * Unit-test support for the release function: an in-memory model package group and intent table behind
 * aws-sdk-client-mock, answering like the services (newest-first pages, NextToken, CreationTimeAfter, conditional
 * writes), plus the configuration and the documented events with 40-hex commit ids.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CodeCommitClient,
  EvaluatePullRequestApprovalRulesCommand,
  GetPullRequestCommand,
  PullRequestDoesNotExistException,
} from '@aws-sdk/client-codecommit';
import {
  AttributeValue,
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { CopyObjectCommand, GetObjectCommand, GetObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeModelPackageCommand,
  DescribeModelPackageCommandOutput,
  DescribePipelineExecutionCommand,
  ListModelPackagesCommand,
  ListPipelineExecutionStepsCommand,
  ListTagsCommand,
  ModelApprovalStatus,
  ModelPackageStatus,
  ResourceNotFound,
  SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { ReleaseConfig } from '../../../lambda/release-model/config';
import { ReleaseDeps } from '../../../lambda/release-model/release';
import { createLogger } from '../../../lambda/shared/logger';
import { sageMakerPipelineName } from '../../../contracts/naming';
import { awsEvent } from '../../support/fixtures';

export const GROUP = 'model-demo';
export const NOW = new Date('2026-11-22T03:00:00.000Z');
export const PROJECT_ID = 'p-demo00000001';
export const BUCKET = 'demo-artifacts';
/** The branch every merge event of the tests merges (the documented sample's source, renamed). */
export const SOURCE_BRANCH = 'experiment/deeper-trees';
export const PREFIX = 'arn:aws:sagemaker:us-east-2:123456789012:';

export const config: ReleaseConfig = {
  projectName: 'demo',
  repositoryName: 'MyDemoRepo',
  mainBranch: 'main',
  modelPackageGroupName: GROUP,
  intentTableName: 'release-intents-demo',
  intentTtlDays: 14,
  projectId: PROJECT_ID,
  commitIndexTableName: 'commit-index-demo',
  approveOnPushToMain: false,
  artifactBucketName: BUCKET,
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
  /** The branch whose pipeline's execution registered the version. @default SOURCE_BRANCH */
  readonly branch?: string;
  /**
   * How the version came to be: registered by its execution's RegisterModel step (`pipeline`), created by hand with
   * the metadata of an execution that did not register it (`hand`), or naming an execution SageMaker does not know
   * (`no-execution`). @default 'pipeline'
   */
  readonly origin?: 'pipeline' | 'hand' | 'no-execution';
  /** The execution id the version names. @default `exec<version>` */
  readonly executionId?: string;
  /** Approved by a release earlier (carries `release_approved_at`), rather than registered so. */
  readonly released?: boolean;
  /** Project id tag of the pipeline. @default PROJECT_ID */
  readonly pipelineProjectId?: string;
}

export const pipelineArnOf = (branch: string) => `${PREFIX}pipeline/${sageMakerPipelineName('demo', branch)}`;
export const executionArnOf = (v: FakeVersion) =>
  `${pipelineArnOf(v.branch ?? SOURCE_BRANCH)}/execution/${v.executionId ?? `exec${v.version}`}`;

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
        ? {
            commit_id: v.commitId,
            branch: v.branch ?? SOURCE_BRANCH,
            pipeline_execution_id: v.executionId ?? `exec${v.version}`,
            pipeline_execution_arn: executionArnOf(v),
            ...(v.released ? { release_approved_at: '2026-11-01T00:00:00.000Z' } : {}),
          }
        : undefined,
    InferenceSpecification: {
      Containers: [
        {
          Image: '123456789012.dkr.ecr.us-east-2.amazonaws.com/train:1',
          ModelDataUrl: `s3://${BUCKET}/${sageMakerPipelineName('demo', v.branch ?? SOURCE_BRANCH)}/exec${v.version}/TrainModel/output/model.tar.gz`,
        },
      ],
      SupportedContentTypes: ['text/csv'],
      SupportedResponseMIMETypes: ['text/csv'],
    },
  };
}

/** Groups whose `sagemaker:project-id` tag is another project's (contract 1: names prove nothing). */
export const FOREIGN_GROUPS = new Set<string>(['model-demo-foreign']);

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
  sagemaker.on(ListTagsCommand).callsFake((input: ListTagsCommand['input']) => {
    const arn = input.ResourceArn ?? '';
    const group = /:model-package-group\/(.+)$/.exec(arn)?.[1];
    if (group !== undefined) {
      return {
        Tags: [{ Key: 'sagemaker:project-id', Value: FOREIGN_GROUPS.has(group) ? 'p-other0000001' : PROJECT_ID }],
      };
    }
    const owner = all.find((v) => pipelineArnOf(v.branch ?? SOURCE_BRANCH) === arn);
    return { Tags: [{ Key: 'sagemaker:project-id', Value: owner?.pipelineProjectId ?? PROJECT_ID }] };
  });
  const executions = (arn: string) =>
    all.filter((v) => (v.origin ?? 'pipeline') !== 'no-execution' && executionArnOf(v) === arn);
  sagemaker.on(DescribePipelineExecutionCommand).callsFake((input: DescribePipelineExecutionCommand['input']) => {
    const arn = input.PipelineExecutionArn ?? '';
    if (executions(arn).length === 0) {
      throw new ResourceNotFound({ message: `Pipeline execution ${arn} does not exist`, $metadata: {} });
    }
    return {
      PipelineExecutionArn: arn,
      PipelineArn: arn.split('/execution/')[0],
      PipelineExecutionStatus: 'Succeeded',
    };
  });
  sagemaker.on(ListPipelineExecutionStepsCommand).callsFake((input: ListPipelineExecutionStepsCommand['input']) => ({
    PipelineExecutionSteps: [
      {
        StepName: 'TrainModel',
        StepStatus: 'Succeeded',
        Metadata: { TrainingJob: { Arn: `${PREFIX}training-job/x` } },
      },
      ...executions(input.PipelineExecutionArn ?? '')
        .filter((v) => (v.origin ?? 'pipeline') === 'pipeline')
        .map((v) => ({
          StepName: 'RegisterModel-RegisterModel',
          StepStatus: 'Succeeded',
          Metadata: { RegisterModel: { Arn: arnOf(v.version, v.group) } },
        })),
    ],
  }));
}

/** S3 as the artifact copy sees it: a versioned bucket whose objects hold their key's bytes. */
export function mockArtifacts(s3: AwsClientStub<S3Client>): { copies: string[] } {
  const copies: string[] = [];
  s3.on(CopyObjectCommand).callsFake((input: CopyObjectCommand['input']) => {
    copies.push(`${input.CopySource} -> ${input.Key}`);
    return { VersionId: `v${copies.length}` };
  });
  s3.on(GetObjectCommand).callsFake((input: GetObjectCommand['input']) => ({
    // The function reads the body as an async iterable of bytes, which a Node stream is.
    Body: Readable.from([Buffer.from(`bytes of ${input.Key}`)]) as unknown as GetObjectCommandOutput['Body'],
    VersionId: input.VersionId,
  }));
  return { copies };
}

/** What CodeCommit says of a pull request (GetPullRequest + EvaluatePullRequestApprovalRules). */
export interface PullRequestFacts {
  readonly pullRequestId: string;
  readonly sourceBranch: string;
  readonly destinationBranch: string;
  readonly sourceCommit: string;
  readonly isMerged: boolean;
  readonly mergedBy: string;
  readonly mergeOption: string;
  readonly approved: boolean;
  readonly overridden?: boolean;
  readonly repositoryName?: string;
}

/** The pull requests CodeCommit knows; mergeEvent() adds the honest facts of the merge it builds. */
export const pullRequests = new Map<string, PullRequestFacts>();

/** CodeCommit answering from {@link pullRequests}, in the SDK's shapes. */
export function mockCodeCommit(codecommit: AwsClientStub<CodeCommitClient>): void {
  codecommit.on(GetPullRequestCommand).callsFake((input: GetPullRequestCommand['input']) => {
    const pr = pullRequests.get(input.pullRequestId ?? '');
    if (pr === undefined) {
      throw new PullRequestDoesNotExistException({
        message: `pull request ${input.pullRequestId} does not exist`,
        $metadata: {},
      });
    }
    return {
      pullRequest: {
        pullRequestId: pr.pullRequestId,
        pullRequestStatus: pr.isMerged ? 'CLOSED' : 'OPEN',
        revisionId: `rev-${pr.pullRequestId}`,
        authorArn: 'arn:aws:iam::123456789012:user/author',
        pullRequestTargets: [
          {
            repositoryName: pr.repositoryName ?? config.repositoryName,
            sourceReference: `refs/heads/${pr.sourceBranch}`,
            destinationReference: `refs/heads/${pr.destinationBranch}`,
            sourceCommit: pr.sourceCommit,
            destinationCommit: commit('destination'),
            mergeMetadata: {
              isMerged: pr.isMerged,
              ...(pr.isMerged
                ? { mergedBy: pr.mergedBy, mergeOption: pr.mergeOption, mergeCommitId: commit('m') }
                : {}),
            },
          },
        ],
      },
    };
  });
  codecommit
    .on(EvaluatePullRequestApprovalRulesCommand)
    .callsFake((input: EvaluatePullRequestApprovalRulesCommand['input']) => {
      const pr = pullRequests.get(input.pullRequestId ?? '');
      return {
        evaluation: {
          approved: pr?.approved ?? false,
          overridden: pr?.overridden ?? false,
          approvalRulesSatisfied: pr?.approved ? ['2 approvals from the leads'] : [],
          approvalRulesNotSatisfied: pr?.approved ? [] : ['2 approvals from the leads'],
        },
      };
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

/** The commit index (key commitId + modelPackageArn), filled by the function's writes. */
export const indexItems = new Map<string, Item>();

/**
 * Writes the index entry the registration path writes for `v`, directly: for races where the registration lands
 * between two steps of a merge (a fake's callback cannot await the function).
 */
export function indexDirectly(v: FakeVersion): void {
  const arn = arnOf(v.version, v.group);
  indexItems.set(`${v.commitId}#${arn}`, {
    commitId: { S: v.commitId ?? '' },
    modelPackageArn: { S: arn },
    modelPackageGroupName: { S: v.group ?? GROUP },
    modelPackageVersion: { N: String(v.version) },
    pipelineName: { S: sageMakerPipelineName('demo', v.branch ?? SOURCE_BRANCH) },
    pipelineExecutionArn: { S: executionArnOf(v) },
    registeredApprovalStatus: { S: 'PendingManualApproval' },
    indexedAt: { S: NOW.toISOString() },
  });
}

/**
 * An intent table keyed on commitId that evaluates the writes' ConditionExpression as DynamoDB does, and the commit
 * index table ({@link indexItems}, Query by commitId), told apart by TableName.
 */
export function mockIntentTable(dynamodb: AwsClientStub<DynamoDBClient>): Map<string, Item> {
  const items = new Map<string, Item>();
  indexItems.clear();
  const failed = () =>
    new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
  dynamodb.on(PutItemCommand).callsFake((input: PutItemCommand['input']) => {
    if (input.TableName === config.commitIndexTableName) {
      const key = `${input.Item?.commitId?.S}#${input.Item?.modelPackageArn?.S}`;
      if (!conditionHolds(indexItems.get(key), input)) throw failed();
      indexItems.set(key, { ...input.Item });
      return {};
    }
    const key = input.Item?.commitId?.S ?? '';
    if (!conditionHolds(items.get(key), input)) throw failed();
    items.set(key, { ...input.Item });
    return {};
  });
  dynamodb.on(QueryCommand).callsFake((input: QueryCommand['input']) => {
    if (input.TableName !== config.commitIndexTableName) throw new Error(`Query of ${input.TableName}`);
    const wanted = input.ExpressionAttributeValues?.[':c']?.S;
    return { Items: [...indexItems.values()].filter((item) => item.commitId?.S === wanted) };
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
      codecommit: new CodeCommitClient({ region: 'us-east-2' }),
      s3: new S3Client({ region: 'us-east-2' }),
      logger: createLogger({}, { level: 'DEBUG', write: (line) => logs.push(JSON.parse(line) as LogLine) }),
      now: () => NOW,
    },
  };
}

type Detail = Record<string, unknown>;
type Event = { id: string; detail: Detail; [key: string]: unknown };

/**
 * The documented merge event, merged from `experiment/deeper-trees` with `sourceCommit` and the given option; unless
 * `forged`, CodeCommit ({@link pullRequests}) knows the merge as the event tells it, approved by its rules.
 */
export function mergeEvent(sourceCommit: string, changes: Detail = {}, options: { forged?: boolean } = {}): Event {
  const event = awsEvent<Event>('codecommit-pullRequestMergeStatusUpdated.json');
  event.detail = {
    ...event.detail,
    sourceCommit,
    destinationCommit: commit('destination'),
    sourceReference: `refs/heads/${SOURCE_BRANCH}`,
    ...changes,
  };
  if (!options.forged) {
    const d = event.detail as Record<string, string>;
    pullRequests.set(String(d.pullRequestId), {
      pullRequestId: String(d.pullRequestId),
      sourceBranch: String(d.sourceReference).replace(/^refs\/heads\//, ''),
      destinationBranch: String(d.destinationReference).replace(/^refs\/heads\//, ''),
      sourceCommit: String(d.sourceCommit),
      isMerged: d.isMerged === 'True',
      mergedBy: d.callerUserArn ?? 'arn:aws:sts::123456789012:assumed-role/Admin/Mary_Major',
      mergeOption: d.mergeOption ?? 'FAST_FORWARD_MERGE',
      approved: true,
    });
  }
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

/**
 * The four mocked clients of the release function, reset before each test with CodeCommit, S3 and both tables
 * answering (a test installs the registry it needs with mockRegistry).
 */
export function useReleaseMocks() {
  const mocks = {
    sagemaker: mockClient(SageMakerClient),
    dynamodb: mockClient(DynamoDBClient),
    codecommit: mockClient(CodeCommitClient),
    s3: mockClient(S3Client),
  };
  beforeEach(() => {
    for (const mock of Object.values(mocks)) mock.reset();
    pullRequests.clear();
    mockCodeCommit(mocks.codecommit);
    mockArtifacts(mocks.s3);
    mockIntentTable(mocks.dynamodb);
  });
  return mocks;
}

/** SageMaker calls `sagemaker` received before the first UpdateModelPackage (all of them if there is none). */
export function callsBeforeUpdate(sagemaker: AwsClientStub<SageMakerClient>): number {
  const names = sagemaker.calls().map((call) => call.args[0].constructor.name);
  const index = names.indexOf(UpdateModelPackageCommand.name);
  return index === -1 ? names.length : index;
}
