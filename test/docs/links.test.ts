/**
 * Every relative link in the project's Markdown (README, docs/, the seed guide, CHANGELOG) resolves: the file exists,
 * and an anchor names a heading of that file (GitHub's slug rules). External links are not followed (no network).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/seed-code';

/** GitHub's heading anchor: lower case, punctuation dropped except `-` and `_`, spaces become `-`. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const match = fenced ? null : /^#{1,6}\s+(.*)$/.exec(line);
    if (match?.[1] === undefined) continue;
    const base = slug(match[1]);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** `[text](target)` links outside code fences and inline code. */
export function linksOf(markdown: string): string[] {
  const links: string[] = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    if (fenced) continue;
    const text = line.replace(/`[^`]*`/g, '');
    for (const match of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      if (match[1] !== undefined) links.push(match[1]);
    }
  }
  return links;
}

function markdownFiles(): string[] {
  const files = ['README.md', 'CHANGELOG.md', 'sagemaker-pipeline/README.md'];
  for (const name of fs.readdirSync(path.join(PROJECT_ROOT, 'docs'))) {
    if (name.endsWith('.md')) files.push(path.join('docs', name));
  }
  return files.filter((file) => fs.existsSync(path.join(PROJECT_ROOT, file)));
}

/** The links of `file` (relative to the project, or absolute) that do not resolve, as `file: target (reason)`. */
export function brokenLinks(file: string): string[] {
  const absolute = path.resolve(PROJECT_ROOT, file);
  const broken: string[] = [];
  for (const link of linksOf(fs.readFileSync(absolute, 'utf8'))) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // https:, mailto:
    const [target = '', anchor] = link.split('#', 2);
    const resolved = target === '' ? absolute : path.resolve(path.dirname(absolute), decodeURIComponent(target));
    if (!fs.existsSync(resolved)) {
      broken.push(`${file}: ${link} (no such file)`);
    } else if (anchor !== undefined && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor)) {
      broken.push(`${file}: ${link} (no heading #${anchor})`);
    }
  }
  return broken;
}

describe('documentation links', () => {
  it('finds the Markdown files and their links (the check has something to check)', () => {
    const files = markdownFiles();
    expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/design.md']));
    const count = files.reduce(
      (sum, file) => sum + linksOf(fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8')).length,
      0,
    );
    expect(count).toBeGreaterThan(10);
  });

  it('resolves every relative link and anchor', () => {
    expect(markdownFiles().flatMap(brokenLinks)).toEqual([]);
  });

  it('reports a link to a missing file and to a missing heading (the check can fail)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mbm-links-'));
    try {
      const file = path.join(dir, 'page.md');
      fs.writeFileSync(file, '# Title\n\n## Two words\n\n[a](gone.md) [b](#two-words) [c](#three) [d](https://x.y)\n');
      expect(brokenLinks(file).map((b) => b.replace(/^.*: /, ''))).toEqual([
        'gone.md (no such file)',
        '#three (no heading #three)',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('slugs headings as GitHub does', () => {
    expect(slug('Deploy in five steps')).toBe('deploy-in-five-steps');
    expect(slug('Jenkins and GitHub: code outside CodeCommit')).toBe('jenkins-and-github-code-outside-codecommit');
    expect(slug('The `pipeline.yaml` file')).toBe('the-pipelineyaml-file');
  });
});
