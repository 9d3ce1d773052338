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
