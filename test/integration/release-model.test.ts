/**
 * The release function against moto_server with the real SDK: versions registered by real pipeline executions in
 * moto (each reported by its state change event, so the function verifies and indexes it), DynamoDB intent and
 * commit index tables, a versioned artifact bucket, and the pull requests answered by the CodeCommit stand-in.
 * The group holds one version more than the bounded fallback reads (its one page of the newest), so the oldest is
 * beyond that page: the versions the tests release come first, through the whole registration; the others, there
 * only to fill the page, are registered as the RegisterModel step registers a version but never reported (versions
 * from before the commit index), one request each instead of the dozen a reported registration takes.
 *
 * Stand-ins, and what they cannot prove: moto has no ListPipelineExecutionSteps (test/support/sagemaker-steps.ts
 * answers it from the registrations the test played) and no pull request APIs (the CodeCommit stand-in, whose shapes
 * test/e2e/codecommit-standin.test.ts checks with the SDK). moto enforces no IAM here: that only the release role may
 * write the approved prefix is the bucket policy's job, checked in test/lib.
 */
import { createHash } from 'node:crypto';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CodeCommitClient } from '@aws-sdk/client-codecommit';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateModelPackageCommand,
  DescribeModelPackageCommand,
  ListModelPackagesCommand,
  ModelPackageSummary,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { loadReleaseConfig } from '../../lambda/release-model/config';
import { handleReleaseEvent, ReleaseDeps } from '../../lambda/release-model/release';
import { FALLBACK_MAX_VERSIONS } from '../../lambda/release-model/registry';
import { createLogger } from '../../lambda/shared/logger';
import { CodeCommitStandIn, reviewedMergeRecord, startCodeCommitStandIn } from '../e2e/support/codecommit-standin';
import { PullRequestRecord } from '../e2e/support/git-events';
import { awsEvent } from '../support/fixtures';
import { MotoServer, startMoto, useMotoEnvironment } from '../support/moto';
import {
  createReleaseResources,
  fakeCommitId,
  recordCommands,
  registerFromExecution,
  registerVersion,
  releaseEnvironment,
  ReleaseResources,
  stateChangeEvent,
} from '../support/model-registry';
import { SageMakerStepsStandIn, startSageMakerStepsStandIn } from '../support/sagemaker-steps';

const SOURCE = 'experiment/deeper-trees';
/** One more than the bounded fallback reads (its one page of the newest), so the oldest is found through the index only. */
const SIZE = FALLBACK_MAX_VERSIONS + 1;
/** The oldest versions, registered by executions and indexed (commits 1 to 5: the ones the tests release). */
const REPORTED = 5;
const r: ReleaseResources = {
  projectName: 'demo',
  projectId: 'p-demo00000001',
  group: 'model-demo',
  intentTable: 'demo-release-intents',
  indexTable: 'demo-commit-index',
  bucket: 'demo-artifacts',
};

let moto: MotoServer;
let steps: SageMakerStepsStandIn;
let codecommitStandIn: CodeCommitStandIn;
let sagemaker: SageMakerClient;
let s3: S3Client;
let sent: string[];
let arns: string[];
let deps: ReleaseDeps;
const pullRequestRecords = new Map<string, PullRequestRecord>();

/** CodeCommit's record of a reviewed pull request from SOURCE merged into main at `sourceCommit`. */
function mergedPullRequest(id: string, sourceCommit: string, mergeOption: string): PullRequestRecord {
  return reviewedMergeRecord({
    pullRequestId: id,
    source: SOURCE,
    sourceCommit,
    mergeOption,
    destinationCommit: fakeCommitId('main'),
    mergeCommitId: fakeCommitId(`merge-${id}`),
  });
}

function mergeEvent(sourceCommit: string, mergeOption: string, pullRequestId: string): Record<string, unknown> {
  const event = awsEvent<{ detail: Record<string, unknown> }>('codecommit-pullRequestMergeStatusUpdated.json');
  event.detail = {
    ...event.detail,
    repositoryNames: ['model-demo-train'],
    pullRequestId,
    mergeOption,
    sourceCommit,
    sourceReference: `refs/heads/${SOURCE}`,
    destinationCommit: fakeCommitId('main'),
  };
  return event;
}

async function listAll(): Promise<ModelPackageSummary[]> {
  const all: ModelPackageSummary[] = [];
  let token: string | undefined;
  do {
    const page = await sagemaker.send(
      new ListModelPackagesCommand({ ModelPackageGroupName: r.group, MaxResults: 100, NextToken: token }),
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
  steps = await startSageMakerStepsStandIn(moto.endpoint);
  codecommitStandIn = await startCodeCommitStandIn({
    repositoryName: 'model-demo-train',
    branches: () => new Map(),
    pullRequestRecords,
  });
  sagemaker = new SageMakerClient({ endpoint: steps.endpoint });
  s3 = new S3Client({ forcePathStyle: true });
  const dynamodb = new DynamoDBClient({});
  await createReleaseResources({ sagemaker, dynamodb, s3 }, r);
  const config = loadReleaseConfig({ ...releaseEnvironment(r, 'model-demo-train') });
  deps = {
    config,
    sagemaker,
    dynamodb,
    s3,
    codecommit: new CodeCommitClient({ endpoint: codecommitStandIn.endpoint }),
    logger: createLogger({}, { write: () => undefined }),
  };
  const started = Date.now();
  arns = [];
  for (let i = 1; i <= REPORTED; i += 1) {
    const { arn } = await registerFromExecution({ sagemaker, s3 }, steps, r, {
      commitId: fakeCommitId(i),
      branch: SOURCE,
    });
    arns.push(arn);
    // SageMaker reports the registration: the function verifies it and writes the index.
    const indexed = await handleReleaseEvent(await stateChangeEvent(sagemaker, arn), deps);
    expect(indexed.message).toContain('indexed');
  }
  // The newer versions that push the oldest beyond the fallback's page (one at a time: moto numbers them by count).
  for (let i = REPORTED + 1; i <= SIZE; i += 1) {
    arns.push(await registerVersion(sagemaker, r.group, { commitId: fakeCommitId(i), branch: SOURCE }));
  }
  process.stdout.write(
    `registered ${SIZE} versions in moto (${REPORTED} of them reported and indexed) in ${Date.now() - started} ms\n`,
  );
  sent = recordCommands(sagemaker);
}, 120_000);

afterAll(async () => {
  await steps?.stop();
  await codecommitStandIn?.stop();
  await moto?.stop();
});

beforeEach(() => {
  sent.length = 0;
});

describe('release function against moto_server', () => {
  it(`approves exactly the merged version on a squash merge, the oldest of ${SIZE}, with its immutable artifact`, async () => {
    // prepare
    const before = await listAll();
    expect(before).toHaveLength(SIZE);
    expect(before.every((v) => v.ModelApprovalStatus === 'PendingManualApproval')).toBe(true);
    sent.length = 0;
    const target = arns[0] ?? '';
    pullRequestRecords.set('7', mergedPullRequest('7', fakeCommitId(1), 'SQUASH_MERGE'));

    // act
    const result = await handleReleaseEvent(mergeEvent(fakeCommitId(1), 'SQUASH_MERGE', '7'), deps);

    // assert: the version, found through the index: one describe before the update, no list
    expect(result).toMatchObject({ outcome: 'approved', commitId: fakeCommitId(1), modelPackageArn: target });
    expect(sent.slice(0, sent.indexOf('UpdateModelPackageCommand'))).toEqual(['DescribeModelPackageCommand']);
    const after = await listAll();
    const approved = after.filter((v) => v.ModelApprovalStatus === 'Approved').map((v) => v.ModelPackageArn);
    expect(approved).toEqual([target]);
    const described = await describe_(target);
    expect(described.ApprovalDescription).toContain('pull request 7');
    expect(described.CustomerMetadataProperties).toMatchObject({
      release_merged_by: 'arn:aws:iam::123456789012:user/lead',
      release_facts: 'codecommit',
    });
    // the approved artifact: a copy under approved-artifacts/, at the recorded S3 version, with the recorded sha256
    const metadata = described.CustomerMetadataProperties ?? {};
    expect(metadata.approved_artifact_uri).toBe(`s3://${r.bucket}/approved-artifacts/model-demo/1/model.tar.gz`);
    const copy = await s3.send(
      new GetObjectCommand({
        Bucket: r.bucket,
        Key: 'approved-artifacts/model-demo/1/model.tar.gz',
        VersionId: metadata.approved_artifact_version_id,
      }),
    );
    const bytes = await copy.Body?.transformToByteArray();
    expect(Buffer.from(bytes ?? []).toString()).toBe(`model of ${fakeCommitId(1)}`);
    expect(
      createHash('sha256')
        .update(bytes ?? new Uint8Array())
        .digest('hex'),
    ).toBe(metadata.approved_artifact_sha256);
  });

  it('refuses a merge event CodeCommit does not know (forged by direct invocation), changing nothing', async () => {
    const before = await listAll();

    const result = await handleReleaseEvent(mergeEvent(fakeCommitId(2), 'THREE_WAY_MERGE', '404'), deps);

    expect(result).toMatchObject({
      outcome: 'refused',
      message: expect.stringContaining('knows no such pull request'),
    });
    expect(await listAll()).toEqual(before);
    expect(sent).not.toContain('UpdateModelPackageCommand');
  });

  it('approves by direct invocation (the CI variant) naming the source branch, recorded as such', async () => {
    const result = await handleReleaseEvent({ commit_id: fakeCommitId(3), source_branch: SOURCE }, deps);

    expect(result).toMatchObject({ outcome: 'approved', modelPackageArn: arns[2] });
    expect((await describe_(arns[2] ?? '')).CustomerMetadataProperties).toMatchObject({
      release_trigger: 'direct-invocation',
      release_facts: 'direct-invocation-payload',
    });
  });

  it('rejects an unknown commit by direct invocation, approving nothing', async () => {
    await expect(handleReleaseEvent({ commit_id: fakeCommitId('unknown') }, deps)).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    expect(sent).not.toContain('UpdateModelPackageCommand');
    // the bounded fallback: one page, never the whole group
    expect(sent.filter((name) => name === 'ListModelPackagesCommand')).toHaveLength(1);
  });

  it('approves the merged commit once its model is registered after the merge (fast-forward)', async () => {
    const commitId = fakeCommitId('late');
    pullRequestRecords.set('8', mergedPullRequest('8', commitId, 'FAST_FORWARD_MERGE'));
    const early = await handleReleaseEvent(mergeEvent(commitId, 'FAST_FORWARD_MERGE', '8'), deps);
    expect(early.outcome).toBe('intent-recorded');

    const { arn } = await registerFromExecution({ sagemaker, s3 }, steps, r, { commitId, branch: SOURCE });
    const registered = await handleReleaseEvent(await stateChangeEvent(sagemaker, arn), deps);

    expect(registered).toMatchObject({ outcome: 'approved', commitId, modelPackageArn: arn });
    const intent = await new DynamoDBClient({}).send(
      new GetItemCommand({ TableName: r.intentTable, Key: { commitId: { S: commitId } } }),
    );
    expect(intent.Item?.status).toEqual({ S: 'done' });
  });

  it("never approves a hand-registered version claiming the commit, nor another branch's claim", async () => {
    const commitId = fakeCommitId(5);
    // A member registers by hand a version naming the real execution's metadata, and another from their branch.
    const real = await describe_(arns[4] ?? '');
    const forged = await sagemaker.send(
      new CreateModelPackageCommand({
        ModelPackageGroupName: r.group,
        ModelPackageDescription: `commit ${commitId} on branch ${SOURCE}`,
        ModelApprovalStatus: 'PendingManualApproval',
        MetadataProperties: { CommitId: commitId },
        CustomerMetadataProperties: { ...real.CustomerMetadataProperties },
        InferenceSpecification: real.InferenceSpecification,
      }),
    );
    const claim = await registerFromExecution({ sagemaker, s3 }, steps, r, { commitId, branch: 'experiment/evil' });
    for (const arn of [forged.ModelPackageArn ?? '', claim.arn]) {
      await handleReleaseEvent(await stateChangeEvent(sagemaker, arn), deps);
    }
    pullRequestRecords.set('9', mergedPullRequest('9', commitId, 'THREE_WAY_MERGE'));

    const result = await handleReleaseEvent(mergeEvent(commitId, 'THREE_WAY_MERGE', '9'), deps);

    expect(result).toMatchObject({ outcome: 'approved', modelPackageArn: arns[4] });
    expect((await describe_(forged.ModelPackageArn ?? '')).ModelApprovalStatus).toBe('PendingManualApproval');
    expect((await describe_(claim.arn)).ModelApprovalStatus).toBe('PendingManualApproval');
  });
});
