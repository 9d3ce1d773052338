/**
 * Readers for the CI files of the seed code (`sagemaker-pipeline/Jenkinsfile`, `.github/workflows/mlops.yml`, and the
 * `ci/*.sh` scripts both call), so tests can check the calls and run exactly the scripts they call.
 *
 * No YAML package is a dependency of this project, so `parseYamlSubset` reads the subset of YAML the workflow is
 * written in, and rejects anything else by name rather than guessing: block mappings and sequences, full-line
 * comments, plain / single-quoted / double-quoted scalars, and `|` literal block scalars. Scalars stay strings.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../support/fixtures';

export const SEED_DIR = path.join(PROJECT_ROOT, 'sagemaker-pipeline');
export const JENKINSFILE_PATH = path.join(SEED_DIR, 'Jenkinsfile');
export const WORKFLOW_PATH = path.join(SEED_DIR, '.github', 'workflows', 'mlops.yml');
/** The CI scripts of the seed code, relative to the repository root, as the Jenkinsfile and the workflow call them. */
export const TRAIN_SCRIPT = 'ci/train.sh';
export const RELEASE_SCRIPT = 'ci/release.sh';

/** The absolute path of a seed code script given relative to the repository root. */
export function seedFile(relative: string): string {
  return path.join(SEED_DIR, relative);
}

export interface ShellStep {
  readonly label: string;
  readonly script: string;
}

/**
 * The `sh(label: '...', script: '...')` steps of a Jenkinsfile. Each script is one Groovy single-quoted string on one
 * line (no interpolation): the command that runs a script file of the seed code. Any other form of sh step, or a
 * backslash (which Groovy would interpret), is rejected.
 */
export function jenkinsShellSteps(jenkinsfile: string): ShellStep[] {
  const steps: ShellStep[] = [];
  for (const match of jenkinsfile.matchAll(/\bsh\(label: '([^'\\\n]*)', script: '([^'\n]*)'\)/g)) {
    const [, label, script] = match;
    if (label === undefined || script === undefined) continue;
    if (script.includes('\\')) throw new Error(`Jenkinsfile step "${label}" holds a backslash, which Groovy would eat`);
    steps.push({ label, script });
  }
  const calls = jenkinsfile.match(/(?<![\w.])sh[ (]/g)?.length ?? 0;
  if (calls !== steps.length) {
    throw new Error(`Jenkinsfile has ${calls} sh steps but only ${steps.length} in the form sh(label:, script: '...')`);
  }
  return steps;
}

export type YamlValue = string | YamlValue[] | { [key: string]: YamlValue };

interface Line {
  readonly number: number;
  readonly indent: number;
  readonly text: string;
}

class YamlSubsetError extends Error {
  override readonly name = 'YamlSubsetError';
}

function scalar(raw: string, line: Line): string {
  const text = raw.trim();
  if (text.startsWith("'")) {
    if (!/^'([^']|'')*'$/.test(text))
      throw new YamlSubsetError(`line ${line.number}: unterminated single-quoted scalar`);
    return text.slice(1, -1).replace(/''/g, "'");
  }
  if (text.startsWith('"')) {
    try {
      return JSON.parse(text) as string;
    } catch {
      throw new YamlSubsetError(`line ${line.number}: double-quoted scalar outside the JSON-compatible subset`);
    }
  }
  const unsupported = /^[&*!{[>|%@`]/.exec(text) ?? / #/.exec(text);
  if (unsupported !== null) {
    throw new YamlSubsetError(`line ${line.number}: "${unsupported[0].trim()}" is outside the supported YAML subset`);
  }
  return text;
}

/** Splits `key: rest`; undefined when the line is not a mapping entry. */
function mappingEntry(text: string): { key: string; rest: string } | undefined {
  const match = /^([A-Za-z0-9_.\-/]+|'[^']*'|"[^"]*"):(?: (.*))?$/.exec(text);
  if (match === null) return undefined;
  const rawKey = match[1] ?? '';
  const key = rawKey.startsWith("'") || rawKey.startsWith('"') ? rawKey.slice(1, -1) : rawKey;
  return { key, rest: (match[2] ?? '').trim() };
}

export function parseYamlSubset(source: string): YamlValue {
  const all: Line[] = [];
  source.split('\n').forEach((raw, index) => {
    if (raw.includes('\t')) throw new YamlSubsetError(`line ${index + 1}: tab characters are outside the YAML subset`);
    all.push({ number: index + 1, indent: raw.length - raw.trimStart().length, text: raw.trimEnd() });
  });
  let position = 0;
  const significant = (line: Line) => line.text.trim() !== '' && !line.text.trim().startsWith('#');
  const peek = (): Line | undefined => {
    while (position < all.length && !significant(all[position] as Line)) position += 1;
    return all[position];
  };

  function literal(parentIndent: number): string {
    const body: Line[] = [];
    while (position < all.length) {
      const line = all[position] as Line;
      if (line.text.trim() !== '' && line.indent <= parentIndent) break;
      body.push(line);
      position += 1;
    }
    while (body.length > 0 && (body[body.length - 1] as Line).text.trim() === '') body.pop();
    const first = body.find((line) => line.text.trim() !== '');
    if (first === undefined) return '';
    const indent = first.indent;
    return body.map((line) => (line.text.trim() === '' ? '' : line.text.slice(indent))).join('\n') + '\n';
  }

  function value(rest: string, ownerIndent: number, line: Line): YamlValue {
    if (rest === '|') return literal(ownerIndent);
    if (rest !== '') return scalar(rest, line);
    const next = peek();
    if (
      next === undefined ||
      next.indent < ownerIndent ||
      (next.indent === ownerIndent && !next.text.trim().startsWith('- '))
    ) {
      throw new YamlSubsetError(`line ${line.number}: empty values are outside the YAML subset`);
    }
    return block(next.indent);
  }

  function block(indent: number): YamlValue {
    const first = peek();
    if (first === undefined) throw new YamlSubsetError('unexpected end of document');
    return first.text.trim().startsWith('- ') ? sequence(indent) : mapping(indent);
  }

  function mapping(indent: number, seed?: { key: string; rest: string; line: Line }): { [key: string]: YamlValue } {
    const result: { [key: string]: YamlValue } = {};
    const add = (key: string, rest: string, line: Line) => {
      if (Object.prototype.hasOwnProperty.call(result, key)) {
        throw new YamlSubsetError(`line ${line.number}: duplicate key "${key}"`);
      }
      result[key] = value(rest, indent, line);
    };
    if (seed !== undefined) add(seed.key, seed.rest, seed.line);
    for (let line = peek(); line !== undefined && line.indent === indent; line = peek()) {
      const entry = mappingEntry(line.text.trim());
      if (entry === undefined) throw new YamlSubsetError(`line ${line.number}: expected "key: value"`);
      position += 1;
      add(entry.key, entry.rest, line);
    }
    const after = peek();
    if (after !== undefined && after.indent > indent) {
      throw new YamlSubsetError(`line ${after.number}: unexpected indentation`);
    }
    return result;
  }

  function sequence(indent: number): YamlValue[] {
    const result: YamlValue[] = [];
    for (let line = peek(); line !== undefined && line.indent === indent; line = peek()) {
      const text = line.text.trim();
      if (!text.startsWith('- ')) break;
      position += 1;
      const item = text.slice(2).trim();
      const entry = mappingEntry(item);
      if (entry === undefined) {
        result.push(scalar(item, line));
      } else {
        result.push(mapping(indent + 2, { ...entry, line }));
      }
    }
    return result;
  }

  const root = block(0);
  const rest = peek();
  if (rest !== undefined) throw new YamlSubsetError(`line ${rest.number}: unexpected content`);
  return root;
}

/** The value at `keys` under `root`, or an error naming the first missing key. */
export function at(root: YamlValue, ...keys: (string | number)[]): YamlValue {
  let current: YamlValue = root;
  const walked: string[] = [];
  for (const key of keys) {
    walked.push(String(key));
    const next: YamlValue | undefined =
      typeof key === 'number'
        ? Array.isArray(current)
          ? current[key]
          : undefined
        : typeof current === 'object' && !Array.isArray(current)
          ? current[key]
          : undefined;
    if (next === undefined) throw new Error(`workflow has no ${walked.join('.')}`);
    current = next;
  }
  return current;
}

export function readJenkinsfile(): string {
  return fs.readFileSync(JENKINSFILE_PATH, 'utf8');
}

export function readWorkflow(): YamlValue {
  return parseYamlSubset(fs.readFileSync(WORKFLOW_PATH, 'utf8'));
}

export interface WorkflowStep {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with: Record<string, string>;
  readonly env: Record<string, string>;
}

function stringRecord(value: YamlValue | undefined, what: string): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${what} must be a mapping`);
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') throw new Error(`${what}.${key} must be a scalar`);
    out[key] = entry;
  }
  return out;
}

/** The steps of job `job` of the workflow, typed. */
export function workflowSteps(workflow: YamlValue, job: string): WorkflowStep[] {
  const steps = at(workflow, 'jobs', job, 'steps');
  if (!Array.isArray(steps)) throw new Error(`jobs.${job}.steps must be a sequence`);
  return steps.map((step, index) => {
    if (typeof step !== 'object' || Array.isArray(step))
      throw new Error(`jobs.${job}.steps[${index}] must be a mapping`);
    const text = (key: string) => {
      const entry = step[key];
      if (entry !== undefined && typeof entry !== 'string') throw new Error(`jobs.${job}.steps[${index}].${key}`);
      return entry;
    };
    return {
      name: text('name'),
      uses: text('uses'),
      run: text('run'),
      with: stringRecord(step.with, `jobs.${job}.steps[${index}].with`),
      env: stringRecord(step.env, `jobs.${job}.steps[${index}].env`),
    };
  });
}
