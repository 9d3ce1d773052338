import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import {
  InvalidNameError,
  PROJECT_NAME_PATTERN,
  TAG_VALUE_PATTERN,
  branchFromRef,
  branchHash,
  branchSlug,
  branchStackName,
  branchTagValue,
  codePipelineName,
  HASH_LENGTH,
  isUnderPrefix,
  LEGACY_HASH_LENGTH,
  legacyBranchNames,
  sageMakerPipelineName,
} from '../../contracts/naming';

/** git's rules for a branch name (git-check-ref-format(1) with --branch). */
function isGitBranchName(name: string): boolean {
  if (name.length === 0 || name === '@' || name === 'HEAD' || name.startsWith('-')) return false;
  if (name.startsWith('/') || name.endsWith('/') || name.endsWith('.') || name.includes('//')) return false;
  if (name.includes('..') || name.includes('@{')) return false;
  // eslint-disable-next-line no-control-regex -- git forbids control characters, which is what this checks
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return false;
  return name.split('/').every((part) => !part.startsWith('.') && !part.endsWith('.lock'));
}

// Characters that git accepts in branch names, weighted towards the ones that break naive name mapping.
const asciiWords = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split('');
const awkward = [
  '-',
  '-',
  '_',
  '.',
  '$',
  '(',
  ')',
  '`',
  '!',
  '#',
  '&',
  ';',
  "'",
  '"',
  '<',
  '>',
  '|',
  '{',
  '}',
  '=',
  '+',
];
const more = [',', '%', '@', 'é', 'ü', 'ß', 'Ж', 'д', '実', '験', 'ب', '🚀', '\u00a0', '\u3000', '٣'];
const char = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...asciiWords) },
  { weight: 3, arbitrary: fc.constantFrom(...awkward) },
  { weight: 1, arbitrary: fc.constantFrom(...more) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
);
const segment = fc.string({ unit: char, minLength: 1, maxLength: 24 });
const deepBranch = fc.array(segment, { minLength: 1, maxLength: 10 }).map((parts) => parts.join('/'));
const longBranch = fc
  .array(fc.string({ unit: char, minLength: 12, maxLength: 24 }), { minLength: 16, maxLength: 20 })
  .map((parts) =>
    Array.from(`experiment/${parts.join('/')}`)
      .slice(0, 250)
      .join('')
      .replace(/[/.]+$/, ''),
  );
const ordinaryBranch = fc
  .array(fc.stringMatching(/^[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}$/), { minLength: 1, maxLength: 3 })
  .map((parts) => `experiment/${parts.join('/')}`);
const branch = fc
  .oneof(
    deepBranch,
    deepBranch.map((b) => `experiment/${b}`),
    longBranch,
    ordinaryBranch,
  )
  .filter(isGitBranchName);
const project = fc.stringMatching(PROJECT_NAME_PATTERN).filter((p) => p.length <= 32);

const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]*$/;
const CODEPIPELINE_NAME = /^[A-Za-z0-9.@_-]+$/;
const SAGEMAKER_PIPELINE_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$/;

const allNames = (p: string, b: string) => [branchStackName(p, b), codePipelineName(p, b), sageMakerPipelineName(p, b)];

/**
 * The names among `names` that real git rejects, each checked by its own `git check-ref-format --branch` (git has no
 * batch mode for it), run from one shell rather than one spawn from jest per name. The names go NUL-separated on
 * stdin (a branch name has no NUL); the shell prints each rejected name and the count it checked, so a name the loop
 * skipped fails the test.
 */
function rejectedByGit(names: readonly string[]): string[] {
  const script = [
    'checked=0',
    `while IFS= read -r -d '' name; do`,
    '  checked=$((checked + 1))',
    `  git check-ref-format --branch "$name" >/dev/null 2>&1 || printf 'rejected:%s\\0' "$name"`,
    'done',
    `printf 'checked:%s\\0' "$checked"`,
  ].join('\n');
  const result = spawnSync('bash', ['-c', script], { input: names.map((n) => `${n}\0`).join(''), encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`the git check loop failed (${result.status}): ${result.stderr}`);
  const lines = result.stdout.split('\0').filter((line) => line !== '');
  expect(lines.pop()).toBe(`checked:${names.length}`);
  return lines.map((line) => line.replace(/^rejected:/, ''));
}

describe('branch name generator', () => {
  it('produces names that real git accepts as branch names', () => {
    const samples = fc.sample(branch, { numRuns: 150, seed: 42 });
    expect(rejectedByGit(samples)).toEqual([]);
    // ...and covers what the naming must survive.
    expect(samples.some((s) => s.length >= 200)).toBe(true);
    expect(samples.some((s) => /[^ -~]/.test(s))).toBe(true);
    expect(samples.some((s) => s.split('/').length >= 5)).toBe(true);
    expect(samples.some((s) => /[$`()]/.test(s))).toBe(true);
  });

  it('agrees with git check-ref-format on names git rejects', () => {
    const invalid = ['a..b', 'a b', 'a/.hidden', 'x.lock', 'a//b', 'a@{1}', '-a', 'a:b', 'a~1', 'a/'];
    for (const name of invalid) expect(isGitBranchName(name)).toBe(false);
    // Also proves rejectedByGit reports what git rejects (and keeps the order and the names as given).
    expect(rejectedByGit([...invalid, 'experiment/ok'])).toEqual(invalid);
  });
});

describe('branch naming properties', () => {
  it('hashes with at least 16 hex digits, and keeps the 10-digit names of earlier versions recognizable', () => {
    // Issue 10, attack 12: 10 hex digits (40 bits) collide after about a million names; 16 digits (64 bits) do not.
    expect(HASH_LENGTH).toBeGreaterThanOrEqual(16);
    expect(LEGACY_HASH_LENGTH).toBe(10);
    fc.assert(
      fc.property(project, branch, (p, b) => {
        const legacy = legacyBranchNames(p, b);
        const hashed = /---[0-9a-f]+$/.exec(sageMakerPipelineName(p, b))?.[0];
        if (legacy === undefined) {
          // Names without a hash are the same in every version.
          expect(allNames(p, b).some((name) => /---[0-9a-f]{16}$/.test(name))).toBe(false);
          return;
        }
        const full = branchHash(b);
        for (const name of allNames(p, b).filter((n) => /---[0-9a-f]+$/.test(n))) expect(name).toMatch(`---${full}`);
        // Versions before 0.2 took only names starting with a lower-case letter, so only those had stacks.
        if (/^[a-z]/.test(p)) expect(legacy.stack).toMatch(STACK_NAME);
        expect(legacy.codePipeline).toMatch(CODEPIPELINE_NAME);
        expect(legacy.sageMakerPipeline).toMatch(SAGEMAKER_PIPELINE_NAME);
        // The legacy names are exactly the 10-digit names: the same hash prefix, cut 6 digits shorter.
        for (const name of [legacy.stack, legacy.codePipeline, legacy.sageMakerPipeline, legacy.tag]) {
          if (/---[0-9a-f]+$/.test(name)) expect(name.endsWith(`---${full.slice(0, 10)}`)).toBe(true);
        }
        if (hashed !== undefined) expect(hashed).toBe(`---${full}`);
      }),
      { numRuns: 500 },
    );
  });

  it('every name meets its service rules for any project and branch', () => {
    fc.assert(
      fc.property(project, branch, (p, b) => {
        const stack = branchStackName(p, b);
        expect(stack).toMatch(STACK_NAME);
        expect(stack.length).toBeLessThanOrEqual(128);
        expect(stack.startsWith(`mbm-${p}-branch-`)).toBe(true);
        const codePipeline = codePipelineName(p, b);
        expect(codePipeline).toMatch(CODEPIPELINE_NAME);
        expect(codePipeline.length).toBeLessThanOrEqual(100);
        expect(sageMakerPipelineName(p, b)).toMatch(SAGEMAKER_PIPELINE_NAME);
      }),
      { numRuns: 1000 },
    );
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(project, branch, (p, b) => {
        expect(allNames(p, b)).toEqual(allNames(p, b.slice()));
        expect(branchTagValue(b)).toBe(branchTagValue(b.slice()));
      }),
    );
  });

  it('gives distinct branches distinct names, even ignoring case', () => {
    fc.assert(
      fc.property(project, fc.uniqueArray(branch, { minLength: 2, maxLength: 60 }), (p, branches) => {
        for (const name of [branchStackName, codePipelineName, sageMakerPipelineName]) {
          const names = new Set(branches.map((b) => name(p, b).toLowerCase()));
          expect(names.size).toBe(branches.length);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps apart the variants that a naive "/ to -" mapping merges', () => {
    const variants = (b: string) => [
      b,
      b.replace(/\//g, '-'),
      b.replace(/-/g, '/').replace(/\/+/g, '/'),
      b.replace(/[_.]/g, '-'),
      b.replace(/-/g, '_'),
      b.toUpperCase(),
      b.toLowerCase(),
      `${b}-`,
      `${b}/x`,
    ];
    fc.assert(
      fc.property(project, branch, (p, b) => {
        const distinct = [...new Set(variants(b).filter(isGitBranchName))];
        const names = new Set(distinct.map((v) => sageMakerPipelineName(p, v).toLowerCase()));
        expect(names.size).toBe(distinct.length);
      }),
      { numRuns: 500 },
    );
  });

  it('is readable: an ordinary branch maps losslessly, and any other keeps its letters and digits', () => {
    fc.assert(
      fc.property(project, ordinaryBranch, (p, b) => {
        const lossless = b.split('/').join('--');
        const stack = branchStackName(p, b);
        if (`mbm-${p}-branch-${lossless}`.length <= 128) expect(stack).toBe(`mbm-${p}-branch-${lossless}`);
        else expect(stack.endsWith(`---${branchHash(b)}`)).toBe(true);
        expect(sageMakerPipelineName(p, b)).toBe(`${p}-${lossless}`);
      }),
    );
    expect(codePipelineName('fraud', 'experiment/deeper-trees')).toBe('fraud-experiment--deeper-trees');
    expect(codePipelineName('fraud', 'experiment/deeper_trees')).toBe(
      `fraud-experiment-deeper-trees---${branchHash('experiment/deeper_trees')}`,
    );
  });

  it('makes a valid tag value of any branch, and keeps a valid one as it is', () => {
    fc.assert(
      fc.property(branch, (b) => {
        const value = branchTagValue(b);
        expect(value).toMatch(TAG_VALUE_PATTERN);
        expect(value.length).toBeLessThanOrEqual(256);
        if (TAG_VALUE_PATTERN.test(b) && b.length <= 256) expect(value).toBe(b);
        else expect(value.endsWith(`---${branchHash(b)}`)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('branch naming examples', () => {
  it.each([
    ['experiment/a-b', 'experiment-a/b'],
    ['experiment/a_b', 'experiment/a-b'],
    ['experiment/x.y', 'experiment/x-y'],
    ['experiment/Foo', 'experiment/foo'],
    ['experiment/$(rm -rf)', 'experiment/`rm -rf`'],
  ])('%s and %s get different names', (a, b) => {
    expect(sageMakerPipelineName('p', a).toLowerCase()).not.toBe(sageMakerPipelineName('p', b).toLowerCase());
    expect(branchStackName('p', a)).not.toBe(branchStackName('p', b));
  });

  it('hashes a branch with no letter or digit and still never equals a lossless name', () => {
    const slug = branchSlug('___', 40);
    expect(slug).toBe(`b---${branchHash('___')}`);
    expect(slug).toMatch(/---/);
  });

  it('hashes a 250-character branch into each limit', () => {
    const long = `experiment/${'a'.repeat(239)}`;
    expect(branchStackName('p', long)).toHaveLength(128);
    expect(codePipelineName('p', long)).toHaveLength(100);
    expect(sageMakerPipelineName('p', long)).toBe(`p-experiment--${'a'.repeat(239)}`);
  });

  it('rejects a project name SageMaker would not accept', () => {
    expect(() => branchStackName('-project', 'experiment/a')).toThrow(InvalidNameError);
    // SageMaker accepts a leading digit and upper case (issue 11 item 5).
    expect(branchStackName('1Project', 'experiment/a')).toBe('mbm-1Project-branch-experiment--a');
    expect(() => branchStackName('my_project', 'experiment/a')).toThrow(/does not match/);
    // The pattern alone allows any number of hyphens; SageMaker also caps the length at 32.
    expect(() => codePipelineName(`a${'-'.repeat(80)}b`, 'experiment/a')).toThrow(/longer than 32/);
  });

  it('rejects an empty branch and a full ref', () => {
    expect(() => branchStackName('p', '')).toThrow(/non-empty/);
    expect(() => branchStackName('p', 'refs/heads/experiment/a')).toThrow(/short name/);
  });

  it('reads branches from refs and checks the prefix', () => {
    expect(branchFromRef('refs/heads/experiment/a')).toBe('experiment/a');
    expect(branchFromRef('refs/tags/v1')).toBeUndefined();
    expect(isUnderPrefix('experiment/a', 'experiment/')).toBe(true);
    expect(isUnderPrefix('experiment/', 'experiment/')).toBe(false);
    expect(isUnderPrefix('experimental', 'experiment/')).toBe(false);
  });
});
