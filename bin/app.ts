#!/usr/bin/env node
/**
 * The CDK app: reads the configuration, builds the inputs of the project template (seed code, per-branch template)
 * into the cloud assembly, and creates the baseline stack and one serving stack per configured stage, checked by
 * cdk-nag (AwsSolutions), the per-branch template included. Nothing else; no construct writes a file.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BaselineStack } from '../lib/baseline-stack';
import { prepareBuildInputs } from '../lib/build-inputs';
import { ConfigError, readConfig } from '../lib/config';
import { snapshotDirectoryForSynth } from '../lib/snapshots';
import { createServingStacks } from '../lib/serving-stack';

const app = new App();
try {
  const config = readConfig((key) => app.node.tryGetContext(key));
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
} catch (error) {
  // A bad context value is the user's to fix: say which key, without a stack trace.
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
