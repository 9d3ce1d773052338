/**
 * A local stand-in for the CodeCommit branch APIs that moto 5.2 lacks (ListBranches, GetBranch), answering from the
 * real git bare repository. Handlers reach it through `AWS_ENDPOINT_URL_CODECOMMIT` (the SDK's service-specific
 * endpoint variable, which wins over `AWS_ENDPOINT_URL`), so their code and SDK clients stay as deployed. It speaks
 * CodeCommit's JSON 1.1 protocol; any other operation gets an error naming it, so a handler that starts calling
 * something new fails the test visibly.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GitRepository, PullRequestRecord } from './git-events';

export interface CodeCommitStandIn {
  readonly endpoint: string;
  /** Operations received, in order (for assertions). */
  readonly calls: string[];
  stop(): Promise<void>;
}

const PAGE_SIZE = 100;

/** What the stand-in reads of a repository: its name and its branches (name → commit id), asked on every request. */
export type BranchSource = Pick<GitRepository, 'repositoryName' | 'branches'> &
  Partial<Pick<GitRepository, 'pullRequestRecords'>>;

type Reply = { status: number; payload: unknown };

/**
 * CodeCommit's record of a pull request from `source` merged into main at `sourceCommit` after one review, for tests
 * that have no git repository (integration tests, the benchmark) and fill the stand-in's records themselves.
 */
export function reviewedMergeRecord(spec: {
  readonly pullRequestId: string;
  readonly source: string;
  readonly sourceCommit: string;
  readonly mergeOption: string;
  readonly destinationCommit: string;
  readonly mergeCommitId: string;
}): PullRequestRecord {
  return {
    pullRequestId: spec.pullRequestId,
    title: `merge ${spec.source}`,
    authorArn: 'arn:aws:iam::123456789012:user/author',
    creationDate: Date.now() / 1000,
    source: spec.source,
    destination: 'main',
    sourceCommit: spec.sourceCommit,
    destinationCommit: spec.destinationCommit,
    status: 'CLOSED',
    revisionId: `rev${spec.pullRequestId}`,
    approvals: new Set(['arn:aws:iam::123456789012:user/lead']),
    mergeMetadata: {
      isMerged: true,
      mergedBy: 'arn:aws:iam::123456789012:user/lead',
      mergeCommitId: spec.mergeCommitId,
      mergeOption: spec.mergeOption,
    },
  };
}
const failure = (type: string, message: string): Reply => ({ status: 400, payload: { __type: type, message } });

/**
 * GetPullRequest, as the CodeCommit API reference documents its response (`pullRequest` with `pullRequestTargets`
 * and their `mergeMetadata`; timestamps as epoch seconds) and errors (PullRequestIdRequiredException,
 * InvalidPullRequestIdException for a non-numeric id, PullRequestDoesNotExistException). The pull request's approval
 * rule is the project's template in spirit: one approval by someone other than the author.
 */
export function answerGetPullRequest(input: Record<string, unknown>, repository: BranchSource): Reply {
  const id = input.pullRequestId;
  if (id === undefined || id === '') return failure('PullRequestIdRequiredException', 'A pull request ID is required.');
  if (typeof id !== 'string' || !/^\d+$/.test(id)) {
    return failure('InvalidPullRequestIdException', `The pull request ID ${String(id)} is not valid.`);
  }
  const record = repository.pullRequestRecords?.get(id);
  if (!record) return failure('PullRequestDoesNotExistException', `The pull request ID ${id} does not exist.`);
  return { status: 200, payload: { pullRequest: pullRequestShape(record, repository.repositoryName) } };
}

function pullRequestShape(record: PullRequestRecord, repositoryName: string) {
  return {
    pullRequestId: record.pullRequestId,
    title: record.title,
    lastActivityDate: record.creationDate,
    creationDate: record.creationDate,
    pullRequestStatus: record.status,
    authorArn: record.authorArn,
    pullRequestTargets: [
      {
        repositoryName,
        sourceReference: `refs/heads/${record.source}`,
        destinationReference: `refs/heads/${record.destination}`,
        destinationCommit: record.destinationCommit,
        sourceCommit: record.sourceCommit,
        mergeMetadata: record.mergeMetadata ?? { isMerged: false },
      },
    ],
    revisionId: record.revisionId,
    approvalRules: [
      {
        approvalRuleId: `rule-${record.pullRequestId}`,
        approvalRuleName: 'one-reviewer',
        approvalRuleContent: JSON.stringify({
          Version: '2018-11-08',
          Statements: [{ Type: 'Approvers', NumberOfApprovalsNeeded: 1 }],
        }),
      },
    ],
  };
}

/**
 * EvaluatePullRequestApprovalRules (response `evaluation`: approved, overridden, approvalRulesSatisfied,
 * approvalRulesNotSatisfied; errors RevisionIdRequiredException, PullRequestDoesNotExistException,
 * RevisionNotCurrentException for a revision that is not the pull request's).
 */
export function answerEvaluatePullRequestApprovalRules(
  input: Record<string, unknown>,
  repository: BranchSource,
): Reply {
  if (typeof input.revisionId !== 'string' || input.revisionId === '') {
    return failure('RevisionIdRequiredException', 'A revision ID is required.');
  }
  const record = repository.pullRequestRecords?.get(String(input.pullRequestId));
  if (!record) {
    return failure(
      'PullRequestDoesNotExistException',
      `The pull request ID ${String(input.pullRequestId)} does not exist.`,
    );
  }
  if (record.revisionId !== input.revisionId) {
    return failure('RevisionNotCurrentException', 'The revision ID is not the current revision of the pull request.');
  }
  const approvers = [...record.approvals].filter((arn) => arn !== record.authorArn);
  const approved = approvers.length >= 1;
  return {
    status: 200,
    payload: {
      evaluation: {
        approved,
        overridden: false,
        approvalRulesSatisfied: approved ? ['one-reviewer'] : [],
        approvalRulesNotSatisfied: approved ? [] : ['one-reviewer'],
      },
    },
  };
}

export async function startCodeCommitStandIn(repository: BranchSource): Promise<CodeCommitStandIn> {
  const calls: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const operation = String(req.headers['x-amz-target'] ?? '').replace(/^CodeCommit_20150413\./, '');
      calls.push(operation);
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(payload));
      };
      const error = (type: string, message: string) => reply(400, { __type: type, message });
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(body || '{}') as Record<string, unknown>;
      } catch {
        return error('InvalidParameterException', 'request body is not JSON');
      }
      // Pull request operations name no repository: they are answered before the repository check.
      if (operation === 'GetPullRequest' || operation === 'EvaluatePullRequestApprovalRules') {
        const answer = (operation === 'GetPullRequest' ? answerGetPullRequest : answerEvaluatePullRequestApprovalRules)(
          input,
          repository,
        );
        return reply(answer.status, answer.payload);
      }
      if (input.repositoryName !== repository.repositoryName) {
        return error('RepositoryDoesNotExistException', `${String(input.repositoryName)} does not exist`);
      }
      const branches = repository.branches();
      switch (operation) {
        case 'ListBranches': {
          const names = [...branches.keys()].sort();
          const start = typeof input.nextToken === 'string' ? Number(input.nextToken) : 0;
          const page = names.slice(start, start + PAGE_SIZE);
          const next = start + PAGE_SIZE < names.length ? String(start + PAGE_SIZE) : undefined;
          return reply(200, { branches: page, ...(next ? { nextToken: next } : {}) });
        }
        case 'GetBranch': {
          const name = String(input.branchName);
          const commitId = branches.get(name);
          if (!commitId) return error('BranchDoesNotExistException', `branch ${name} does not exist`);
          return reply(200, { branch: { branchName: name, commitId } });
        }
        default:
          return error('UnsupportedOperation', `the e2e CodeCommit stand-in does not implement ${operation}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Pull requests and their comments (issue 16): GetPullRequest, ListPullRequests, GetCommentsForPullRequest,
// PostCommentForPullRequest, UpdateComment, which moto 5.2 lacks. Self-contained: its own store and server.
//
// Rules enforced as the CodeCommit API reference documents them (error codes as named there):
// - the caller is the access key of the SigV4 `Authorization` header, mapped to an ARN by the test (unknown key:
//   UnrecognizedClientException); a comment's `authorArn` is its poster's ARN;
// - UpdateComment only by the comment's author (CommentNotCreatedByCallerException), never a deleted comment
//   (CommentDeletedException), unknown id: CommentDoesNotExistException;
// - content required (CommentContentRequiredException) and at most 10,240 characters
//   (CommentContentSizeLimitExceededException), counted in code points;
// - PostCommentForPullRequest: pullRequestId, repositoryName, beforeCommitId, afterCommitId required; commit ids
//   40 hex (InvalidCommitIdException); before ≠ after (BeforeCommitIdAndAfterCommitIdAreSameException); the
//   repository must be the pull request's (RepositoryNotAssociatedWithPullRequestException); afterCommitId must be
//   the source branch's current tip and beforeCommitId the destination tip (at creation or now) or the merge base,
//   as the reference defines them (any other: CommitDoesNotExistException, as for a commit the pull request lacks:
//   the exact code CodeCommit uses for a stale id is not documented);
// - clientRequestToken: same token and parameters return the first comment; same token, other parameters:
//   IdempotencyParameterMismatchException;
// - GetCommentsForPullRequest: afterCommitId is required when beforeCommitId is given (CommitIdRequiredException);
//   comments are grouped per (beforeCommitId, afterCommitId); pages of maxResults (at most 100).
// Timestamps are epoch seconds on the wire, as the JSON 1.1 protocol sends them.
// ---------------------------------------------------------------------------------------------------------------

import type {
  Comment as CodeCommitComment,
  GetCommentsForPullRequestOutput,
  GetPullRequestOutput,
  ListPullRequestsOutput,
  PostCommentForPullRequestOutput,
  UpdateCommentOutput,
} from '@aws-sdk/client-codecommit';

/** An SDK output type as it travels: dates as epoch seconds. */
type Wire<T> = T extends Date
  ? number
  : T extends readonly (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

export const COMMENT_CONTENT_LIMIT = 10_240;
const FULL_COMMIT_ID = /^[0-9a-f]{40}$/;

export interface StandInPullRequest {
  readonly pullRequestId: string;
  readonly repositoryName: string;
  readonly title: string;
  readonly authorArn: string;
  status: 'OPEN' | 'CLOSED';
  readonly sourceReference: string;
  readonly destinationReference: string;
  sourceCommit: string;
  destinationCommit: string;
  readonly destinationCommitAtCreation: string;
  mergeBase: string;
  readonly creationDate: number;
  lastActivityDate: number;
}

export interface StoredComment {
  readonly commentId: string;
  readonly pullRequestId: string;
  readonly repositoryName: string;
  readonly beforeCommitId: string;
  readonly afterCommitId: string;
  content: string;
  readonly authorArn: string;
  readonly creationDate: number;
  lastModifiedDate: number;
  deleted: boolean;
  readonly inReplyTo?: string;
  readonly clientRequestToken?: string;
}

type BodyReply = { status: number; body: unknown };
class StandInError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** Pull requests and comments of one repository, and the CodeCommit operations on them. */
export class PullRequestStore {
  readonly pullRequests = new Map<string, StandInPullRequest>();
  readonly comments: StoredComment[] = [];
  private clock = 1_700_000_000;
  private nextId = 1;

  constructor(readonly repositoryName: string) {}

  private now(): number {
    this.clock += 1;
    return this.clock;
  }

  /** Opens a pull request (what CreatePullRequest would do); returns its id. */
  open(spec: {
    /** @default the next number */
    pullRequestId?: string;
    title?: string;
    authorArn?: string;
    sourceBranch: string;
    destinationBranch: string;
    sourceCommit: string;
    destinationCommit: string;
    mergeBase?: string;
  }): string {
    const id = spec.pullRequestId ?? String(this.pullRequests.size + 1);
    if (this.pullRequests.has(id)) return id; // an event delivered twice
    const now = this.now();
    this.pullRequests.set(id, {
      pullRequestId: id,
      repositoryName: this.repositoryName,
      title: spec.title ?? `Merge ${spec.sourceBranch}`,
      authorArn: spec.authorArn ?? 'arn:aws:iam::123456789012:user/data-scientist',
      status: 'OPEN',
      sourceReference: `refs/heads/${spec.sourceBranch}`,
      destinationReference: `refs/heads/${spec.destinationBranch}`,
      sourceCommit: spec.sourceCommit,
      destinationCommit: spec.destinationCommit,
      destinationCommitAtCreation: spec.destinationCommit,
      mergeBase: spec.mergeBase ?? spec.destinationCommit,
      creationDate: now,
      lastActivityDate: now,
    });
    return id;
  }

  /** A push to the pull request's source branch. */
  updateSource(pullRequestId: string, commit: string): void {
    const pr = this.pullRequests.get(pullRequestId);
    if (pr === undefined) throw new Error(`no pull request ${pullRequestId}`);
    pr.sourceCommit = commit;
    pr.lastActivityDate = this.now();
  }

  /** Live (not deleted) comments on a pull request, oldest first. */
  liveComments(pullRequestId: string): StoredComment[] {
    return this.comments.filter((c) => c.pullRequestId === pullRequestId && !c.deleted);
  }

  private wireComment(c: StoredComment): Wire<CodeCommitComment> {
    return {
      commentId: c.commentId,
      content: c.deleted ? undefined : c.content,
      authorArn: c.authorArn,
      creationDate: c.creationDate,
      lastModifiedDate: c.lastModifiedDate,
      deleted: c.deleted,
      ...(c.inReplyTo !== undefined ? { inReplyTo: c.inReplyTo } : {}),
      ...(c.clientRequestToken !== undefined ? { clientRequestToken: c.clientRequestToken } : {}),
      callerReactions: [],
      reactionCounts: {},
    };
  }

  private pullRequest(input: Record<string, unknown>): StandInPullRequest {
    const id = input.pullRequestId;
    if (id === undefined || id === '')
      throw new StandInError('PullRequestIdRequiredException', 'pullRequestId is required');
    if (typeof id !== 'string' || !/^[0-9]+$/.test(id)) {
      throw new StandInError('InvalidPullRequestIdException', `pull request id ${String(id)} is not valid`);
    }
    const pr = this.pullRequests.get(id);
    if (pr === undefined)
      throw new StandInError('PullRequestDoesNotExistException', `pull request ${id} does not exist`);
    return pr;
  }

  private repository(input: Record<string, unknown>, pr?: StandInPullRequest): void {
    const name = input.repositoryName;
    if (name === undefined || name === '')
      throw new StandInError('RepositoryNameRequiredException', 'repositoryName is required');
    if (pr !== undefined && name !== pr.repositoryName) {
      throw new StandInError(
        'RepositoryNotAssociatedWithPullRequestException',
        `repository ${String(name)} is not associated with pull request ${pr.pullRequestId}`,
      );
    }
    if (name !== this.repositoryName)
      throw new StandInError('RepositoryDoesNotExistException', `${String(name)} does not exist`);
  }

  private content(input: Record<string, unknown>): string {
    const content = input.content;
    if (typeof content !== 'string' || content.length === 0) {
      throw new StandInError('CommentContentRequiredException', 'the comment is empty');
    }
    if ([...content].length > COMMENT_CONTENT_LIMIT) {
      throw new StandInError(
        'CommentContentSizeLimitExceededException',
        `the comment is too large: ${[...content].length} characters; comments are limited to 10,240 characters`,
      );
    }
    return content;
  }

  private commitId(value: unknown, field: string): string {
    if (value === undefined || value === '')
      throw new StandInError('CommitIdRequiredException', `${field} is required`);
    if (typeof value !== 'string' || !FULL_COMMIT_ID.test(value)) {
      throw new StandInError('InvalidCommitIdException', `${field} ${String(value)} is not a full commit id`);
    }
    return value;
  }

  /** Answers one CodeCommit operation from `callerArn`. */
  handle(operation: string, input: Record<string, unknown>, callerArn: string): BodyReply {
    try {
      return { status: 200, body: this.operation(operation, input, callerArn) };
    } catch (err) {
      if (err instanceof StandInError) return { status: 400, body: { __type: err.type, message: err.message } };
      throw err;
    }
  }

  private operation(operation: string, input: Record<string, unknown>, callerArn: string): unknown {
    switch (operation) {
      case 'GetPullRequest': {
        const pr = this.pullRequest(input);
        const out: Wire<GetPullRequestOutput> = {
          pullRequest: {
            pullRequestId: pr.pullRequestId,
            title: pr.title,
            lastActivityDate: pr.lastActivityDate,
            creationDate: pr.creationDate,
            pullRequestStatus: pr.status,
            authorArn: pr.authorArn,
            revisionId: `revision-${pr.lastActivityDate}`,
            pullRequestTargets: [
              {
                repositoryName: pr.repositoryName,
                sourceReference: pr.sourceReference,
                destinationReference: pr.destinationReference,
                destinationCommit: pr.destinationCommit,
                sourceCommit: pr.sourceCommit,
                mergeBase: pr.mergeBase,
                mergeMetadata: { isMerged: false },
              },
            ],
            approvalRules: [],
          },
        };
        return out;
      }
      case 'ListPullRequests': {
        this.repository(input);
        const status = input.pullRequestStatus;
        if (status !== undefined && status !== 'OPEN' && status !== 'CLOSED') {
          throw new StandInError(
            'InvalidPullRequestStatusException',
            `pull request status ${String(status)} is not valid`,
          );
        }
        const ids = [...this.pullRequests.values()]
          .filter((pr) => status === undefined || pr.status === status)
          .filter((pr) => input.authorArn === undefined || pr.authorArn === input.authorArn)
          .map((pr) => pr.pullRequestId);
        const max = typeof input.maxResults === 'number' ? input.maxResults : 100;
        const start = typeof input.nextToken === 'string' ? Number(input.nextToken) : 0;
        const out: Wire<ListPullRequestsOutput> = {
          pullRequestIds: ids.slice(start, start + max),
          ...(start + max < ids.length ? { nextToken: String(start + max) } : {}),
        };
        return out;
      }
      case 'GetCommentsForPullRequest': {
        const pr = this.pullRequest(input);
        if (input.repositoryName !== undefined) this.repository(input, pr);
        if (input.beforeCommitId !== undefined && input.afterCommitId === undefined) {
          throw new StandInError('CommitIdRequiredException', 'afterCommitId is required when beforeCommitId is given');
        }
        const max = typeof input.maxResults === 'number' ? input.maxResults : 100;
        if (max < 1 || max > 100)
          throw new StandInError('InvalidMaxResultsException', `maxResults ${max} is not valid`);
        const matching = this.comments.filter(
          (c) =>
            c.pullRequestId === pr.pullRequestId &&
            (input.afterCommitId === undefined || c.afterCommitId === input.afterCommitId) &&
            (input.beforeCommitId === undefined || c.beforeCommitId === input.beforeCommitId),
        );
        const start = typeof input.nextToken === 'string' ? Number(input.nextToken) : 0;
        const page = matching.slice(start, start + max);
        const groups = new Map<string, StoredComment[]>();
        for (const c of page) {
          const key = `${c.beforeCommitId}..${c.afterCommitId}`;
          groups.set(key, [...(groups.get(key) ?? []), c]);
        }
        const out: Wire<GetCommentsForPullRequestOutput> = {
          commentsForPullRequestData: [...groups.values()].map((cs) => ({
            pullRequestId: pr.pullRequestId,
            repositoryName: pr.repositoryName,
            beforeCommitId: cs[0]?.beforeCommitId,
            afterCommitId: cs[0]?.afterCommitId,
            comments: cs.map((c) => this.wireComment(c)),
          })),
          ...(start + max < matching.length ? { nextToken: String(start + max) } : {}),
        };
        return out;
      }
      case 'PostCommentForPullRequest': {
        const pr = this.pullRequest(input);
        this.repository(input, pr);
        const before = this.commitId(input.beforeCommitId, 'beforeCommitId');
        const after = this.commitId(input.afterCommitId, 'afterCommitId');
        if (before === after) {
          throw new StandInError(
            'BeforeCommitIdAndAfterCommitIdAreSameException',
            'before and after commit ids are the same',
          );
        }
        const content = this.content(input);
        if (input.location !== undefined) {
          throw new StandInError('UnsupportedOperation', 'the stand-in implements general (not file) comments only');
        }
        if (after !== pr.sourceCommit) {
          throw new StandInError(
            'CommitDoesNotExistException',
            `afterCommitId ${after} is not the current tip ${pr.sourceCommit} of ${pr.sourceReference}`,
          );
        }
        if (![pr.destinationCommit, pr.destinationCommitAtCreation, pr.mergeBase].includes(before)) {
          throw new StandInError(
            'CommitDoesNotExistException',
            `beforeCommitId ${before} is neither the tip of ${pr.destinationReference} nor the merge base`,
          );
        }
        const token = typeof input.clientRequestToken === 'string' ? input.clientRequestToken : undefined;
        const previous = token === undefined ? undefined : this.comments.find((c) => c.clientRequestToken === token);
        let comment: StoredComment;
        if (previous !== undefined) {
          const same =
            previous.pullRequestId === pr.pullRequestId &&
            previous.beforeCommitId === before &&
            previous.afterCommitId === after &&
            previous.content === content &&
            previous.authorArn === callerArn;
          if (!same)
            throw new StandInError(
              'IdempotencyParameterMismatchException',
              `token ${token} was used with other parameters`,
            );
          comment = previous;
        } else {
          const now = this.now();
          comment = {
            commentId: `comment-${this.nextId++}`,
            pullRequestId: pr.pullRequestId,
            repositoryName: pr.repositoryName,
            beforeCommitId: before,
            afterCommitId: after,
            content,
            authorArn: callerArn,
            creationDate: now,
            lastModifiedDate: now,
            deleted: false,
            clientRequestToken: token,
          };
          this.comments.push(comment);
          pr.lastActivityDate = now;
        }
        const out: Wire<PostCommentForPullRequestOutput> = {
          repositoryName: pr.repositoryName,
          pullRequestId: pr.pullRequestId,
          beforeCommitId: before,
          afterCommitId: after,
          comment: this.wireComment(comment),
        };
        return out;
      }
      case 'UpdateComment': {
        const id = input.commentId;
        if (id === undefined || id === '')
          throw new StandInError('CommentIdRequiredException', 'commentId is required');
        const comment = this.comments.find((c) => c.commentId === id);
        if (comment === undefined)
          throw new StandInError('CommentDoesNotExistException', `comment ${String(id)} does not exist`);
        const content = this.content(input);
        if (comment.deleted)
          throw new StandInError('CommentDeletedException', `comment ${comment.commentId} was deleted`);
        if (comment.authorArn !== callerArn) {
          throw new StandInError(
            'CommentNotCreatedByCallerException',
            `comment ${comment.commentId} was created by ${comment.authorArn}, not ${callerArn}`,
          );
        }
        comment.content = content;
        comment.lastModifiedDate = this.now();
        const out: Wire<UpdateCommentOutput> = { comment: this.wireComment(comment) };
        return out;
      }
      default:
        throw new StandInError('UnsupportedOperation', `the pull request stand-in does not implement ${operation}`);
    }
  }
}

/** The access key id of a SigV4-signed request (`Credential=<key>/<date>/...`). */
export function accessKeyOf(authorization: string | undefined): string | undefined {
  return /Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1];
}

/**
 * Serves `store` over CodeCommit's JSON 1.1 protocol. `callerOf` maps the request's access key id to the caller's
 * ARN (the test registers the keys it hands out); an unknown key is refused.
 */
export async function startPullRequestStandIn(
  store: PullRequestStore,
  callerOf: (accessKeyId: string) => string | undefined,
): Promise<CodeCommitStandIn> {
  const calls: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const operation = String(req.headers['x-amz-target'] ?? '').replace(/^CodeCommit_20150413\./, '');
      calls.push(operation);
      const reply = ({ status, body: payload }: BodyReply) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(payload));
      };
      const key = accessKeyOf(req.headers.authorization);
      const caller = key === undefined ? undefined : callerOf(key);
      if (caller === undefined) {
        return reply({
          status: 400,
          body: { __type: 'UnrecognizedClientException', message: `unknown access key ${key}` },
        });
      }
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(body || '{}') as Record<string, unknown>;
      } catch {
        return reply({
          status: 400,
          body: { __type: 'InvalidParameterException', message: 'request body is not JSON' },
        });
      }
      reply(store.handle(operation, input, caller));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
