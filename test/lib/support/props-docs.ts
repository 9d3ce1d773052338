/**
 * The props documentation check (issue 17): every property of an exported interface that configures something
 * (its name ends in `Props`, `Config` or `Options`) has a TSDoc comment, and an optional one (`?`) says what happens
 * when it is left out with a `@default` tag, as aws-cdk-lib documents its props. Reads source text with the
 * TypeScript compiler API; nothing is imported or run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/** Interfaces whose names end like this are checked. */
export const CHECKED_INTERFACE = /(Props|Config|Options)$/;

export interface PropsDocFinding {
  /** The file, as given to {@link checkPropsDocs}. */
  readonly file: string;
  /** 1-based line of the property. */
  readonly line: number;
  /** `Interface.property`. */
  readonly prop: string;
  readonly problem: 'no TSDoc comment' | 'optional without @default';
}

function isExported(node: ts.InterfaceDeclaration): boolean {
  return (ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Export) !== 0;
}

/** The TSDoc blocks (`/** … *\/`) attached to a node; plain `//` comments do not count. */
function docsOf(node: ts.Node): readonly ts.JSDoc[] {
  return (ts.getJSDocCommentsAndTags(node) as readonly ts.Node[]).filter((d): d is ts.JSDoc => ts.isJSDoc(d));
}

function hasText(doc: ts.JSDoc): boolean {
  const comment = ts.getTextOfJSDocComment(doc.comment);
  return comment !== undefined && comment.trim().length > 0;
}

/** The findings in one source text. */
export function checkPropsDocs(file: string, sourceText: string): PropsDocFinding[] {
  const source = ts.createSourceFile(file, sourceText, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const findings: PropsDocFinding[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isInterfaceDeclaration(node) && isExported(node) && CHECKED_INTERFACE.test(node.name.text)) {
      for (const member of node.members) {
        if (!ts.isPropertySignature(member)) continue;
        const prop = `${node.name.text}.${member.name.getText(source)}`;
        const line = source.getLineAndCharacterOfPosition(member.getStart(source)).line + 1;
        const docs = docsOf(member);
        if (!docs.some(hasText)) findings.push({ file, line, prop, problem: 'no TSDoc comment' });
        else if (
          member.questionToken !== undefined &&
          !docs.some((d) => (d.tags ?? []).some((t) => t.tagName.text === 'default'))
        ) {
          findings.push({ file, line, prop, problem: 'optional without @default' });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return findings;
}

/** Every `.ts` file below `dir`, as paths relative to `root`, sorted. */
export function sourceFiles(root: string, dir: string): string[] {
  const found: string[] = [];
  const walk = (current: string): void => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) found.push(path.relative(root, full));
    }
  };
  walk(path.join(root, dir));
  return found.sort();
}

export function formatFinding(f: PropsDocFinding): string {
  return `${f.file}:${f.line} ${f.prop}: ${f.problem}`;
}
