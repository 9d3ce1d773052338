/**
 * The files the project template is built from, produced once before any construct exists (by bin/app.ts, and by the
 * test helpers the same way), inside the cloud assembly: the staged seed code (esbuild bundles its run command) and
 * the per-branch template (synthesized in an app of its own, checked by cdk-nag when asked). Constructs receive their
 * paths as props and write nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, IPolicyValidationPlugin } from 'aws-cdk-lib';
import { synthesizeBranchTemplate } from './branch-pipeline-stack';
import type { SourceProvider } from './config';
import { sourceProviderEntry } from './constructs/source';
import type { ProjectBuildInputs } from './constructs/source/project-source';
import { stageSeedCode } from './seed-code';

export type { ProjectBuildInputs } from './constructs/source/project-source';

/** The file names, in the app's output directory, of the per-branch template and the staged seed code. */
export const BRANCH_TEMPLATE_FILE = 'BranchPipeline.template.json';
export const SEED_CODE_DIR = 'seed-code';

export interface BuildInputOptions {
  /** The source provider of the configuration: only providers that need build inputs get them. */
  readonly sourceProvider: SourceProvider;
  /** The cloud assembly directory (`app.outdir`): the inputs are written there, nowhere else. */
  readonly outdir: string;
  /**
   * Creates the policy validation plugins (cdk-nag) that check the per-branch template in its own app.
   * @default - the per-branch template is not checked
   */
  readonly branchTemplateValidation?: (app: App) => IPolicyValidationPlugin[];
  /**
   * Context of the per-branch template's own app (the tests turn creation stack traces off there too).
   * @default - no context
   */
  readonly branchTemplateContext?: Record<string, unknown>;
}

/**
 * Stages the seed code and synthesizes the per-branch template into `outdir`, for a provider that needs them.
 * @returns the inputs, or undefined for a provider that needs none (`external-ci`)
 */
export function prepareBuildInputs(options: BuildInputOptions): ProjectBuildInputs | undefined {
  const entry = sourceProviderEntry(options.sourceProvider);
  if (options.outdir.trim() === '') {
    throw new Error('outdir must name the cloud assembly directory (app.outdir), not be empty');
  }
  if (!entry.needsBuildInputs) return undefined;
  fs.mkdirSync(options.outdir, { recursive: true });
  return {
    seedDirectory: stageSeedCode(path.join(options.outdir, SEED_CODE_DIR)),
    branchTemplateFile: synthesizeBranchTemplate(path.join(options.outdir, BRANCH_TEMPLATE_FILE), {
      validationPlugins: options.branchTemplateValidation,
      context: options.branchTemplateContext,
    }),
  };
}
