/**
 * Golden files: the rendered Markdown is compared as text with `golden/<name>.md`. `UPDATE_GOLDEN=1` rewrites the
 * file instead (review the diff before committing); a missing file is an error, never silently created.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const GOLDEN_DIR = path.join(__dirname, 'golden');

export function expectGolden(name: string, actual: string): void {
  const file = path.join(GOLDEN_DIR, `${name}.md`);
  if (process.env.UPDATE_GOLDEN === '1') {
    fs.writeFileSync(file, actual);
    return;
  }
  if (!fs.existsSync(file)) throw new Error(`missing golden file ${file}: run with UPDATE_GOLDEN=1 and review it`);
  expect(actual).toBe(fs.readFileSync(file, 'utf8'));
}
