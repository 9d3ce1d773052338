/**
 * The stacks of the CDK app, for a configuration bin/app.ts has already read and validated: builds the inputs of the
 * project template (seed code, per-branch template) into the cloud assembly, and creates the baseline stack and one
 * serving stack per configured stage, checked by cdk-nag (AwsSolutions), the per-branch template included. Nothing
 * else; no construct writes a file. bin/app.ts loads this module only once the configuration is valid, so a bad
 * context value fails without loading the stacks (aws-cdk-lib's services, cdk-nag, lib/*).
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BaselineStack } from './baseline-stack';
import { prepareBuildInputs } from './build-inputs';
import type { AppConfig } from './config';
import { createServingStacks } from './serving-stack';
import { snapshotDirectoryForSynth } from './snapshots';

/** Adds the app's stacks and its cdk-nag checks to `app`, for the configuration read from its context. */
export function composeApp(app: App, config: AppConfig): void {
  // Build inputs first, into the cloud assembly: the constructs below only read them.
  const buildInputs = prepareBuildInputs({
    sourceProvider: config.sourceProvider,
    outdir: app.outdir,
    branchTemplateValidation: (branchApp) => [new AwsSolutionsChecks(branchApp)],
  });
  new BaselineStack(app, 'MultibranchMlops', {
    config,
    snapshotDirectory: snapshotDirectoryForSynth({
      provider: config.sourceProvider,
      release: config.releaseSnapshot,
      outdir: app.outdir,
    }),
    buildInputs,
  });
  createServingStacks(app, config);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}
