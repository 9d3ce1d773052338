/**
 * Records every path the process changes through `fs` while a function runs: files and directories created,
 * written, copied or moved to, and removed. Used to prove that constructing and synthesizing the app changes nothing
 * outside the cloud assembly (test/lib/pure-constructs.test.ts).
 *
 * It wraps the functions of the `fs` module object, which aws-cdk-lib and lib/ call through at each use, so every
 * synchronous and callback or promise write of this process is seen; a child process (esbuild's binary) is not.
 */
import * as path from 'node:path';

// The module object itself: `import * as` would give a copy of read-only bindings, which cannot be wrapped.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fs = require('node:fs') as typeof import('node:fs');

type AnyFunction = (...args: unknown[]) => unknown;

/** `fs` functions that change the file system, and which of their arguments name the path changed. */
const WRITERS: Record<string, (args: unknown[], result: unknown) => unknown[]> = {
  writeFileSync: (args) => [args[0]],
  appendFileSync: (args) => [args[0]],
  mkdirSync: (args) => [args[0]],
  mkdtempSync: (_args, result) => [result],
  copyFileSync: (args) => [args[1]],
  cpSync: (args) => [args[1]],
  renameSync: (args) => [args[0], args[1]],
  symlinkSync: (args) => [args[1]],
  linkSync: (args) => [args[1]],
  rmSync: (args) => [args[0]],
  rmdirSync: (args) => [args[0]],
  unlinkSync: (args) => [args[0]],
  truncateSync: (args) => [args[0]],
  utimesSync: (args) => [args[0]],
  chmodSync: (args) => [args[0]],
  openSync: (args) => (isWriteFlag(args[1]) ? [args[0]] : []),
  createWriteStream: (args) => [args[0]],
  writeFile: (args) => [args[0]],
  appendFile: (args) => [args[0]],
  mkdir: (args) => [args[0]],
  copyFile: (args) => [args[1]],
  cp: (args) => [args[1]],
  rename: (args) => [args[0], args[1]],
  rm: (args) => [args[0]],
  unlink: (args) => [args[0]],
};

function isWriteFlag(flags: unknown): boolean {
  if (flags === undefined) return false;
  if (typeof flags === 'number') return (flags & (fs.constants.O_WRONLY | fs.constants.O_RDWR)) !== 0;
  return typeof flags === 'string' && /[wa+]/.test(flags);
}

function toPath(value: unknown): string | undefined {
  if (typeof value === 'string') return path.resolve(value);
  if (value instanceof URL) return path.resolve(value.pathname);
  if (Buffer.isBuffer(value)) return path.resolve(value.toString());
  return undefined;
}

/** Runs `fn` and returns what it returned and every path it changed (absolute, in call order, repeated as called). */
export function recordFileWrites<T>(fn: () => T): { readonly result: T; readonly written: readonly string[] } {
  const written: string[] = [];
  const targets: [Record<string, unknown>, string, (args: unknown[], result: unknown) => unknown[]][] = [];
  for (const [name, paths] of Object.entries(WRITERS))
    targets.push([fs as unknown as Record<string, unknown>, name, paths]);
  for (const name of ['writeFile', 'appendFile', 'mkdir', 'copyFile', 'cp', 'rename', 'rm', 'unlink']) {
    targets.push([fs.promises as unknown as Record<string, unknown>, name, WRITERS[name]!]);
  }
  const originals = targets.map(([owner, name]) => owner[name] as AnyFunction | undefined);
  targets.forEach(([owner, name, paths], index) => {
    const original = originals[index];
    if (original === undefined) return;
    owner[name] = function (this: unknown, ...args: unknown[]) {
      const result = original.apply(this, args);
      for (const target of paths(args, result)) {
        const file = toPath(target);
        if (file !== undefined) written.push(file);
      }
      return result;
    };
  });
  try {
    return { result: fn(), written };
  } finally {
    targets.forEach(([owner, name], index) => {
      if (originals[index] !== undefined) owner[name] = originals[index];
    });
  }
}

/** The paths of `written` that are neither one of `roots` nor inside one. */
export function outside(written: readonly string[], ...roots: string[]): string[] {
  const bases = roots.map((root) => path.resolve(root));
  const within = (file: string) => bases.some((base) => file === base || file.startsWith(`${base}${path.sep}`));
  return [...new Set(written)].filter((file) => !within(file));
}
