/**
 * Builds the app for tests as bin/app.ts composes it (cdk.json's context, overrides on top), without the costs a
 * test does not need: no esbuild bundling (context `aws:cdk:bundling-stacks: []`) and no built-in CloudFormation
 * validation (CDK_VALIDATION=false). Output and product stack snapshots go to a temporary directory, so tests never
 * touch the committed `product-stack-snapshots/`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BaselineStack } from '../../lib/baseline-stack';
import { BRANCH_TEMPLATE_FILE, prepareBuildInputs } from '../../lib/build-inputs';
import { readConfig } from '../../lib/config';
import { PROJECT_ROOT } from '../../lib/seed-code';

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

export interface BuiltApp {
  readonly outdir: string;
  readonly baseline: BaselineStack;
  readonly baselineTemplate: Template;
  readonly productTemplate: Template;
  /** The per-branch template; undefined with the `external-ci` source provider, which has no branch stacks. */
  readonly branchTemplate?: Template;
  /** Every CloudFormation template the synth wrote: baseline, product stack, per-branch (if any). */
  readonly templateFiles: readonly string[];
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

/** Removes what {@link buildApp} wrote. */
export function removeApp(built: BuiltApp): void {
  fs.rmSync(built.outdir, { recursive: true, force: true });
}
