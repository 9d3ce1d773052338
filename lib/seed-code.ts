/**
 * Stages the seed code that every new project's git repository starts with: the contents of `sagemaker-pipeline/`
 * as data scientists see them (configuration, ML scripts, buildspec, CI files), plus the run command bundled by
 * esbuild into one JavaScript file (`run.js`), so that a build installs nothing. TypeScript sources are not copied.
 *
 * Runs at synth time on the developer's machine only (no AWS calls).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

/** The project root, resolved from this file (lib/ is one level below it). */
export const PROJECT_ROOT = path.resolve(__dirname, '..');
export const SEED_SOURCE_DIR = path.join(PROJECT_ROOT, 'sagemaker-pipeline');

/** The file of the seed that records which platform version its platform files come from. */
export const SEED_VERSION_FILE = '.multibranch-mlops-version';

/** The platform version of a checkout: `v` + its package.json's version (the default product version too). */
export function platformVersion(root: string = PROJECT_ROOT): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: unknown };
  if (typeof manifest.version !== 'string') throw new Error(`${root}/package.json has no "version"`);
  return `v${manifest.version}`;
}

/** Paths under sagemaker-pipeline/ that are build inputs, not repository contents. */
const EXCLUDED = new Set(['node_modules', '__pycache__', '.pytest_cache', 'src']);

function copyTree(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    if (EXCLUDED.has(entry.name)) continue;
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) copyTree(source, target);
    else if (entry.isFile() && !entry.name.endsWith('.ts')) fs.copyFileSync(source, target);
  }
}

/** What the README says only to readers of the platform's checkout (`<!-- platform-only ... -->` blocks). */
const PLATFORM_ONLY = /<!-- platform-only[^>]*-->[\s\S]*?<!-- \/platform-only -->\n?/g;

function stripPlatformOnly(readme: string): void {
  if (fs.existsSync(readme)) fs.writeFileSync(readme, fs.readFileSync(readme, 'utf8').replace(PLATFORM_ONLY, ''));
}

/**
 * Writes the seed repository's files into `stagingDir` (created or emptied first) and returns it.
 */
export function stageSeedCode(stagingDir: string, sourceDir: string = SEED_SOURCE_DIR): string {
  fs.rmSync(stagingDir, { recursive: true, force: true });
  copyTree(sourceDir, stagingDir);
  stripPlatformOnly(path.join(stagingDir, 'README.md'));
  // run.js: the run command; report.js: the pull request report (GitHub variant, docs/pr-report.md).
  for (const name of ['run', 'report']) {
    const entry = path.join(sourceDir, `${name}.ts`);
    if (!fs.existsSync(entry)) continue;
    buildSync({
      entryPoints: [entry],
      outfile: path.join(stagingDir, `${name}.js`),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      minify: true,
      mainFields: ['module', 'main'],
      legalComments: 'none',
      banner: { js: '#!/usr/bin/env node' },
      logLevel: 'error',
    });
  }
  // Which platform version the platform files come from: the upgrade command reads it (lib/upgrade-project.ts).
  fs.writeFileSync(path.join(stagingDir, SEED_VERSION_FILE), `${platformVersion()}\n`);
  return stagingDir;
}
