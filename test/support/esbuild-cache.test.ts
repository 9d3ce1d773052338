import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BuildOptions } from 'esbuild';
import * as real from 'esbuild/lib/main';
import * as mapped from 'esbuild';
import { buildSync, TEST_CACHE_DIR_VARIABLE } from './esbuild-cache';

describe('esbuild memoized for a jest run (test/support/esbuild-cache.ts)', () => {
  let work: string;
  let cache: string;
  let saved: string | undefined;
  const entry = () => path.join(work, 'src', 'entry.ts');
  const dependency = () => path.join(work, 'src', 'greeting.ts');
  const options = (outfile: string): BuildOptions => ({
    entryPoints: [entry()],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'silent',
  });

  beforeEach(() => {
    saved = process.env[TEST_CACHE_DIR_VARIABLE];
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'esbuild-cache-test-'));
    cache = path.join(work, 'cache');
    fs.mkdirSync(cache);
    fs.mkdirSync(path.join(work, 'src'));
    fs.writeFileSync(entry(), "import { greeting } from './greeting';\nconsole.log(greeting);\n");
    fs.writeFileSync(dependency(), "export const greeting = 'hello';\n");
    process.env[TEST_CACHE_DIR_VARIABLE] = cache;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env[TEST_CACHE_DIR_VARIABLE];
    else process.env[TEST_CACHE_DIR_VARIABLE] = saved;
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('is what `esbuild` resolves to in the tests, with the rest of esbuild unchanged', () => {
    expect(mapped.buildSync).toBe(buildSync);
    expect(mapped.transformSync).toBe(real.transformSync);
  });

  it('serves a second identical build from the cache: the same bundle, built once', () => {
    const first = buildSync(options(path.join(work, 'a', 'out.js')));
    const second = buildSync(options(path.join(work, 'b', 'out.js')));
    expect(fs.readFileSync(path.join(work, 'b', 'out.js'), 'utf8')).toBe(
      fs.readFileSync(path.join(work, 'a', 'out.js'), 'utf8'),
    );
    expect(fs.readdirSync(cache).filter((f) => f.endsWith('.js'))).toHaveLength(1); // one bundle built
    expect(second.errors).toEqual(first.errors);
    expect(second.metafile).toBeUndefined(); // not asked for, as esbuild would answer
    expect(buildSync({ ...options(path.join(work, 'c', 'out.js')), metafile: true }).metafile?.inputs).toBeDefined();
  });

  it('builds again when an input changed since (here: a module the entry imports)', () => {
    buildSync(options(path.join(work, 'a', 'out.js')));
    expect(fs.readFileSync(path.join(work, 'a', 'out.js'), 'utf8')).toContain('hello');
    fs.writeFileSync(dependency(), "export const greeting = 'changed';\n");
    buildSync(options(path.join(work, 'b', 'out.js')));
    const rebuilt = fs.readFileSync(path.join(work, 'b', 'out.js'), 'utf8');
    expect(rebuilt).toContain('changed');
    expect(rebuilt).not.toContain('hello');
  });

  it('passes builds it does not memoize, and every build outside a jest run, to esbuild', () => {
    const unwritten = buildSync({ ...options(path.join(work, 'a', 'out.js')), write: false });
    expect(unwritten.outputFiles?.[0]?.text).toContain('hello');
    delete process.env[TEST_CACHE_DIR_VARIABLE];
    buildSync(options(path.join(work, 'b', 'out.js')));
    expect(fs.existsSync(path.join(work, 'b', 'out.js'))).toBe(true);
    expect(fs.readdirSync(cache)).toEqual([]);
  });
});
