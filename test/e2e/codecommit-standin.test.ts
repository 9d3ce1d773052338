/**
 * The CodeCommit stand-in's pull request answers, read by the real @aws-sdk/client-codecommit (which we did not
 * write): its deserializer must accept them as GetPullRequest / EvaluatePullRequestApprovalRules outputs, with the
 * documented types (booleans, epoch timestamps to Date), and its error classes must come back for the documented
 * errors. A field the SDK does not know, or a wrong type, would come back undefined or fail here.
 */
import {
  CodeCommitClient,
  EvaluatePullRequestApprovalRulesCommand,
  GetPullRequestCommand,
  InvalidPullRequestIdException,
  PullRequestDoesNotExistException,
  RevisionNotCurrentException,
} from '@aws-sdk/client-codecommit';
import { CodeCommitStandIn, startCodeCommitStandIn } from './support/codecommit-standin';
import { GitRepository } from './support/git-events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

let repository: GitRepository;
let standIn: CodeCommitStandIn;
let client: CodeCommitClient;
let seedDir: string;

beforeAll(async () => {
  seedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'standin-seed-'));
  fs.writeFileSync(path.join(seedDir, 'README.md'), 'seed\n');
  repository = new GitRepository({
    repositoryName: 'model-churn-train',
    account: '123456789012',
    region: 'us-east-1',
    mainBranch: 'main',
    seedDir,
  });
  standIn = await startCodeCommitStandIn(repository);
  client = new CodeCommitClient({
    endpoint: standIn.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
});

afterAll(async () => {
  await standIn?.stop();
  repository?.dispose();
  fs.rmSync(seedDir, { recursive: true, force: true });
});

describe('the CodeCommit stand-in, read by the real SDK', () => {
  it('answers GetPullRequest and EvaluatePullRequestApprovalRules for an open, then approved and merged, pull request', async () => {
    const clone = repository.clone('dana');
    clone.newBranch('experiment/a');
    const tip = clone.commit({ 'NOTES.md': 'a\n' }, 'a');
    clone.push('experiment/a');
    const pr = repository.openPullRequest('experiment/a', 'Try a');

    const open = (await client.send(new GetPullRequestCommand({ pullRequestId: pr.pullRequestId }))).pullRequest;
    expect(open).toMatchObject({
      pullRequestId: pr.pullRequestId,
      pullRequestStatus: 'OPEN',
      creationDate: expect.any(Date),
      pullRequestTargets: [
        {
          repositoryName: 'model-churn-train',
          sourceReference: 'refs/heads/experiment/a',
          destinationReference: 'refs/heads/main',
          sourceCommit: tip,
          mergeMetadata: { isMerged: false },
        },
      ],
    });
    const unreviewed = await client.send(
      new EvaluatePullRequestApprovalRulesCommand({ pullRequestId: pr.pullRequestId, revisionId: open?.revisionId }),
    );
    expect(unreviewed.evaluation).toEqual({
      approved: false,
      overridden: false,
      approvalRulesSatisfied: [],
      approvalRulesNotSatisfied: ['one-reviewer'],
    });

    repository.approvePullRequest(pr, 'arn:aws:iam::123456789012:user/lead');
    repository.mergePullRequest(pr, 'SQUASH_MERGE');
    const merged = (await client.send(new GetPullRequestCommand({ pullRequestId: pr.pullRequestId }))).pullRequest;
    expect(merged?.pullRequestStatus).toBe('CLOSED');
    expect(merged?.pullRequestTargets?.[0]?.mergeMetadata).toEqual({
      isMerged: true,
      mergedBy: expect.stringMatching(/^arn:aws:/),
      mergeCommitId: expect.stringMatching(/^[0-9a-f]{40}$/),
      mergeOption: 'SQUASH_MERGE',
    });
    const reviewed = await client.send(
      new EvaluatePullRequestApprovalRulesCommand({ pullRequestId: pr.pullRequestId, revisionId: merged?.revisionId }),
    );
    expect(reviewed.evaluation?.approved).toBe(true);
  });

  it.each([
    ['an unknown pull request', { pullRequestId: '999' }, PullRequestDoesNotExistException],
    ['a pull request id that is not a number', { pullRequestId: 'abc' }, InvalidPullRequestIdException],
  ])('answers %s with the documented error class', async (_case, input, errorClass) => {
    await expect(client.send(new GetPullRequestCommand(input))).rejects.toBeInstanceOf(errorClass);
  });

  it('refuses to evaluate a revision that is not the current one', async () => {
    const pr = repository.openPullRequest('experiment/a', 'again');
    await expect(
      client.send(new EvaluatePullRequestApprovalRulesCommand({ pullRequestId: pr.pullRequestId, revisionId: 'old' })),
    ).rejects.toBeInstanceOf(RevisionNotCurrentException);
  });
});
