/**
 * The GitHub variant of the pull request report, run for real: the seed code staged as a new repository gets it
 * (report.js bundled from sagemaker-pipeline/report.ts, ci/report.sh), bash runs ci/report.sh, node runs report.js
 * against moto_server (SageMaker, S3), and curl talks to a local stand-in of GitHub's issue comment API (no internet
 * here) that lets only a comment's author edit it. The Markdown is the CodeCommit variant's, from the same module.
 *
 * What this cannot prove: GitHub's real API and the OIDC role assumption (the template test checks the role's trust).
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  ModelApprovalStatus,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { collectReport } from '../../lambda/pr-report/collect';
import { renderReport, REPORT_MARKER } from '../../lambda/pr-report/render';
import { branchTagValue } from '../../contracts/naming';
import { stageSeedCode } from '../../lib/seed-code';
import { at, readWorkflow, workflowSteps } from '../jenkins/support/ci-files';
import { fakeCommitId } from '../support/model-registry';
import { MotoServer, startMoto, useMotoEnvironment } from '../support/moto';

jest.setTimeout(90_000);

const run = promisify(execFile);
const PROJECT = 'churn';
const PROJECT_ID = 'p-churn1234';
const BUCKET = 'churn-artifacts';
const BRANCH = 'experiment/wider';
const HEAD = fakeCommitId('gh-head');
const MAIN = fakeCommitId('gh-main');

interface GhComment {
  id: number;
  body: string;
  user: { login: string };
}

/** GitHub's issue comment API for one pull request (#7 of acme/churn); tokens map to logins. */
async function gitHubStandIn(tokens: Record<string, string>) {
  const comments: GhComment[] = [];
  const requests: string[] = [];
  let next = 100;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      requests.push(`${req.method} ${req.url}`);
      const login = tokens[(req.headers.authorization ?? '').replace(/^Bearer /, '')];
      if (login === undefined) return reply(401, { message: 'Bad credentials' });
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/repos/acme/churn/issues/7/comments' && req.method === 'GET') {
        const page = Number(url.searchParams.get('page') ?? '1');
        const size = Number(url.searchParams.get('per_page') ?? '30');
        return reply(200, comments.slice((page - 1) * size, page * size));
      }
      if (url.pathname === '/repos/acme/churn/issues/7/comments' && req.method === 'POST') {
        const comment = { id: next++, body: (JSON.parse(body) as { body: string }).body, user: { login } };
        comments.push(comment);
        return reply(201, comment);
      }
      const patch = /^\/repos\/acme\/churn\/issues\/comments\/(\d+)$/.exec(url.pathname);
      if (patch !== null && req.method === 'PATCH') {
        const comment = comments.find((c) => c.id === Number(patch[1]));
        if (comment === undefined) return reply(404, { message: 'Not Found' });
        if (comment.user.login !== login) return reply(403, { message: 'Must have admin rights to Repository.' });
        comment.body = (JSON.parse(body) as { body: string }).body;
        return reply(200, comment);
      }
      reply(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    comments,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let moto: MotoServer;
let seed: string;
let github: Awaited<ReturnType<typeof gitHubStandIn>>;
let summary: string;

beforeAll(async () => {
  moto = await startMoto();
  useMotoEnvironment(moto.endpoint);
  const sagemaker = new SageMakerClient({});
  const s3 = new S3Client({ forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await sagemaker.send(
    new CreateModelPackageGroupCommand({
      ModelPackageGroupName: `model-${PROJECT}`,
      Tags: [{ Key: 'sagemaker:project-id', Value: PROJECT_ID }],
    }),
  );
  for (const [commit, branch, status, mse] of [
    [MAIN, 'main', ModelApprovalStatus.APPROVED, 5],
    [HEAD, BRANCH, ModelApprovalStatus.PENDING_MANUAL_APPROVAL, 4],
  ] as const) {
    const key = `reports/${commit}/evaluation.json`;
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: key,
        Body: JSON.stringify({ regression_metrics: { mse: { value: mse } } }),
      }),
    );
    await sagemaker.send(
      new CreateModelPackageCommand({
        ModelPackageGroupName: `model-${PROJECT}`,
        ModelPackageDescription: `commit ${commit} on branch ${branchTagValue(branch)}`,
        ModelApprovalStatus: status,
        MetadataProperties: { CommitId: commit },
        CustomerMetadataProperties: { commit_id: commit, branch: branchTagValue(branch), model_name: 'churn' },
        ModelMetrics: {
          ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: `s3://${BUCKET}/${key}` } },
        },
        InferenceSpecification: {
          Containers: [
            { Image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/x:1', ModelDataUrl: `s3://${BUCKET}/m.tar.gz` },
          ],
          SupportedContentTypes: ['text/csv'],
          SupportedResponseMIMETypes: ['text/csv'],
        },
      }),
    );
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'report-seed-'));
  seed = stageSeedCode(path.join(tmp, 'repo'));
  summary = path.join(tmp, 'summary.md');
  github = await gitHubStandIn({ 'bot-token': 'github-actions[bot]', 'human-token': 'mary' });
  // A reviewer quoting the report: same first line, another author; never edited.
  github.comments.push({ id: 1, body: `${REPORT_MARKER}\n> quoted`, user: { login: 'mary' } });
});

afterAll(async () => {
  await github?.close();
  await moto?.stop();
  if (seed !== undefined) fs.rmSync(path.dirname(seed), { recursive: true, force: true });
});

async function report() {
  return run('bash', ['ci/report.sh'], {
    cwd: seed,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
      AWS_S3_FORCE_PATH_STYLE: 'true',
      MLOPS_PROJECT_NAME: PROJECT,
      MLOPS_PROJECT_ID: PROJECT_ID,
      MLOPS_SOURCE_BUCKET: BUCKET,
      BRANCH_NAME: BRANCH,
      COMMIT_HASH: HEAD,
      PR_NUMBER: '7',
      GITHUB_TOKEN: 'bot-token',
      MLOPS_GITHUB_REPOSITORY: 'acme/churn',
      GITHUB_API_URL: github.url,
      GITHUB_STEP_SUMMARY: summary,
    },
  });
}

describe('GitHub variant: ci/report.sh with report.js', () => {
  it('ships report.js and ci/report.sh in the seed repository', () => {
    expect(fs.existsSync(path.join(seed, 'report.js'))).toBe(true);
    expect(fs.existsSync(path.join(seed, 'ci', 'report.sh'))).toBe(true);
    expect(fs.existsSync(path.join(seed, 'report.ts'))).toBe(false);
  });

  it('prints the same Markdown as the CodeCommit variant, into the job summary and one sticky comment', async () => {
    const { stdout } = await report();
    const expected = renderReport(
      await collectReport(
        { sagemaker: new SageMakerClient({}), s3: new S3Client({ forcePathStyle: true }) },
        {
          projectName: PROJECT,
          projectId: PROJECT_ID,
          region: 'us-east-1',
          branch: BRANCH,
          headCommit: HEAD,
          artifactBucket: BUCKET,
        },
      ),
    );
    expect(stdout.startsWith(expected)).toBe(true);
    expect(expected).toContain('registered as version 2 (PendingManualApproval)');
    expect(expected).toMatch(/\| mse ↓ \| 4 \| 5 \| -1 \| this branch \|/);
    expect(fs.readFileSync(summary, 'utf8')).toBe(expected);
    const bot = github.comments.filter((c) => c.user.login === 'github-actions[bot]');
    expect(bot.map((c) => c.body)).toEqual([expected]);
  });

  it('updates that comment on the next run instead of adding one, and leaves the reviewer quote alone', async () => {
    await report();
    expect(github.comments.filter((c) => c.user.login === 'github-actions[bot]')).toHaveLength(1);
    expect(github.comments.find((c) => c.id === 1)?.body).toBe(`${REPORT_MARKER}\n> quoted`);
    expect(github.requests.filter((r) => r.startsWith('PATCH'))).toEqual([
      'PATCH /repos/acme/churn/issues/comments/100',
    ]);
  });
});

describe('GitHub workflow job report', () => {
  const workflow = readWorkflow();

  it('runs on pull requests into main from experiment branches, with the report role and nothing more', () => {
    expect(at(workflow, 'on', 'pull_request', 'branches')).toEqual(['main']);
    expect(at(workflow, 'jobs', 'report', 'if')).toBe(
      "github.event_name == 'pull_request' && startsWith(github.head_ref, 'experiment/')",
    );
    expect(at(workflow, 'jobs', 'report', 'permissions')).toEqual({
      contents: 'read',
      'id-token': 'write',
      'pull-requests': 'write',
    });
    const credentials = workflowSteps(workflow, 'report').filter((s) => s.uses?.startsWith('aws-actions/'));
    expect(credentials.map((s) => s.with)).toEqual([
      {
        'role-to-assume': '${{ vars.MLOPS_REPORT_ROLE_ARN }}',
        'aws-region': '${{ vars.MLOPS_REGION }}',
        'role-session-name': 'github-mlops-report',
      },
    ]);
  });

  it('gives ci/report.sh every variable it requires, never expanding an expression inside the script', () => {
    const script = fs.readFileSync(path.join(seed, 'ci', 'report.sh'), 'utf8');
    const required = [...script.matchAll(/: "\$\{([A-Z_]+):\?/g)].map((m) => m[1] as string);
    const global = Object.keys(at(workflow, 'env') as Record<string, string>);
    const runs = workflowSteps(workflow, 'report').filter((s) => s.run !== undefined);
    expect(runs.map((s) => s.run)).toEqual(['bash ci/report.sh', 'bash ci/report.sh']);
    for (const step of runs) {
      const own = Object.keys(step.env);
      expect(required.filter((name) => !global.includes(name) && !own.includes(name))).toEqual([]);
    }
  });
});
