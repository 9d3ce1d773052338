/**
 * The size rule of the layout (docs/development.md): a source file outside test/ has at most 300 lines, or says why
 * in one line at its top (`// Longer than 300 lines: <reason>.`, `# Longer than 300 lines: …` in Python and shell).
 * Vendored third-party code (a `vendor/` folder) is not ours to split.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const LIMIT = 300;
const SOURCE = /\.(ts|js|mjs|py|sh)$/;
const REASON = /^(\/\/|#) Longer than 300 lines: \S.*$/;

/** The files that break the rule, as `path (N lines)`. */
function oversizedWithoutReason(files: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  for (const [file, text] of files) {
    const lines = text.split('\n');
    const count = text.endsWith('\n') ? lines.length - 1 : lines.length;
    if (count <= LIMIT) continue;
    const top = lines[0]?.startsWith('#!') ? lines[1] : lines[0];
    if (!REASON.test(top ?? '')) found.push(`${file} (${count} lines)`);
  }
  return found;
}

function trackedSources(): Map<string, string> {
  const listed = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n');
  const files = listed.filter(
    (file) => SOURCE.test(file) && !file.startsWith('test/') && !file.split('/').includes('vendor'),
  );
  return new Map(files.map((file) => [file, fs.readFileSync(path.join(ROOT, file), 'utf8')]));
}

describe('files outside test/', () => {
  it('have at most 300 lines, or a one-line reason at their top', () => {
    const sources = trackedSources();
    expect(sources.size).toBeGreaterThan(100);
    expect(oversizedWithoutReason(sources)).toEqual([]);
  });

  it('the check finds a long file without a reason, and accepts one with it (also after a shebang)', () => {
    const body = 'x = 1\n'.repeat(LIMIT);
    const files = new Map([
      ['a.py', `# a module\n${body}`],
      ['b.py', `# Longer than 300 lines: one parser.\n${body}`],
      ['c.sh', `#!/usr/bin/env bash\n# Longer than 300 lines: one script.\n${body}`],
      ['d.ts', `// Longer than 300 lines:\n${body}`],
      ['e.ts', 'x;\n'.repeat(LIMIT)],
    ]);
    expect(oversizedWithoutReason(files)).toEqual(['a.py (301 lines)', 'd.ts (301 lines)']);
  });
});
