#!/usr/bin/env node
/**
 * The CDK app: reads the configuration and creates the baseline stack and one serving stack per configured stage,
 * checked by cdk-nag (AwsSolutions), the per-branch template included. Nothing else.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BaselineStack } from '../lib/baseline-stack';
import { ConfigError, readConfig } from '../lib/config';
import { snapshotDirectoryForSynth } from '../lib/snapshots';
import { createServingStacks } from '../lib/serving-stack';

const app = new App();
try {
  const config = readConfig((key) => app.node.tryGetContext(key));
  new BaselineStack(app, 'MultibranchMlops', {
    config,
    snapshotDirectory: snapshotDirectoryForSynth({
      provider: config.sourceProvider,
      release: config.releaseSnapshot,
      outdir: app.outdir,
    }),
    branchTemplateValidation: (branchApp) => [new AwsSolutionsChecks(branchApp)],
  });
  createServingStacks(app, config);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
} catch (error) {
  // A bad context value is the user's to fix: say which key, without a stack trace.
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
