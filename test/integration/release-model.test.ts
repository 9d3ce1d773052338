/**
 * The release function against moto_server: the real SDK, a model package group of 1,000 versions registered per
 * the metadata contract, and a DynamoDB intent table.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateModelPackageCommand,
  DescribeModelPackageCommand,
  ListModelPackagesCommand,
  ModelPackageSummary,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { ReleaseConfig } from '../../lambda/release-model/config';
import { handleReleaseEvent, ReleaseDeps } from '../../lambda/release-model/release';
import { createLogger } from '../../lambda/shared/logger';
import { awsEvent } from '../support/fixtures';
import { MotoServer, startMoto, useMotoEnvironment } from '../support/moto';
import {
  createIntentTable,
  createModelPackageGroup,
  fakeCommitId,
  recordCommands,
  registerVersion,
  registerVersions,
} from '../support/model-registry';

const GROUP = 'model-demo';
const SIZE = 1000;
/** Version (1-based, oldest first) whose commit the experiment merged; 50 newer versions follow it. */
const MERGED_VERSION = 950;

const config: ReleaseConfig = {
  projectName: 'demo',
  repositoryName: 'model-demo-train',
  mainBranch: 'main',
  modelPackageGroupName: GROUP,
  intentTableName: 'demo-release-intents',
  intentTtlDays: 14,
};

let moto: MotoServer;
let sagemaker: SageMakerClient;
let dynamodb: DynamoDBClient;
let sent: string[];
let arns: string[];
let deps: ReleaseDeps;

type Detail = Record<string, unknown>;

function mergeEvent(sourceCommit: string, mergeOption: string, pullRequestId: string): { detail: Detail } {
  const event = awsEvent<{ detail: Detail }>('codecommit-pullRequestMergeStatusUpdated.json');
  event.detail = {
    ...event.detail,
    repositoryNames: [config.repositoryName],
    pullRequestId,
    mergeOption,
    sourceCommit,
    sourceReference: 'refs/heads/experiment/deeper-trees',
    destinationCommit: fakeCommitId(SIZE),
  };
  return event;
}

function registeredEvent(arn: string, version: number): Record<string, unknown> {
  const event = awsEvent<Record<string, unknown> & { detail: Detail }>('sagemaker-model-package-state-change.json');
  return {
    ...event,
    source: 'aws.sagemaker',
    resources: [arn],
    detail: { ...event.detail, ModelPackageGroupName: GROUP, ModelPackageArn: arn, ModelPackageVersion: version },
  };
}

async function listAll(): Promise<ModelPackageSummary[]> {
  const all: ModelPackageSummary[] = [];
  let token: string | undefined;
  do {
    const page = await sagemaker.send(
      new ListModelPackagesCommand({ ModelPackageGroupName: GROUP, MaxResults: 100, NextToken: token }),
    );
    all.push(...(page.ModelPackageSummaryList ?? []));
    token = page.NextToken;
  } while (token);
  return all;
}

const describe_ = (arn: string) => sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));

beforeAll(async () => {
  moto = await startMoto();
  useMotoEnvironment(moto.endpoint);
  sagemaker = new SageMakerClient({});
  dynamodb = new DynamoDBClient({});
  await createModelPackageGroup(sagemaker, GROUP);
  await createIntentTable(dynamodb, config.intentTableName);
  const started = Date.now();
  arns = await registerVersions(
    sagemaker,
    GROUP,
    Array.from({ length: SIZE }, (_, i) => ({ commitId: fakeCommitId(i + 1) })),
  );
  process.stdout.write(`registered ${SIZE} model versions in moto in ${Date.now() - started} ms\n`);
  sent = recordCommands(sagemaker);
  deps = { config, sagemaker, dynamodb, logger: createLogger({}, { write: () => undefined }) };
}, 120_000);

afterAll(async () => moto?.stop());

beforeEach(() => {
  sent.length = 0;
});

describe('release function against moto_server', () => {
  it('approves exactly the merged commit version on a squash merge among 1,000, touching no other', async () => {
    // prepare
    const before = await listAll();
    expect(before).toHaveLength(SIZE);
    expect(before.every((v) => v.ModelApprovalStatus === 'PendingManualApproval')).toBe(true);
    sent.length = 0;
    const target = arns[MERGED_VERSION - 1] ?? '';

    // act
    const result = await handleReleaseEvent(mergeEvent(fakeCommitId(MERGED_VERSION), 'SQUASH_MERGE', '7'), deps);

    // assert: the lookup took 2 calls, then one update, of the right version
    expect(result).toMatchObject({ outcome: 'approved', modelPackageArn: target, modelPackageVersion: MERGED_VERSION });
    expect(sent).toEqual(['ListModelPackagesCommand', 'DescribeModelPackageCommand', 'UpdateModelPackageCommand']);
    const after = await listAll();
    const approved = after.filter((v) => v.ModelApprovalStatus === 'Approved').map((v) => v.ModelPackageArn);
    expect(approved).toEqual([target]);
    const described = await describe_(target);
    expect(described.ApprovalDescription).toMatch(
      /pull request 7 from experiment\/deeper-trees was merged into main \(SQUASH_MERGE\) by arn:aws:sts::123456789012:assumed-role\/Admin\/Mary_Major/,
    );
    expect(described.CustomerMetadataProperties).toMatchObject({
      commit_id: fakeCommitId(MERGED_VERSION),
      branch: 'experiment/bench',
      release_pull_request_id: '7',
      release_merge_option: 'SQUASH_MERGE',
    });
    // neighbours and main's previous head keep their metadata and were never modified
    for (const version of [MERGED_VERSION - 1, MERGED_VERSION + 1, SIZE]) {
      const other = await describe_(arns[version - 1] ?? '');
      expect(other.LastModifiedTime).toBeUndefined();
      expect(other.ApprovalDescription).toBeUndefined();
      expect(other.CustomerMetadataProperties).toEqual({
        commit_id: fakeCommitId(version),
        branch: 'experiment/bench',
        pipeline_execution_arn: expect.stringContaining('execution/'),
      });
    }

    // the same event again: success, no second update
    sent.length = 0;
    const again = await handleReleaseEvent(mergeEvent(fakeCommitId(MERGED_VERSION), 'SQUASH_MERGE', '7'), deps);
    expect(again.outcome).toBe('already-approved');
    expect(sent).not.toContain('UpdateModelPackageCommand');
  });

  it('approves the oldest version by direct invocation, paging through the group', async () => {
    const result = await handleReleaseEvent({ commit_id: fakeCommitId(1) }, deps);

    expect(result).toMatchObject({ outcome: 'approved', modelPackageArn: arns[0] });
    expect(sent.filter((name) => name === 'ListModelPackagesCommand')).toHaveLength(SIZE / 100);
    expect((await describe_(arns[0] ?? '')).ModelApprovalStatus).toBe('Approved');
  });

  it('rejects an unknown commit by direct invocation, approving nothing', async () => {
    const approvedBefore = (await listAll()).filter((v) => v.ModelApprovalStatus === 'Approved').length;

    await expect(handleReleaseEvent({ commit_id: fakeCommitId('never-trained') }, deps)).rejects.toMatchObject({
      name: 'NotFoundError',
    });

    expect((await listAll()).filter((v) => v.ModelApprovalStatus === 'Approved')).toHaveLength(approvedBefore);
  });

  it('approves the merged commit once its model is registered after the merge', async () => {
    const lateCommit = fakeCommitId('merged-before-training-finished');

    // the merge arrives first: the intent is recorded
    const merged = await handleReleaseEvent(mergeEvent(lateCommit, 'THREE_WAY_MERGE', '8'), deps);
    expect(merged.outcome).toBe('intent-recorded');
    expect(sent).not.toContain('UpdateModelPackageCommand');
    const intent = await dynamodb.send(
      new GetItemCommand({ TableName: config.intentTableName, Key: { commitId: { S: lateCommit } } }),
    );
    expect(intent.Item?.status).toEqual({ S: 'pending' });
    expect(Number(intent.Item?.expiresAt?.N)).toBeGreaterThan(Date.now() / 1000 + 13 * 86_400);

    // training registers the version; SageMaker reports it
    const arn = await registerVersion(sagemaker, GROUP, { commitId: lateCommit, branch: 'experiment/deeper-trees' });
    const version = SIZE + 1;
    const registered = await handleReleaseEvent(registeredEvent(arn, version), deps);

    expect(registered).toMatchObject({ outcome: 'approved', modelPackageArn: arn, modelPackageVersion: version });
    const described = await describe_(arn);
    expect(described.ModelApprovalStatus).toBe('Approved');
    expect(described.ApprovalDescription).toMatch(/pull request 8 .*\(THREE_WAY_MERGE\).*approved on registration/);
    const done = await dynamodb.send(
      new GetItemCommand({ TableName: config.intentTableName, Key: { commitId: { S: lateCommit } } }),
    );
    expect(done.Item).toMatchObject({ status: { S: 'done' }, approvedModelPackageArn: { S: arn } });

    // the state change of the approval itself, and the merge delivered again: nothing more
    sent.length = 0;
    await handleReleaseEvent(registeredEvent(arn, version), deps);
    await handleReleaseEvent(mergeEvent(lateCommit, 'THREE_WAY_MERGE', '8'), deps);
    expect(sent).not.toContain('UpdateModelPackageCommand');
  });

  it('skips a newer hand-registered version without metadata and approves the contract version', async () => {
    const handCommit = fakeCommitId('hand');
    const contractArn = await registerVersion(sagemaker, GROUP, { commitId: handCommit });
    const hand = await sagemaker.send(
      new CreateModelPackageCommand({
        ModelPackageGroupName: GROUP,
        ModelPackageDescription: `commit ${handCommit} copied by hand`,
        InferenceSpecification: {
          Containers: [{ Image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1' }],
          SupportedContentTypes: ['text/csv'],
          SupportedResponseMIMETypes: ['text/csv'],
        },
      }),
    );
    sent.length = 0;

    const result = await handleReleaseEvent({ commit_id: handCommit }, deps);
    const calls = [...sent];

    expect(result).toMatchObject({ outcome: 'approved', modelPackageArn: contractArn });
    expect((await describe_(hand.ModelPackageArn ?? '')).ModelApprovalStatus).not.toBe('Approved');
    expect(calls).toEqual([
      'ListModelPackagesCommand',
      'DescribeModelPackageCommand',
      'DescribeModelPackageCommand',
      'UpdateModelPackageCommand',
    ]);
  });
});
