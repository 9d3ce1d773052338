/**
 * Builds the app for tests as bin/app.ts composes it (cdk.json's context, overrides on top), without the costs a
 * test does not need: no esbuild bundling (context `aws:cdk:bundling-stacks: []`), no creation stack traces
 * (test/support/creation-stacks.ts, in the per-branch template's app too) and no built-in CloudFormation validation
 * (CDK_VALIDATION=false). Output and product stack snapshots go to a temporary directory, so tests never touch the
 * committed `product-stack-snapshots/`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BaselineStack } from '../../lib/baseline-stack';
import { BRANCH_TEMPLATE_FILE, prepareBuildInputs } from '../../lib/build-inputs';
import { readConfig } from '../../lib/config';
import { PROJECT_ROOT } from '../../lib/seed-code';
import { NO_CREATION_STACKS } from './creation-stacks';
import { TEST_CACHE_DIR_VARIABLE } from './esbuild-cache';

export const TEST_ACCOUNT = '111111111111';
export const TEST_REGION = 'us-east-1';
export const STACK_NAME = 'MultibranchMlops';

export interface BuildOptions {
  /** Context on top of cdk.json's and the test account and region. */
  readonly context?: Record<string, unknown>;
  /** Add cdk-nag AwsSolutionsChecks to the app and to the per-branch template's app, as bin/app.ts does. */
  readonly nag?: boolean;
  /** Where product version snapshots are read and written. @default - a directory inside the output directory */
  readonly snapshotDirectory?: string;
  /** Changes the app before it is synthesized (for tests that prove a check can fail). @default - none */
  readonly extend?: (baseline: BaselineStack) => void;
}

/** What a synthesized app gives a test that reads only its templates ({@link appTemplates}). */
export interface BuiltTemplates {
  readonly outdir: string;
  readonly baselineTemplate: Template;
  readonly productTemplate: Template;
  /** The per-branch template; undefined with the `external-ci` source provider, which has no branch stacks. */
  readonly branchTemplate?: Template;
  /** Every CloudFormation template the synth wrote: baseline, product stack, per-branch (if any). */
  readonly templateFiles: readonly string[];
}

export interface BuiltApp extends BuiltTemplates {
  readonly baseline: BaselineStack;
}

export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

export function testContext(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...cdkJsonContext(),
    account: TEST_ACCOUNT,
    region: TEST_REGION,
    'aws:cdk:bundling-stacks': [],
    ...NO_CREATION_STACKS,
    ...overrides,
  };
}

function readTemplate(file: string): Template {
  return Template.fromJSON(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>);
}

export function buildApp(options: BuildOptions = {}): BuiltApp {
  process.env.CDK_VALIDATION = 'false';
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mbm-app-'));
  const app = new App({ outdir, context: testContext(options.context) });
  const config = readConfig((key) => app.node.tryGetContext(key), {});
  const buildInputs = prepareBuildInputs({
    sourceProvider: config.sourceProvider,
    outdir,
    branchTemplateValidation: options.nag ? (branchApp) => [new AwsSolutionsChecks(branchApp)] : undefined,
    branchTemplateContext: NO_CREATION_STACKS,
  });
  const baseline = new BaselineStack(app, STACK_NAME, {
    config,
    snapshotDirectory: options.snapshotDirectory ?? path.join(outdir, 'product-stack-snapshots'),
    buildInputs,
  });
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  options.extend?.(baseline);
  const assembly = app.synth();

  const baselineFile = assembly.getStackByName(baseline.stackName).templateFullPath;
  const productFile = path.join(assembly.directory, baseline.productStack.templateFile);
  const branchFile = path.join(assembly.directory, BRANCH_TEMPLATE_FILE);
  const hasBranchTemplate = fs.existsSync(branchFile);
  return {
    outdir,
    baseline,
    baselineTemplate: readTemplate(baselineFile),
    productTemplate: readTemplate(productFile),
    branchTemplate: hasBranchTemplate ? readTemplate(branchFile) : undefined,
    templateFiles: hasBranchTemplate ? [baselineFile, productFile, branchFile] : [baselineFile, productFile],
  };
}

/** Removes what {@link buildApp} or {@link appTemplates} wrote. */
export function removeApp(built: BuiltTemplates): void {
  fs.rmSync(built.outdir, { recursive: true, force: true });
}

const TEMPLATE_NAMES = ['baseline.template.json', 'product.template.json', 'branch.template.json'] as const;

function templatesIn(outdir: string): BuiltTemplates {
  const [baselineFile, productFile, branchFile] = TEMPLATE_NAMES.map((name) => path.join(outdir, name)) as [
    string,
    string,
    string,
  ];
  const hasBranchTemplate = fs.existsSync(branchFile);
  return {
    outdir,
    baselineTemplate: readTemplate(baselineFile),
    productTemplate: readTemplate(productFile),
    branchTemplate: hasBranchTemplate ? readTemplate(branchFile) : undefined,
    templateFiles: hasBranchTemplate ? [baselineFile, productFile, branchFile] : [baselineFile, productFile],
  };
}

/**
 * The templates of the app {@link buildApp} builds with these options, for tests that only read templates: the
 * first call in a jest run synthesizes them, later calls with the same options (in any suite, either worker) copy
 * them from the run's cache directory (test/support/global-setup.ts), so the same app is not synthesized a dozen
 * times per run. Each call gets its own copy in its own directory, which {@link removeApp} removes. Outside a jest
 * run (no cache directory) it synthesizes every time.
 */
export function appTemplates(options: Pick<BuildOptions, 'context' | 'nag'> = {}): BuiltTemplates {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'mbm-templates-'));
  const cacheRoot = process.env[TEST_CACHE_DIR_VARIABLE];
  const key = crypto
    .createHash('sha256')
    .update(JSON.stringify({ context: options.context ?? {}, nag: options.nag ?? false }))
    .digest('hex')
    .slice(0, 32);
  const cached = cacheRoot === undefined ? undefined : path.join(cacheRoot, 'app-templates', key);
  if (cached === undefined || !fs.existsSync(cached)) {
    const built = buildApp(options);
    try {
      const files = [...built.templateFiles];
      files.forEach((file, i) => fs.copyFileSync(file, path.join(copy, TEMPLATE_NAMES[i] as string)));
      if (cached !== undefined) {
        // Written beside, then renamed: the other worker either sees the whole entry or none.
        const staging = fs.mkdtempSync(path.join(cacheRoot as string, 'staging-'));
        files.forEach((file, i) => fs.copyFileSync(file, path.join(staging, TEMPLATE_NAMES[i] as string)));
        fs.mkdirSync(path.dirname(cached), { recursive: true });
        try {
          fs.renameSync(staging, cached);
        } catch {
          fs.rmSync(staging, { recursive: true, force: true }); // the other worker was first: same content
        }
      }
    } finally {
      removeApp(built);
    }
    return templatesIn(copy);
  }
  for (const name of TEMPLATE_NAMES) {
    const file = path.join(cached, name);
    if (fs.existsSync(file)) fs.copyFileSync(file, path.join(copy, name));
  }
  return templatesIn(copy);
}
