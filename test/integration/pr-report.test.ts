/**
 * The pull request report function end to end on AWS's documented sample events: SageMaker and S3 in moto_server,
 * STS in moto (the function's own assumed-role ARN, GetCallerIdentity), and the CodeCommit pull request stand-in
 * (test/e2e/support/codecommit-standin.ts) for the comment APIs moto lacks, which enforces CodeCommit's documented
 * rules: author-only edits, the 10,240-character limit, before/after commit ids.
 *
 * What this cannot prove: IAM (moto does not enforce the function's policy here; the template test checks it), the
 * running and failed states (moto reports every execution Succeeded and has no ListPipelineExecutionSteps: see
 * test/lambda/pr-report/collect.test.ts), and real CodeCommit's error code for a stale afterCommitId.
 */
import {
  CodeCommitClient,
  CommentContentSizeLimitExceededException,
  CommentNotCreatedByCallerException,
  CommitDoesNotExistException,
  CommitIdRequiredException,
  GetCommentsForPullRequestCommand,
  GetPullRequestCommand,
  BeforeCommitIdAndAfterCommitIdAreSameException,
  PostCommentForPullRequestCommand,
  UpdateCommentCommand,
} from '@aws-sdk/client-codecommit';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  CreatePipelineCommand,
  ModelApprovalStatus,
  SageMakerClient,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { PrReportConfig } from '../../lambda/pr-report/config';
import { REPORT_MARKER } from '../../lambda/pr-report/render';
import { handlePrReportEvent, PrReportDeps } from '../../lambda/pr-report/report';
import { createLogger } from '../../lambda/shared/logger';
import { branchTagValue, sageMakerPipelineName } from '../../contracts/naming';
import { CodeCommitStandIn, PullRequestStore, startPullRequestStandIn } from '../e2e/support/codecommit-standin';
import { awsEvent } from '../support/fixtures';
import { fakeCommitId } from '../support/model-registry';
import { MotoServer, startMoto, useMotoEnvironment } from '../support/moto';
import { expectGolden } from '../lambda/pr-report/golden';

jest.setTimeout(60_000);

const PROJECT = 'demo';
const PROJECT_ID = 'p-demo12345';
const REPOSITORY = `model-${PROJECT}-train`;
const BUCKET = 'demo-artifacts';
const BRANCH = 'experiment/deeper-trees';
const PIPELINE = sageMakerPipelineName(PROJECT, BRANCH);
const MAIN_HEAD = fakeCommitId('main');
const A = fakeCommitId('a');
const B = fakeCommitId('b');
const GROUPS = { abalone: `model-${PROJECT}`, ranker: `model-${PROJECT}-ranker` } as const;

const config: PrReportConfig = {
  projectName: PROJECT,
  projectId: PROJECT_ID,
  repositoryName: REPOSITORY,
  mainBranch: 'main',
  branchPrefix: 'experiment/',
  artifactBucket: BUCKET,
  region: 'us-east-1',
};

/** A two-model pipeline definition as the contract describes it: per model an evaluation, a gate and a registration. */
function twoModelDefinition(): string {
  const model = (name: keyof typeof GROUPS, threshold: number) => [
    {
      Name: `EvaluateModel-${name}`,
      Type: 'Processing',
      Arguments: {
        ProcessingOutputConfig: {
          Outputs: [
            {
              OutputName: 'evaluation',
              S3Output: {
                S3Uri: {
                  'Std:Join': {
                    On: '/',
                    Values: ['s3:/', BUCKET, PIPELINE, { Get: 'Execution.PipelineExecutionId' }, `evaluation-${name}`],
                  },
                },
                LocalPath: '/opt/ml/processing/evaluation',
                S3UploadMode: 'EndOfJob',
              },
            },
          ],
        },
      },
      PropertyFiles: [{ PropertyFileName: 'EvaluationReport', OutputName: 'evaluation', FilePath: 'evaluation.json' }],
    },
    {
      Name: `CheckMetric-${name}`,
      Type: 'Condition',
      Arguments: {
        Conditions: [
          {
            Type: 'LessThanOrEqualTo',
            LeftValue: {
              'Std:JsonGet': {
                PropertyFile: { Get: `Steps.EvaluateModel-${name}.PropertyFiles.EvaluationReport` },
                Path: 'regression_metrics.mse.value',
              },
            },
            RightValue: threshold,
          },
        ],
        IfSteps: [
          {
            Name: `RegisterModel-${name}`,
            Type: 'RegisterModel',
            Arguments: { ModelPackageGroupName: GROUPS[name], CustomerMetadataProperties: { model_name: name } },
          },
        ],
        ElseSteps: [{ Name: `GateFailed-${name}`, Type: 'Fail', Arguments: { ErrorMessage: 'gate' } }],
      },
    },
  ];
  return JSON.stringify({
    Version: '2020-12-01',
    Parameters: [],
    Steps: [...model('abalone', 6), ...model('ranker', 8)],
  });
}

let moto: MotoServer;
let standIn: CodeCommitStandIn;
let store: PullRequestStore;
let sagemaker: SageMakerClient;
let s3: S3Client;
let deps: PrReportDeps;
let functionArn: string;
let otherArn: string;
let otherCodeCommit: CodeCommitClient;
let functionCodeCommit: CodeCommitClient;
const callers = new Map<string, string>();
const executions = new Map<string, string>();

async function assume(roleName: string, session: string) {
  const sts = new STSClient({});
  const { Credentials, AssumedRoleUser } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::123456789012:role/multibranch-mlops/${roleName}`,
      RoleSessionName: session,
    }),
  );
  const credentials = {
    accessKeyId: Credentials!.AccessKeyId!,
    secretAccessKey: Credentials!.SecretAccessKey!,
    sessionToken: Credentials!.SessionToken!,
  };
  callers.set(credentials.accessKeyId, AssumedRoleUser!.Arn!);
  return credentials;
}

async function register(
  name: keyof typeof GROUPS,
  commit: string,
  metrics: { mse: number; r2: number },
  status?: ModelApprovalStatus,
) {
  const executionArn =
    executions.get(commit) ??
    `arn:aws:sagemaker:us-east-1:123456789012:pipeline/${PIPELINE}/execution/${commit.slice(0, 12)}`;
  const executionId = executionArn.split('/').pop()!;
  const key = `${PIPELINE}/${executionId}/evaluation-${name}/evaluation.json`;
  await s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: key,
      Body: JSON.stringify({ regression_metrics: { mse: { value: metrics.mse }, r2: { value: metrics.r2 } } }),
    }),
  );
  const branch = status === ModelApprovalStatus.APPROVED ? 'main' : BRANCH;
  const { ModelPackageArn } = await sagemaker.send(
    new CreateModelPackageCommand({
      ModelPackageGroupName: GROUPS[name],
      ModelPackageDescription: `commit ${commit} on branch ${branchTagValue(branch)}`,
      ModelApprovalStatus: status ?? ModelApprovalStatus.PENDING_MANUAL_APPROVAL,
      MetadataProperties: { CommitId: commit },
      CustomerMetadataProperties: {
        commit_id: commit,
        branch: branchTagValue(branch),
        pipeline_execution_id: executionId,
        pipeline_execution_arn: executionArn,
        model_name: name,
      },
      ModelMetrics: {
        ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: `s3://${BUCKET}/${key}` } },
      },
      InferenceSpecification: {
        Containers: [
          {
            Image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1',
            ModelDataUrl: `s3://${BUCKET}/model.tar.gz`,
          },
        ],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['text/csv'],
      },
    }),
  );
  return ModelPackageArn!;
}

function pullRequestEvent(
  file: string,
  pullRequestId: string,
  sourceCommit: string,
  overrides: Record<string, unknown> = {},
) {
  const event = awsEvent<{ detail: Record<string, unknown> }>(file);
  Object.assign(event.detail, {
    pullRequestId,
    repositoryNames: [REPOSITORY],
    sourceReference: `refs/heads/${BRANCH}`,
    destinationReference: 'refs/heads/main',
    sourceCommit,
    destinationCommit: MAIN_HEAD,
    ...overrides,
  });
  return event;
}

function modelPackageEvent(arn: string) {
  const event = awsEvent<{ detail: Record<string, unknown>; resources: string[] }>(
    'sagemaker-model-package-state-change.json',
  );
  const [, group, version] = /model-package\/([^/]+)\/(\d+)$/.exec(arn)!;
  Object.assign(event.detail, {
    ModelPackageGroupName: group,
    ModelPackageArn: arn,
    ModelPackageVersion: Number(version),
    ModelApprovalStatus: 'PendingManualApproval',
  });
  event.resources = [arn];
  return event;
}

/** Execution ids are random in moto: the golden files hold a placeholder. */
const normalize = (text: string) => {
  let out = text;
  for (const arn of executions.values()) out = out.split(arn.split('/').pop()!).join('EXECUTION-ID');
  return out;
};

const ownComments = (pr: string) => store.liveComments(pr).filter((c) => c.authorArn === functionArn);

beforeAll(async () => {
  moto = await startMoto();
  useMotoEnvironment(moto.endpoint);
  sagemaker = new SageMakerClient({});
  s3 = new S3Client({ forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const tags = (id: string, name = PROJECT) => [
    { Key: 'sagemaker:project-name', Value: name },
    { Key: 'sagemaker:project-id', Value: id },
  ];
  for (const group of Object.values(GROUPS)) {
    await sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: group, Tags: tags(PROJECT_ID) }));
  }
  // Project `demo-v2`'s own group: named like a model `v2` of project demo, tagged with the other project's id.
  await sagemaker.send(
    new CreateModelPackageGroupCommand({
      ModelPackageGroupName: `model-${PROJECT}-v2`,
      Tags: tags('p-other', 'demo-v2'),
    }),
  );
  await sagemaker.send(
    new CreatePipelineCommand({
      PipelineName: PIPELINE,
      PipelineDefinition: twoModelDefinition(),
      RoleArn: 'arn:aws:iam::123456789012:role/multibranch-mlops/sagemaker',
    }),
  );

  const functionCredentials = await assume('pr-report', 'pr-report-demo');
  const otherCredentials = await assume('data-scientist', 'mary');
  functionArn = callers.get(functionCredentials.accessKeyId)!;
  otherArn = callers.get(otherCredentials.accessKeyId)!;

  store = new PullRequestStore(REPOSITORY);
  standIn = await startPullRequestStandIn(store, (key) => callers.get(key));
  functionCodeCommit = new CodeCommitClient({ endpoint: standIn.endpoint, credentials: functionCredentials });
  otherCodeCommit = new CodeCommitClient({ endpoint: standIn.endpoint, credentials: otherCredentials });
  const sts = new STSClient({ credentials: functionCredentials });
  deps = {
    config,
    codecommit: functionCodeCommit,
    sagemaker: new SageMakerClient({ credentials: functionCredentials }),
    s3: new S3Client({ forcePathStyle: true, credentials: functionCredentials }),
    authorArn: async () => (await sts.send(new GetCallerIdentityCommand({}))).Arn!,
    logger: createLogger({}, { write: () => undefined }),
  };

  // Production: version 1 of each group, Approved, trained on main.
  await register('abalone', MAIN_HEAD, { mse: 5, r2: 0.5 }, ModelApprovalStatus.APPROVED);
  await register('ranker', MAIN_HEAD, { mse: 7, r2: 0.3 }, ModelApprovalStatus.APPROVED);
});

afterAll(async () => {
  await standIn?.stop();
  await moto?.stop();
});

describe('pull request report on CodeCommit', () => {
  let pr: string;

  it("the function's identity is an assumed-role session (one role, one session name) from moto's STS", () => {
    expect(functionArn).toMatch(/^arn:aws:sts::123456789012:assumed-role\/pr-report\/pr-report-demo$/);
  });

  it('posts one comment when a pull request from an experiment branch into main is created', async () => {
    pr = store.open({ sourceBranch: BRANCH, destinationBranch: 'main', sourceCommit: A, destinationCommit: MAIN_HEAD });
    // Someone quotes the report's marker line: not the function's comment, never edited.
    await otherCodeCommit.send(
      new PostCommentForPullRequestCommand({
        pullRequestId: pr,
        repositoryName: REPOSITORY,
        beforeCommitId: MAIN_HEAD,
        afterCommitId: A,
        content: `${REPORT_MARKER}\nquoted by a reviewer`,
      }),
    );
    const result = await handlePrReportEvent(pullRequestEvent('codecommit-pullRequestCreated.json', pr, A), deps);
    expect(result.comments).toEqual([expect.objectContaining({ outcome: 'posted', headCommit: A })]);
    const [comment] = ownComments(pr);
    expect(ownComments(pr)).toHaveLength(1);
    expect(comment!.content).toContain('not started yet: no pipeline execution for commit');
    expect(comment!.content).not.toContain('model-demo-v2');
    expect(comment!).toMatchObject({ beforeCommitId: MAIN_HEAD, afterCommitId: A });
  });

  it('updates the same comment on two registrations, and leaves it unchanged on a repeated event', async () => {
    const { PipelineExecutionArn } = await sagemaker.send(
      new StartPipelineExecutionCommand({ PipelineName: PIPELINE, PipelineExecutionDisplayName: `commit-${A}` }),
    );
    executions.set(A, PipelineExecutionArn!);
    const first = await register('abalone', A, { mse: 4.5, r2: 0.55 });
    const r1 = await handlePrReportEvent(modelPackageEvent(first), deps);
    expect(r1.comments.map((c) => c.outcome)).toEqual(['updated']);
    const second = await register('ranker', A, { mse: 7.5, r2: 0.25 });
    const r2 = await handlePrReportEvent(modelPackageEvent(second), deps);
    expect(r2.comments.map((c) => c.outcome)).toEqual(['updated']);
    const again = await handlePrReportEvent(modelPackageEvent(second), deps);
    expect(again.comments.map((c) => c.outcome)).toEqual(['unchanged']);
    expect(ownComments(pr)).toHaveLength(1);
    expect(ownComments(pr)[0]!.content).toContain('registered as version 2 (PendingManualApproval)');
  });

  it('says the numbers are for the older commit when the source branch moves', async () => {
    store.updateSource(pr, B);
    const result = await handlePrReportEvent(
      pullRequestEvent('codecommit-pullRequestSourceBranchUpdated.json', pr, B),
      deps,
    );
    expect(result.comments).toEqual([expect.objectContaining({ outcome: 'updated', headCommit: B })]);
    expectGolden('head-moved', normalize(ownComments(pr)[0]!.content));
  });

  it('two registrations of the new head leave exactly one comment with the newest numbers (golden file)', async () => {
    const { PipelineExecutionArn } = await sagemaker.send(
      new StartPipelineExecutionCommand({ PipelineName: PIPELINE, PipelineExecutionDisplayName: `commit-${B}` }),
    );
    executions.set(B, PipelineExecutionArn!);
    for (const arn of [
      await register('abalone', B, { mse: 4.25, r2: 0.6 }),
      await register('ranker', B, { mse: 6.5, r2: 0.35 }),
    ]) {
      await handlePrReportEvent(modelPackageEvent(arn), deps);
    }
    const mine = ownComments(pr);
    expect(mine).toHaveLength(1);
    expect(store.liveComments(pr)).toHaveLength(2); // the reviewer's quote, untouched
    expect(store.liveComments(pr).find((c) => c.authorArn === otherArn)!.content).toBe(
      `${REPORT_MARKER}\nquoted by a reviewer`,
    );
    expect(mine[0]!.content).not.toContain('older commit');
    expectGolden('registered-two-models', normalize(mine[0]!.content));
  });

  it('finds the pull requests of a pipeline execution status change by the branch pipeline', async () => {
    const event = awsEvent<{ detail: Record<string, unknown> }>('sagemaker-pipeline-execution-status-change.json');
    Object.assign(event.detail, {
      currentPipelineExecutionStatus: 'Failed',
      pipelineArn: `arn:aws:sagemaker:us-east-1:123456789012:pipeline/${PIPELINE}`,
      pipelineExecutionArn: executions.get(B),
    });
    const result = await handlePrReportEvent(event, deps);
    expect(result.comments).toEqual([expect.objectContaining({ pullRequestId: pr, outcome: 'unchanged' })]);
  });

  it('two invocations racing on a new pull request still leave one comment (same post token, the loser updates)', async () => {
    const racePr = store.open({
      sourceBranch: BRANCH,
      destinationBranch: 'main',
      sourceCommit: B,
      destinationCommit: MAIN_HEAD,
    });
    const created = pullRequestEvent('codecommit-pullRequestCreated.json', racePr, B);
    const results = await Promise.all([handlePrReportEvent(created, deps), handlePrReportEvent(created, deps)]);
    const ids = results.flatMap((r) => r.comments.map((c) => c.commentId));
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(1);
    expect(ownComments(racePr)).toHaveLength(1);
    store.pullRequests.get(racePr)!.status = 'CLOSED';
  });

  it('posts a new report when someone deleted the previous one (a new post token)', async () => {
    const racePr = store.open({
      sourceBranch: BRANCH,
      destinationBranch: 'main',
      sourceCommit: B,
      destinationCommit: MAIN_HEAD,
    });
    const created = pullRequestEvent('codecommit-pullRequestCreated.json', racePr, B);
    await handlePrReportEvent(created, deps);
    ownComments(racePr)[0]!.deleted = true; // DeleteCommentContent by the author
    const result = await handlePrReportEvent(created, deps);
    expect(result.comments).toEqual([expect.objectContaining({ outcome: 'posted' })]);
    expect(ownComments(racePr)).toHaveLength(1);
    store.pullRequests.get(racePr)!.status = 'CLOSED';
  });

  it.each([
    [
      'another repository',
      pullRequestEvent('codecommit-pullRequestCreated.json', '1', A, { repositoryNames: ['other-repo'] }),
    ],
    [
      'a pull request into another branch',
      pullRequestEvent('codecommit-pullRequestCreated.json', '1', A, { destinationReference: 'refs/heads/dev' }),
    ],
    [
      'a branch outside the prefix',
      pullRequestEvent('codecommit-pullRequestCreated.json', '1', A, { sourceReference: 'refs/heads/feature/x' }),
    ],
    ['a merge', pullRequestEvent('codecommit-pullRequestMergeStatusUpdated.json', '1', A)],
    [
      'a comment event',
      { ...awsEvent('codecommit-pullRequestCreated.json'), 'detail-type': 'CodeCommit Comment on Pull Request' },
    ],
  ])('ignores %s without calling CodeCommit', async (_what, event) => {
    const before = standIn.calls.length;
    const result = await handlePrReportEvent(event, deps);
    expect(result.outcome).toBe('ignored');
    expect(standIn.calls.length).toBe(before);
  });

  it("ignores a model package of another project's group that shares the name shape", async () => {
    const { ModelPackageArn } = await sagemaker.send(
      new CreateModelPackageCommand({
        ModelPackageGroupName: `model-${PROJECT}-v2`,
        ModelPackageDescription: `commit ${A} on branch ${BRANCH}`,
        CustomerMetadataProperties: { branch: BRANCH, commit_id: A },
        InferenceSpecification: {
          Containers: [
            { Image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/x:1', ModelDataUrl: `s3://${BUCKET}/m.tar.gz` },
          ],
          SupportedContentTypes: ['text/csv'],
          SupportedResponseMIMETypes: ['text/csv'],
        },
      }),
    );
    const result = await handlePrReportEvent(modelPackageEvent(ModelPackageArn!), deps);
    expect(result).toMatchObject({ outcome: 'ignored', message: expect.stringContaining('not tagged') });
  });
});

describe('the CodeCommit stand-in enforces what CodeCommit does', () => {
  it("answers in CodeCommit's wire shapes: the SDK deserializes every field, dates included", async () => {
    const { pullRequest } = await functionCodeCommit.send(new GetPullRequestCommand({ pullRequestId: '1' }));
    expect(pullRequest?.creationDate).toBeInstanceOf(Date);
    expect(pullRequest?.pullRequestTargets?.[0]).toMatchObject({
      repositoryName: REPOSITORY,
      sourceReference: `refs/heads/${BRANCH}`,
      destinationReference: 'refs/heads/main',
      sourceCommit: B,
      destinationCommit: MAIN_HEAD,
      mergeMetadata: { isMerged: false },
    });
    const page = await functionCodeCommit.send(
      new GetCommentsForPullRequestCommand({ pullRequestId: '1', repositoryName: REPOSITORY }),
    );
    const comments = (page.commentsForPullRequestData ?? []).flatMap((d) => d.comments ?? []);
    expect(comments.length).toBeGreaterThanOrEqual(2);
    for (const c of comments) expect(c.lastModifiedDate).toBeInstanceOf(Date);
    await expect(
      functionCodeCommit.send(
        new GetCommentsForPullRequestCommand({
          pullRequestId: '1',
          repositoryName: REPOSITORY,
          beforeCommitId: MAIN_HEAD,
        }),
      ),
    ).rejects.toBeInstanceOf(CommitIdRequiredException);
  });

  it('refuses an edit by anyone but the author', async () => {
    const [comment] = ownComments('1');
    await expect(
      otherCodeCommit.send(new UpdateCommentCommand({ commentId: comment!.commentId, content: 'x' })),
    ).rejects.toBeInstanceOf(CommentNotCreatedByCallerException);
  });

  it('refuses content over 10,240 characters', async () => {
    const [comment] = ownComments('1');
    await expect(
      functionCodeCommit.send(new UpdateCommentCommand({ commentId: comment!.commentId, content: 'x'.repeat(10_241) })),
    ).rejects.toBeInstanceOf(CommentContentSizeLimitExceededException);
  });

  it('refuses an afterCommitId that is not the source tip, and equal before/after ids', async () => {
    const post = (before: string, after: string) =>
      functionCodeCommit.send(
        new PostCommentForPullRequestCommand({
          pullRequestId: '1',
          repositoryName: REPOSITORY,
          beforeCommitId: before,
          afterCommitId: after,
          content: 'x',
        }),
      );
    await expect(post(MAIN_HEAD, A)).rejects.toBeInstanceOf(CommitDoesNotExistException);
    await expect(post(B, B)).rejects.toBeInstanceOf(BeforeCommitIdAndAfterCommitIdAreSameException);
  });
});
