/**
 * What the figure scripts share: the esbuild options of the CDK NodejsFunction bundling, zipped size, cold init
 * measured in fresh Node processes, and the median.
 */
import { BuildOptions } from 'esbuild';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FUNCTION_BUNDLING, FUNCTION_EXTERNAL_MODULES } from '../lib/constructs/monitored-function';
import { ENV as BRANCH_TEST_ENV } from '../test/lambda/branch-pipeline/support';

export const ROOT = path.resolve(__dirname, '..');

/**
 * The esbuild options NodejsFunction uses for the functions (lib/constructs/monitored-function.ts, FUNCTION_BUNDLING
 * and its default externals), so the figures are of the bundles that are deployed.
 */
export const ESBUILD = {
  bundle: true,
  minify: FUNCTION_BUNDLING.minify,
  platform: 'node',
  target: FUNCTION_BUNDLING.target,
  format: FUNCTION_BUNDLING.format,
  mainFields: [...FUNCTION_BUNDLING.mainFields],
  external: [...FUNCTION_EXTERNAL_MODULES],
  logLevel: 'error',
} as const satisfies BuildOptions;

/** The account moto_server answers as. */
const MOTO_ACCOUNT = '123456789012';
const inMoto = (value: string) => value.replaceAll('111111111111', MOTO_ACCOUNT);

/**
 * The branch function's environment in the figures: the tests' (test/lambda/branch-pipeline/support.ts), with its
 * template in the bench bucket and its roles in moto's account.
 */
export const BRANCH_ENV = {
  ...BRANCH_TEST_ENV,
  PIPELINE_TEMPLATE_URL: 'https://bench-assets.s3.us-east-1.amazonaws.com/branch.template.json',
  CLOUDFORMATION_ROLE_ARN: inMoto(BRANCH_TEST_ENV.CLOUDFORMATION_ROLE_ARN),
  PIPELINE_STACK_PARAMETERS: inMoto(BRANCH_TEST_ENV.PIPELINE_STACK_PARAMETERS),
  LOG_LEVEL: 'ERROR',
};

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Size in bytes of `file` zipped on its own (as a Lambda deployment package). */
export function zippedBytes(file: string): number {
  const zip = `${file}.zip`;
  execFileSync('zip', ['-q', '-j', zip, file]);
  return fs.statSync(zip).size;
}

/** Milliseconds to `require` the bundle, once per fresh Node process, `runs` times, with `env` added. */
export function coldInits(bundle: string, env: Record<string, string>, runs: number): number[] {
  const probe = `const t=process.hrtime.bigint();require(${JSON.stringify(bundle)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6));`;
  const inits: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, ['-e', probe], {
      env: {
        ...process.env,
        ...env,
        AWS_REGION: 'us-east-1',
        LOG_LEVEL: 'ERROR',
        NODE_NO_WARNINGS: '1',
        // The bundles leave the AWS SDK out, as deployed; the Lambda runtime provides it, here node_modules does.
        NODE_PATH: path.join(ROOT, 'node_modules'),
      },
      encoding: 'utf8',
    });
    inits.push(Number(out));
  }
  return inits;
}
