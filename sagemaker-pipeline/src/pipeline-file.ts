/**
 * Reads `pipeline.yaml` and checks everything that can be checked before AWS is called: YAML syntax, the schema
 * (unknown keys, wrong types), references between data, steps and models (missing steps or outputs, cycles), the
 * scripts' declared interfaces (hyperparameters and arguments against their argparse, metrics they report), gates
 * that can never pass, images and instance types. Every problem is reported as `<file>:<line>:<column>: <what and how
 * to fix>`, all of them at once.
 */
import * as z from 'zod/mini';
import * as fs from 'node:fs';
import { Document, LineCounter, Pair, YAMLMap, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import { PipelineFileSchema, PipelineSpec, allowedKeys, schemaAt } from './pipeline-schema';
import { closest } from './script-interface';
import { readScripts, semanticProblems } from './pipeline-file/references';
import { FilePath, PipelineConfig, PipelineFileError, Problem } from './pipeline-file/types';

/** Where a path of the file starts (1-based line and column); the nearest existing parent when it is missing. */
function locate(doc: Document, counter: LineCounter, at: FilePath, atKey = false): { line: number; column: number } {
  let node: unknown = doc.contents;
  let found: unknown = node;
  for (let i = 0; i < at.length; i++) {
    const key = at[i];
    if (isMap(node)) {
      const pair = (node as YAMLMap).items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key) as
        Pair | undefined;
      if (pair === undefined) break;
      if (atKey && i === at.length - 1) {
        found = pair.key;
        break;
      }
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
    } else break;
    if (node === undefined || node === null) break;
    found = node;
  }
  const range = (found as { range?: [number, number, number] } | null)?.range;
  const offset = range ? range[0] : 0;
  const pos = counter.linePos(offset);
  return { line: pos.line, column: pos.col };
}

/** Parses and checks a pipeline file's text; throws PipelineFileError with every problem found. */
export function parsePipelineFile(text: string, file: string, root: string): PipelineConfig {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new PipelineFileError(
      file,
      doc.errors.map((e) => ({
        line: counter.linePos(e.pos[0]).line,
        column: counter.linePos(e.pos[0]).col,
        message: `${e.message.split('\n')[0]} (YAML syntax: check indentation, and quote values containing ": " or "#")`,
      })),
    );
  }
  const raw: unknown = doc.toJS();
  const problems: Problem[] = [];
  const result = PipelineFileSchema.safeParse(raw ?? {});
  if (!result.success) {
    for (const issue of result.error.issues) {
      const at = issue.path as (string | number)[];
      if (issue.code === 'unrecognized_keys') {
        const allowed = allowedKeys(at);
        for (const key of issue.keys) {
          const near = closest(key, allowed);
          problems.push({
            path: [...at, key],
            atKey: true,
            message:
              `unknown key ${JSON.stringify(key)}${at.length ? ` in ${at.join('.')}` : ''}` +
              `${near ? ` (did you mean ${JSON.stringify(near)}?)` : ''}; allowed: ${allowed.join(', ')}`,
          });
        }
      } else if (issue.code === 'invalid_type' && issue.message.includes('received undefined')) {
        problems.push({
          path: at,
          message: `${at.join('.')} is required (${schemaHint(at)})`,
        });
      } else {
        problems.push({ path: at, message: `${at.join('.') || 'the file'}: ${lowerFirst(issue.message)}` });
      }
    }
  } else {
    problems.push(...semanticProblems(result.data, root));
  }
  if (problems.length > 0) {
    const located = problems.map((p) => ({
      ...(p.line !== undefined ? { line: p.line, column: p.column ?? 1 } : locate(doc, counter, p.path, p.atKey)),
      message: p.message,
    }));
    located.sort((a, b) => a.line - b.line || a.column - b.column);
    throw new PipelineFileError(file, located);
  }
  const spec = (result as { data: PipelineSpec }).data;
  return { file, root, spec, scripts: readScripts(spec, root) };
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function schemaHint(at: FilePath): string {
  const s = schemaAt(at);
  const described = s ? z.globalRegistry.get(s)?.description : undefined;
  if (described !== undefined) return described;
  const type = (s as unknown as { _zod?: { def?: { type?: string } } } | undefined)?._zod?.def?.type ?? 'value';
  return { object: 'an object', record: 'a mapping', array: 'a list' }[type] ?? `a ${type}`;
}

/** Reads the file from disk. */
export function loadPipelineFile(file: string, root: string, shown = file): PipelineConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new PipelineFileError(shown, [{ line: 1, column: 1, message: `cannot read it: ${(err as Error).message}` }]);
  }
  return parsePipelineFile(text, shown, root);
}

export * from './pipeline-file/types';
export * from './pipeline-file/builtins';
export * from './pipeline-file/references';
export * from './pipeline-file/models';
