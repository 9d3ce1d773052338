#!/usr/bin/env node
/**
 * The CDK app: reads and validates the configuration, then adds the stacks (lib/app-main.ts). The stacks' modules
 * (aws-cdk-lib's services, cdk-nag, lib/*) are loaded only once the configuration is valid: a bad context value
 * fails after loading no more than aws-cdk-lib's core and lib/config.
 */
import { App } from 'aws-cdk-lib';
import { ConfigError, readConfig } from '../lib/config';

async function main(): Promise<void> {
  const app = new App();
  try {
    const config = readConfig((key) => app.node.tryGetContext(key));
    const { composeApp } = await import('../lib/app-main');
    composeApp(app, config);
  } catch (error) {
    // A bad context value is the user's to fix: say which key, without a stack trace.
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

void main();
