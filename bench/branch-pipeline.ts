/**
 * Figures of the branch function, as the issue asks for them:
 * - bundle size: lambda/branch-pipeline/index.ts bundled by esbuild the way the CDK NodejsFunction does (minify,
 *   platform node, target node22, format cjs, mainFields module/main, nothing external), then zipped;
 * - cold init: median of 5 `require`s of the bundled file, each in a fresh Node process;
 * - wall time per event: the bundled handler against moto_server (real SDK, the synthesized branch template in
 *   moto's S3), median of 20 events of each kind. moto lacks the CodeCommit branch APIs: GetBranch (asked before a
 *   stack is created) is answered by the e2e CodeCommit stand-in, over HTTP like the service, with the bench branches.
 *
 *   npm run bench:branch
 */
import { S3Client, CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { buildSync } from 'esbuild';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { synthesizeBranchTemplate } from '../lib/branch-pipeline-stack';
import { startCodeCommitStandIn } from '../test/e2e/support/codecommit-standin';
import { startMoto, useMotoEnvironment } from '../test/support/moto';
import { BRANCH_ENV, coldInits, ESBUILD, median, ROOT, zippedBytes } from './support';

const RUNS_INIT = 5;
const RUNS_EVENT = 20;

const ENV = BRANCH_ENV;

const ms = (value: number) => `${value.toFixed(1)} ms`;

function referenceEvent(kind: string, branch: string, id: string): unknown {
  const commit = kind === 'referenceDeleted' ? { oldCommitId: 'a'.repeat(40) } : { commitId: 'b'.repeat(40) };
  return {
    version: '0',
    id,
    'detail-type': 'CodeCommit Repository State Change',
    source: 'aws.codecommit',
    account: '123456789012',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [`arn:aws:codecommit:us-east-1:123456789012:${ENV.REPOSITORY_NAME}`],
    detail: {
      event: kind,
      repositoryName: ENV.REPOSITORY_NAME,
      referenceType: 'branch',
      referenceName: branch,
      referenceFullName: `refs/heads/${branch}`,
      ...commit,
    },
  };
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-branch-'));
  try {
    // 1. Bundle and zip.
    const bundle = path.join(work, 'index.js');
    buildSync({ ...ESBUILD, entryPoints: [path.join(ROOT, 'lambda/branch-pipeline/index.ts')], outfile: bundle });
    const bundleBytes = fs.statSync(bundle).size;
    const zipBytes = zippedBytes(bundle);

    // 2. Cold init: require the bundle in fresh Node processes.
    const inits = coldInits(bundle, ENV, RUNS_INIT);

    // 3. Wall time per event against moto, with the bundled handler.
    const branches = Array.from({ length: RUNS_EVENT }, (_, i) => `experiment/bench-${i}`);
    const live = new Set(branches);
    const codecommit = await startCodeCommitStandIn({
      repositoryName: ENV.REPOSITORY_NAME,
      // The branches that exist in git right now: all of them until the delete events, none after.
      branches: () => new Map([...live].map((branch) => [branch, 'b'.repeat(40)])),
    });
    const moto = await startMoto();
    try {
      useMotoEnvironment(moto.endpoint);
      Object.assign(process.env, ENV, { AWS_ENDPOINT_URL_CODECOMMIT: codecommit.endpoint });
      const s3 = new S3Client({ forcePathStyle: true });
      await s3.send(new CreateBucketCommand({ Bucket: 'bench-assets' }));
      const template = synthesizeBranchTemplate(path.join(work, 'branch.template.json'));
      await s3.send(
        new PutObjectCommand({ Bucket: 'bench-assets', Key: 'branch.template.json', Body: fs.readFileSync(template) }),
      );
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundled artifact, as Lambda loads it
      const { handler } = require(bundle) as { handler: (event: unknown) => Promise<{ stack?: string }> };
      const timed = async (event: unknown, expected: string) => {
        const started = process.hrtime.bigint();
        const result = await handler(event);
        const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
        if (result.stack !== expected) throw new Error(`expected ${expected}, got ${JSON.stringify(result)}`);
        return elapsed;
      };
      const created: number[] = [];
      const updated: number[] = [];
      const deleted: number[] = [];
      for (const [i, branch] of branches.entries()) {
        created.push(await timed(referenceEvent('referenceCreated', branch, `c-${i}`), 'created'));
      }
      for (const [i, branch] of branches.entries()) {
        updated.push(await timed(referenceEvent('referenceUpdated', branch, `u-${i}`), 'exists'));
      }
      live.clear(); // the branches are deleted in git; then their delete events arrive
      for (const [i, branch] of branches.entries()) {
        deleted.push(await timed(referenceEvent('referenceDeleted', branch, `d-${i}`), 'deleting'));
      }

      const lines = [
        `bundle: ${(bundleBytes / 1024).toFixed(1)} KiB, zipped ${(zipBytes / 1024).toFixed(1)} KiB (${zipBytes} bytes)`,
        `cold init (require of the bundle, ${RUNS_INIT} fresh node ${process.version} processes): median ${ms(median(inits))} [${inits.map((v) => v.toFixed(0)).join(', ')}]`,
        `wall time per event against moto (median of ${RUNS_EVENT}): referenceCreated ${ms(median(created))}, referenceUpdated (stack exists) ${ms(median(updated))}, referenceDeleted ${ms(median(deleted))}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    } finally {
      await moto.stop();
      await codecommit.stop();
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
