/**
 * A local stand-in for the CodeCommit branch APIs that moto 5.2 lacks (ListBranches, GetBranch), answering from the
 * real git bare repository. Handlers reach it through `AWS_ENDPOINT_URL_CODECOMMIT` (the SDK's service-specific
 * endpoint variable, which wins over `AWS_ENDPOINT_URL`), so their code and SDK clients stay as deployed. It speaks
 * CodeCommit's JSON 1.1 protocol; any other operation gets an error naming it, so a handler that starts calling
 * something new fails the test visibly.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GitRepository } from './git-events';

export interface CodeCommitStandIn {
  readonly endpoint: string;
  /** Operations received, in order (for assertions). */
  readonly calls: string[];
  stop(): Promise<void>;
}

const PAGE_SIZE = 100;

/** What the stand-in reads of a repository: its name and its branches (name → commit id), asked on every request. */
export type BranchSource = Pick<GitRepository, 'repositoryName' | 'branches'>;

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
