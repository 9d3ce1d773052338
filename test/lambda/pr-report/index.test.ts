/**
 * The report function's handler as Lambda loads it: configuration from the environment, default clients (mocked
 * here), and the metrics each invocation prints (EMF on stdout).
 */
import {
  CodeCommitClient,
  GetCommentsForPullRequestCommand,
  GetPullRequestCommand,
  PostCommentForPullRequestCommand,
  UpdateCommentCommand,
} from '@aws-sdk/client-codecommit';
import { S3Client } from '@aws-sdk/client-s3';
import {
  ListModelPackageGroupsCommand,
  ListPipelineExecutionsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { REPORT_MARKER } from '../../../lambda/pr-report/render';
import { emfPoints } from '../../support/emf';
import { awsEvent } from '../../support/fixtures';

type Handler = (event: unknown) => Promise<{ outcome: string; comments: readonly { outcome: string }[] }>;

const ENV = {
  AWS_REGION: 'us-east-1',
  PROJECT_NAME: 'demo',
  PROJECT_ID: 'p-demo00000001',
  REPOSITORY_NAME: 'model-demo-train',
  MAIN_BRANCH: 'main',
  BRANCH_PREFIX: 'experiment/',
  ARTIFACT_BUCKET: 'demo-artifacts',
  LOG_LEVEL: 'ERROR',
};
const AUTHOR = 'arn:aws:sts::123456789012:assumed-role/pr-report/fn';
const dimensions = { service: 'pr-report', project: 'demo' };

const codecommit = mockClient(CodeCommitClient);
const sagemaker = mockClient(SageMakerClient);
const sts = mockClient(STSClient);
mockClient(S3Client);
const saved = { ...process.env };
let write: jest.SpyInstance;

/** The module as Lambda loads it, after the environment is set (sharing the mocked SDK classes). */
function coldStart(): Handler {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../../../lambda/pr-report/index') as { handler: Handler }).handler;
}

/** A pull request created from experiment/x into main of the project's repository. */
function pullRequestEvent() {
  const event = awsEvent<{ detail: Record<string, unknown> }>('codecommit-pullRequestCreated.json');
  Object.assign(event.detail, {
    repositoryNames: [ENV.REPOSITORY_NAME],
    sourceReference: 'refs/heads/experiment/x',
    destinationReference: 'refs/heads/main',
    pullRequestId: '7',
  });
  return event;
}

/** The report comments the function already wrote on the pull request. */
function existingComments(...contents: string[]) {
  codecommit.on(GetCommentsForPullRequestCommand).resolves({
    commentsForPullRequestData: [
      {
        comments: contents.map((content, i) => ({
          commentId: `c-${i}`,
          authorArn: AUTHOR,
          content,
          creationDate: new Date(2026, 0, 1 + i),
        })),
      },
    ],
  });
}

beforeEach(() => {
  codecommit.reset();
  sagemaker.reset();
  sts.reset();
  Object.assign(process.env, ENV);
  write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  sts.on(GetCallerIdentityCommand).resolves({ Arn: AUTHOR });
  codecommit.on(GetPullRequestCommand).resolves({
    pullRequest: {
      pullRequestId: '7',
      pullRequestStatus: 'OPEN',
      pullRequestTargets: [
        {
          repositoryName: ENV.REPOSITORY_NAME,
          sourceReference: 'refs/heads/experiment/x',
          destinationReference: 'refs/heads/main',
          sourceCommit: 'a'.repeat(40),
          destinationCommit: 'b'.repeat(40),
        },
      ],
    },
  });
  // No model group and no execution yet: the report says so.
  sagemaker.on(ListModelPackageGroupsCommand).resolves({ ModelPackageGroupSummaryList: [] });
  sagemaker.on(ListPipelineExecutionsCommand).resolves({ PipelineExecutionSummaries: [] });
  codecommit.on(PostCommentForPullRequestCommand).resolves({ comment: { commentId: 'c-new' } });
  codecommit.on(UpdateCommentCommand).resolves({});
  existingComments();
});
afterEach(() => {
  write.mockRestore();
  process.env = { ...saved };
});

describe('report handler metrics (EMF on stdout, namespace MultibranchMlops)', () => {
  it('counts a posted report comment', async () => {
    await expect(coldStart()(pullRequestEvent())).resolves.toMatchObject({ comments: [{ outcome: 'posted' }] });
    expect(emfPoints(write)).toEqual([
      { namespace: 'MultibranchMlops', name: 'ReportCommentsPosted', unit: 'Count', value: 1, dimensions },
    ]);
  });

  it('counts an updated report comment, and no posted one', async () => {
    existingComments(`${REPORT_MARKER}\nan older report`);
    const handler = coldStart();
    const result = await handler(pullRequestEvent());
    expect(result).toMatchObject({ comments: [{ outcome: 'updated' }] });
    const points = emfPoints(write);
    expect(points).toEqual([
      { namespace: 'MultibranchMlops', name: 'ReportCommentsUpdated', unit: 'Count', value: 1, dimensions },
    ]);
    expect(points.map((p) => p.name)).not.toContain('ReportCommentsPosted');
  });

  it('counts nothing for a comment that already says it, nor for an ignored event', async () => {
    const handler = coldStart();
    await handler(pullRequestEvent());
    const content = codecommit.commandCalls(PostCommentForPullRequestCommand)[0]?.args[0].input.content ?? '';
    existingComments(content);
    write.mockClear();
    await expect(handler(pullRequestEvent())).resolves.toMatchObject({ comments: [{ outcome: 'unchanged' }] });
    await expect(handler({ 'detail-type': 'Something Else' })).resolves.toMatchObject({ outcome: 'ignored' });
    expect(emfPoints(write)).toEqual([]);
  });

  it('counts a failed invocation under Errors', async () => {
    codecommit.on(GetPullRequestCommand).rejects(new Error('throttled'));
    await expect(coldStart()(pullRequestEvent())).rejects.toThrow('throttled');
    expect(emfPoints(write)).toEqual([
      { namespace: 'MultibranchMlops', name: 'Errors', unit: 'Count', value: 1, dimensions },
    ]);
  });
});
