/**
 * esbuild for the tests, with `buildSync` memoized for one jest run: every CodeCommit synth stages the seed code,
 * which bundles run.js and report.js (about a CPU second each), and some forty synths and stagings per run bundle
 * the same sources with the same options. jest.config.js maps `esbuild` to this module; everything else is esbuild's.
 *
 * A bundle is reused only while nothing it was built from changed: an entry records esbuild's own list of inputs
 * (the metafile) with a SHA-256 of each, and a hit re-hashes them, so a test that edits a source between two
 * stagings gets a fresh bundle. Only builds that write one `outfile` are memoized (others go to esbuild as given),
 * and only when jest's global setup (test/support/global-setup.ts) named a cache directory for the run
 * (MBM_TEST_CACHE_DIR); the directory is removed when the run ends.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
// The real module, by a path jest.config.js's `^esbuild$` mapping does not match.
import * as esbuild from 'esbuild/lib/main';

export * from 'esbuild/lib/main';

/** The environment variable that names the run's cache directory (set by test/support/global-setup.ts). */
export const TEST_CACHE_DIR_VARIABLE = 'MBM_TEST_CACHE_DIR';

interface Entry {
  /** The bundle's file in the cache directory (unique per build, so an entry and its bundle always match). */
  readonly bundle: string;
  /** esbuild's result as it returned it (errors, warnings, metafile). */
  readonly result: esbuild.BuildResult;
  /** Absolute input path -> SHA-256 of its contents when the bundle was built. */
  readonly inputs: Record<string, string>;
}

function sha256(file: string): string | undefined {
  try {
    return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  } catch {
    return undefined; // deleted since: the entry is stale
  }
}

/** The key of a build: every option but where the bundle goes (it does not change the bundle's text). */
function keyOf(options: esbuild.BuildOptions): string | undefined {
  if (options.outfile === undefined || options.outdir !== undefined || options.write === false) return undefined;
  if (options.plugins !== undefined || options.sourcemap) return undefined;
  const { outfile, ...rest } = options;
  const described = JSON.stringify({ ...rest, outfileName: path.basename(outfile), cwd: process.cwd() });
  return createHash('sha256').update(described).digest('hex');
}

function fresh(entry: Entry): boolean {
  return Object.entries(entry.inputs).every(([file, hash]) => sha256(file) === hash);
}

function answer(entry: Entry, options: esbuild.BuildOptions): esbuild.BuildResult {
  const result = structuredClone(entry.result);
  if (!options.metafile) delete result.metafile;
  return result;
}

export function buildSync<T extends esbuild.BuildOptions>(options: T): esbuild.BuildResult<T> {
  const directory = process.env[TEST_CACHE_DIR_VARIABLE];
  const key = directory ? keyOf(options) : undefined;
  if (!directory || !key || options.outfile === undefined)
    return esbuild.buildSync<esbuild.BuildOptions>(options) as esbuild.BuildResult<T>;

  const entryFile = path.join(directory, `${key}.json`);
  if (fs.existsSync(entryFile)) {
    const entry = JSON.parse(fs.readFileSync(entryFile, 'utf8')) as Entry;
    if (fresh(entry)) {
      fs.mkdirSync(path.dirname(options.outfile), { recursive: true });
      fs.copyFileSync(path.join(directory, entry.bundle), options.outfile);
      return answer(entry, options) as esbuild.BuildResult<T>;
    }
  }

  const result = esbuild.buildSync<esbuild.BuildOptions>({ ...options, metafile: true });
  const base = options.absWorkingDir ?? process.cwd();
  const inputs: Record<string, string> = {};
  for (const input of Object.keys(result.metafile?.inputs ?? {})) {
    const file = path.resolve(base, input);
    const hash = sha256(file);
    if (hash !== undefined) inputs[file] = hash; // not a file (esbuild's virtual inputs): nothing to compare
  }
  // Unique names, the entry renamed into place last: two workers building the same bundle never see half a file.
  const unique = `${key}-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const entry: Entry = { bundle: `${unique}.js`, result, inputs };
  fs.copyFileSync(options.outfile, path.join(directory, entry.bundle));
  fs.writeFileSync(path.join(directory, `${unique}.json`), JSON.stringify(entry));
  fs.renameSync(path.join(directory, `${unique}.json`), entryFile);
  return answer(entry, options) as esbuild.BuildResult<T>;
}
