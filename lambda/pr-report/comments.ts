/**
 * The one report comment on a pull request: found again by its visible marker line ({@link REPORT_MARKER}) and its
 * author (the caller's own ARN: only a comment's author can edit it, so the function runs as one role with one
 * session name), updated in place, posted only when none exists. Comments by anyone else, replies, deleted
 * comments and comments without the marker are never touched.
 */
import { createHash } from 'node:crypto';
import {
  CodeCommitClient,
  Comment,
  GetCommentsForPullRequestCommand,
  GetPullRequestCommand,
  ListPullRequestsCommand,
  PostCommentForPullRequestCommand,
  PullRequest,
  UpdateCommentCommand,
} from '@aws-sdk/client-codecommit';
import { NotFoundError } from '../../contracts/errors';
import { REPORT_MARKER } from './render';
import { isIdempotencyMismatch } from '../../contracts/sdk-errors/codecommit';

export interface PullRequestFacts {
  readonly pullRequestId: string;
  readonly status: string;
  readonly repositoryName: string;
  /** Full refs, as CodeCommit gives them. */
  readonly sourceReference: string;
  readonly destinationReference: string;
  /** The source branch's head now (afterCommitId of a new comment). */
  readonly sourceCommit: string;
  /** The destination branch's head (beforeCommitId of a new comment). */
  readonly destinationCommit: string;
}

/** The pull request's current target in `repositoryName`, or a NotFoundError. */
export async function getPullRequest(
  codecommit: CodeCommitClient,
  pullRequestId: string,
  repositoryName: string,
): Promise<PullRequestFacts> {
  const { pullRequest } = await codecommit.send(new GetPullRequestCommand({ pullRequestId }));
  const target = (pullRequest?.pullRequestTargets ?? []).find((t) => t.repositoryName === repositoryName);
  if (pullRequest === undefined || target === undefined) {
    throw new NotFoundError(`pull request ${pullRequestId} has no target in repository ${repositoryName}`);
  }
  return facts(pullRequest, target);
}

function facts(
  pullRequest: PullRequest,
  target: NonNullable<PullRequest['pullRequestTargets']>[number],
): PullRequestFacts {
  const need = (value: string | undefined, field: string) => {
    if (value === undefined || value.length === 0) {
      throw new NotFoundError(`pull request ${pullRequest.pullRequestId ?? '?'} has no ${field}`);
    }
    return value;
  };
  return {
    pullRequestId: need(pullRequest.pullRequestId, 'pullRequestId'),
    status: pullRequest.pullRequestStatus ?? 'UNKNOWN',
    repositoryName: need(target.repositoryName, 'repositoryName'),
    sourceReference: need(target.sourceReference, 'sourceReference'),
    destinationReference: need(target.destinationReference, 'destinationReference'),
    sourceCommit: need(target.sourceCommit, 'sourceCommit'),
    destinationCommit: need(target.destinationCommit, 'destinationCommit'),
  };
}

/** Open pull requests of the repository (every page), with their targets. */
export async function listOpenPullRequests(
  codecommit: CodeCommitClient,
  repositoryName: string,
): Promise<PullRequestFacts[]> {
  const ids: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await codecommit.send(
      new ListPullRequestsCommand({ repositoryName, pullRequestStatus: 'OPEN', nextToken, maxResults: 100 }),
    );
    ids.push(...(page.pullRequestIds ?? []));
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  const open: PullRequestFacts[] = [];
  for (const id of ids) open.push(await getPullRequest(codecommit, id, repositoryName));
  return open;
}

/** Whether `content` is a report (its first line is the marker). */
export const isReport = (content: string | undefined): boolean =>
  content !== undefined && (content === REPORT_MARKER || content.startsWith(`${REPORT_MARKER}\n`));

/**
 * The caller's live report comments on the pull request, oldest first, and how many of the caller's comments were
 * deleted (CodeCommit keeps them, without content, flagged `deleted`).
 */
export async function findReportComments(
  codecommit: CodeCommitClient,
  pullRequest: Pick<PullRequestFacts, 'pullRequestId' | 'repositoryName'>,
  authorArn: string,
): Promise<{ live: Comment[]; deleted: number }> {
  const live: Comment[] = [];
  let deleted = 0;
  let nextToken: string | undefined;
  do {
    const page = await codecommit.send(
      new GetCommentsForPullRequestCommand({
        pullRequestId: pullRequest.pullRequestId,
        repositoryName: pullRequest.repositoryName,
        nextToken,
        maxResults: 100,
      }),
    );
    for (const data of page.commentsForPullRequestData ?? []) {
      for (const comment of data.comments ?? []) {
        if (comment.authorArn !== authorArn || comment.inReplyTo !== undefined) continue;
        if (comment.deleted === true) deleted += 1;
        else if (isReport(comment.content)) live.push(comment);
      }
    }
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  const time = (c: Comment) => c.creationDate?.getTime() ?? 0;
  live.sort((a, b) => time(a) - time(b) || String(a.commentId).localeCompare(String(b.commentId)));
  return { live, deleted };
}

/**
 * The idempotency token of the report comment's post: one per pull request and generation (the number of the
 * caller's deleted comments, so a report someone deleted is posted anew). Two invocations racing to post the first
 * report send the same token: CodeCommit returns the first comment for equal content and refuses other content
 * (IdempotencyParameterMismatchException), after which the loser updates the winner's comment.
 */
export function postToken(pullRequest: Pick<PullRequestFacts, 'pullRequestId' | 'repositoryName'>, generation: number) {
  const digest = createHash('sha256')
    .update(`${pullRequest.repositoryName}/${pullRequest.pullRequestId}/${generation}`)
    .digest('hex');
  return `pr-report-${digest.slice(0, 40)}`;
}

export type CommentOutcome = 'posted' | 'updated' | 'unchanged';

/** A new report comment of `generation` (see postToken): before/after commit ids are the destination and source heads. */
function newReportComment(pullRequest: PullRequestFacts, content: string, generation: number) {
  const { pullRequestId, repositoryName, destinationCommit, sourceCommit } = pullRequest;
  const clientRequestToken = postToken(pullRequest, generation);
  return {
    pullRequestId,
    repositoryName,
    beforeCommitId: destinationCommit,
    afterCommitId: sourceCommit,
    content,
    clientRequestToken,
  };
}

/**
 * Makes the pull request's report comment say `content`: updates the caller's oldest report comment, or posts one
 * (before/after commit ids: the destination and source heads) when there is none.
 */
export async function upsertReportComment(
  codecommit: CodeCommitClient,
  pullRequest: PullRequestFacts,
  authorArn: string,
  content: string,
): Promise<{ outcome: CommentOutcome; commentId: string }> {
  const update = async (existing: Comment & { commentId: string }) => {
    if (existing.content === content) return { outcome: 'unchanged' as const, commentId: existing.commentId };
    await codecommit.send(new UpdateCommentCommand({ commentId: existing.commentId, content }));
    return { outcome: 'updated' as const, commentId: existing.commentId };
  };
  const found = await findReportComments(codecommit, pullRequest, authorArn);
  const [existing] = found.live;
  if (existing?.commentId !== undefined) return update(existing as Comment & { commentId: string });
  try {
    const posted = await codecommit.send(
      new PostCommentForPullRequestCommand(newReportComment(pullRequest, content, found.deleted)),
    );
    const commentId = posted.comment?.commentId;
    if (commentId === undefined) throw new Error('PostCommentForPullRequest returned no comment id');
    // With the same token and content, CodeCommit answers with the comment a racing invocation posted first.
    return { outcome: 'posted', commentId };
  } catch (err) {
    if (!isIdempotencyMismatch(err)) throw err;
    const [winner] = (await findReportComments(codecommit, pullRequest, authorArn)).live;
    if (winner?.commentId === undefined) throw err;
    return update(winner as Comment & { commentId: string });
  }
}
