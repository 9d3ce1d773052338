/**
 * Bundle figures of the four Lambda handlers and of the seed code's run command, `npm run bench:bundles`:
 * - bundle size: each handler's index.ts bundled by esbuild exactly as MonitoredFunction has NodejsFunction bundle
 *   it (bench/support.ts ESBUILD, from FUNCTION_BUNDLING), then zipped, and for comparison with the SDK bundled in; the seed code's
 *   `run.js` staged by `stageSeedCode` (lib/seed-code.ts), as a new repository receives it;
 * - cold init of each handler: median of 5 `require`s of the deployed bundle, each in a fresh Node process, with the
 *   environment the handler reads at cold start and the SDK resolved from node_modules (as the runtime provides it);
 * - Powertools' share of each deployed bundle (Logger, Metrics and what they import: bytes in the output);
 * - with `--top N`: the N largest inputs of each bundle (bytes in the output), from esbuild's metafile.
 *
 *   npm run bench:bundles
 *   npm run bench:bundles -- --top 15
 */
import { buildSync, Metafile } from 'esbuild';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { stageSeedCode } from '../lib/seed-code';
import { coldInits, ESBUILD, median, ROOT, zippedBytes } from './support';

const RUNS_INIT = 5;

const HANDLERS = [
  {
    name: 'branch-pipeline',
    entry: 'lambda/branch-pipeline/index.ts',
    env: {
      PROJECT_NAME: 'fraud',
      PROJECT_ID: 'p-abcdef123456',
      REPOSITORY_NAME: 'model-fraud-train',
      BRANCH_PREFIX: 'experiment/',
      PIPELINE_TEMPLATE_URL: 'https://bench-assets.s3.us-east-1.amazonaws.com/branch.template.json',
      CLOUDFORMATION_ROLE_ARN: 'arn:aws:iam::123456789012:role/fraud-branch-stacks',
      PIPELINE_STACK_PARAMETERS: JSON.stringify({ ProjectName: 'fraud', RepositoryName: 'model-fraud-train' }),
    },
  },
  {
    name: 'release-model',
    entry: 'lambda/release-model/index.ts',
    env: {
      PROJECT_NAME: 'fraud',
      REPOSITORY_NAME: 'model-fraud-train',
      MAIN_BRANCH: 'main',
      MODEL_PACKAGE_GROUP_NAME: 'model-fraud',
      INTENT_TABLE_NAME: 'fraud-release-intents',
      INTENT_TTL_DAYS: '14',
      PROJECT_ID: 'p-abcdef123456',
      COMMIT_INDEX_TABLE_NAME: 'commit-index-fraud',
      ARTIFACT_BUCKET_NAME: 'fraud-artifacts',
    },
  },
  {
    name: 'pr-report',
    entry: 'lambda/pr-report/index.ts',
    env: {
      PROJECT_NAME: 'fraud',
      PROJECT_ID: 'p-abcdef123456',
      REPOSITORY_NAME: 'model-fraud-train',
      MAIN_BRANCH: 'main',
      BRANCH_PREFIX: 'experiment/',
      ARTIFACT_BUCKET: 'fraud-artifacts',
    },
  },
  {
    name: 'deploy-model',
    entry: 'lambda/deploy-model/index.ts',
    env: {
      STAGE_NAME: 'qa',
      REGISTRY_ACCOUNT: '123456789012',
      OWN_ACCOUNT: '123456789012',
      SERVED_PROJECTS: JSON.stringify([{ name: 'fraud', id: 'p-abcdef123456' }]),
      SERVING_BUCKET: 'serving-qa',
      PARAMETER_PREFIX: '/multibranch-mlops/serving/qa/',
    },
  },
] as const;

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** Bytes of the output that come from Powertools for AWS Lambda (its packages and their dependency). */
const POWERTOOLS = /node_modules\/(@aws-lambda-powertools\/|@aws\/lambda-invoke-store\/)/;
function powertoolsBytes(metafile: Metafile): number {
  let bytes = 0;
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (POWERTOOLS.test(input)) bytes += bytesInOutput;
    }
  }
  return bytes;
}

/** The `top` largest inputs of a bundle, folded by package (node_modules/<package>) or source folder. */
function largestInputs(metafile: Metafile, top: number): string[] {
  const byInput = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const key = match ? match[1]! : path.dirname(input);
      byInput.set(key, (byInput.get(key) ?? 0) + bytesInOutput);
    }
  }
  return [...byInput.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([input, bytes]) => `    ${kib(bytes).padStart(10)}  ${input}`);
}

function main(): void {
  const { values } = parseArgs({ options: { top: { type: 'string', default: '0' } } });
  const top = Number(values.top);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-bundles-'));
  const lines: string[] = [];
  try {
    for (const handler of HANDLERS) {
      const bundle = path.join(work, handler.name, 'index.js');
      // For comparison only: the AWS SDK bundled in (NodejsFunction leaves it out; the runtime provides it).
      const result = buildSync({
        ...ESBUILD,
        external: [],
        entryPoints: [path.join(ROOT, handler.entry)],
        outfile: bundle,
        metafile: true,
      });
      const deployed = path.join(work, handler.name, 'deployed.js');
      const deployedResult = buildSync({
        ...ESBUILD,
        entryPoints: [path.join(ROOT, handler.entry)],
        outfile: deployed,
        metafile: true,
      });
      // Cold init of the deployed bundle, with the SDK from node_modules as the runtime provides it.
      const inits = coldInits(deployed, handler.env, RUNS_INIT);
      const bytes = fs.statSync(bundle).size;
      const zipped = zippedBytes(bundle);
      lines.push(
        `${handler.name}: with the SDK bundled in: bundle ${kib(bytes)} (${bytes} bytes), zipped ${kib(zipped)} (${zipped} bytes)`,
      );
      const deployedBytes = fs.statSync(deployed).size;
      const deployedZipped = zippedBytes(deployed);
      lines.push(
        `  as deployed (MonitoredFunction's bundling, @aws-sdk/* external): bundle ${kib(deployedBytes)} (${deployedBytes} bytes), zipped ${kib(deployedZipped)} (${deployedZipped} bytes), cold init median ${median(inits).toFixed(1)} ms [${inits.map((v) => v.toFixed(0)).join(', ')}]`,
        `  of which Powertools (Logger, Metrics): ${kib(powertoolsBytes(deployedResult.metafile))}`,
      );
      if (top > 0) lines.push(...largestInputs(result.metafile, top));
    }

    const seed = stageSeedCode(path.join(work, 'seed'));
    const runJs = path.join(seed, 'run.js');
    const runBytes = fs.statSync(runJs).size;
    const runZipped = zippedBytes(runJs);
    lines.push(
      `seed run.js: bundle ${kib(runBytes)} (${runBytes} bytes), zipped ${kib(runZipped)} (${runZipped} bytes)`,
    );
    lines.push(`(node ${process.version}, ${RUNS_INIT} fresh processes per cold init)`);
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main();
