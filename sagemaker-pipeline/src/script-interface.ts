/**
 * What a Python script of the seed declares, read from its source without running it: the `--options` of its
 * argparse parser (name, type, choices), and the module-level constants the pipeline relies on (`METRICS`, the
 * metrics a training script prints; `METRIC_PATHS`, where an evaluation script writes each metric in its report).
 * The pipeline file is checked against these before anything reaches AWS: a hyperparameter the script does not
 * accept, a value of the wrong type, an abbreviation argparse would expand, a gate on a metric nobody reports.
 */

export type ArgumentType = 'int' | 'float' | 'str' | 'bool';

export interface ScriptArgument {
  /** Without the leading dashes, as written: `max_depth`, `validation-fraction`. */
  readonly name: string;
  readonly type: ArgumentType;
  readonly choices?: readonly string[];
}

export interface ScriptInterface {
  readonly arguments: ReadonlyMap<string, ScriptArgument>;
  /** `METRICS = ("mse", ...)` of a training script. */
  readonly metrics?: readonly string[];
  /** `METRIC_PATHS = {"mse": "regression_metrics.mse.value", ...}` of an evaluation script. */
  readonly metricPaths?: Readonly<Record<string, string>>;
}

/** The text of each top-level call argument of `name(` calls, balanced over brackets and strings. */
function calls(source: string, name: string): string[] {
  const found: string[] = [];
  let at = source.indexOf(`${name}(`);
  while (at >= 0) {
    let depth = 0;
    let i = at + name.length;
    let quote: string | undefined;
    const start = i + 1;
    for (; i < source.length; i++) {
      const c = source[i];
      if (quote) {
        if (c === '\\') i++;
        else if (c === quote) quote = undefined;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') {
        depth--;
        if (depth === 0) break;
      }
    }
    found.push(source.slice(start, i));
    at = source.indexOf(`${name}(`, i);
  }
  return found;
}

/** Splits call arguments at top-level commas. */
function splitArguments(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      if (c === '\\') {
        current += c + (text[i + 1] ?? '');
        i++;
        continue;
      }
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
      continue;
    }
    current += c;
  }
  if (current.trim() !== '') parts.push(current.trim());
  return parts;
}

const STRING = /^(?:[rbuf]?)(["'])(.*)\1$/s;
const strings = (text: string): string[] => [...text.matchAll(/(["'])((?:(?!\1).)*)\1/g)].map((m) => m[2] ?? '');

/** Reads the script's argparse options and its declared constants. */
export function readScriptInterface(source: string): ScriptInterface {
  const args = new Map<string, ScriptArgument>();
  for (const call of calls(source, '.add_argument')) {
    const parts = splitArguments(call);
    const flags = parts.filter((p) => STRING.test(p)).map((p) => STRING.exec(p)?.[2] ?? '');
    const long = flags.find((f) => f.startsWith('--'));
    if (long === undefined) continue;
    const keyword = (key: string) =>
      parts.find((p) => new RegExp(`^${key}\\s*=`).test(p))?.replace(new RegExp(`^${key}\\s*=\\s*`), '');
    const typeText = keyword('type');
    const action = keyword('action');
    let type: ArgumentType = 'str';
    if (typeText === 'int') type = 'int';
    else if (typeText === 'float') type = 'float';
    else if (action !== undefined && /store_(true|false)|BooleanOptionalAction/.test(action)) type = 'bool';
    const choicesText = keyword('choices');
    const choices = choicesText !== undefined ? strings(choicesText) : undefined;
    const name = long.slice(2);
    args.set(name, { name, type, ...(choices && choices.length > 0 ? { choices } : {}) });
  }
  const metricsMatch = /^METRICS\s*=\s*[([]([^)\]]*)[)\]]/m.exec(source);
  const pathsMatch = /^METRIC_PATHS\s*=\s*\{([^}]*)\}/m.exec(source);
  const metricPaths = pathsMatch
    ? Object.fromEntries(
        [...(pathsMatch[1] ?? '').matchAll(/(["'])([^"']+)\1\s*:\s*(["'])([^"']+)\3/g)].map((m) => [m[2], m[4]]),
      )
    : undefined;
  return {
    arguments: args,
    ...(metricsMatch ? { metrics: strings(metricsMatch[1] ?? '') } : {}),
    ...(metricPaths ? { metricPaths: metricPaths as Record<string, string> } : {}),
  };
}

/**
 * Why a value given as `--<name> <value>` does not fit the script (undefined when it does). argparse would accept an
 * unambiguous prefix of an option (`max_dept` for `max_depth`), silently: only exact names are accepted here.
 */
export function argumentProblem(
  iface: ScriptInterface,
  name: string,
  value: unknown,
  script: string,
): string | undefined {
  const declared = iface.arguments.get(name);
  if (declared === undefined) {
    const expands = [...iface.arguments.keys()].filter((k) => k.startsWith(name));
    if (expands.length === 1) {
      return (
        `${name} is not an option of ${script}; argparse would silently take it as --${expands[0]}. ` +
        `Write ${expands[0]}`
      );
    }
    const known = [...iface.arguments.keys()].filter((k) => !['model-dir', 'train', 'validation'].includes(k));
    const near = closest(name, known);
    return (
      `${name} is not an option of ${script}${near ? ` (did you mean ${near}?)` : ''}; it accepts: ` +
      `${known.join(', ') || 'no options'}. Add it to the script's argparse, or remove it here`
    );
  }
  return valueProblem(declared, value, script);
}

/** Why a value does not fit a declared argument's type or choices. */
export function valueProblem(declared: ScriptArgument, value: unknown, script: string): string | undefined {
  const shown = JSON.stringify(value);
  switch (declared.type) {
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        return `${declared.name} must be an integer (${script} declares type=int), not ${shown}`;
      }
      break;
    case 'float':
      if (typeof value !== 'number') {
        return `${declared.name} must be a number (${script} declares type=float), not ${shown}`;
      }
      break;
    case 'bool':
      return `${declared.name} is a flag of ${script} (no value); SageMaker passes every hyperparameter with a value, so declare it with type=str or type=int instead`;
    case 'str':
      break;
  }
  if (declared.choices && !declared.choices.includes(String(value))) {
    return `${declared.name} must be one of ${declared.choices.join(', ')} (${script}'s choices), not ${shown}`;
  }
  return undefined;
}

/** Levenshtein distance (for "did you mean"). */
export function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const kept = row[j] as number;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = kept;
    }
  }
  return row[b.length] as number;
}

/** The closest candidate within 2 edits, if any. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const dist = distance(word, c);
    if (dist < bestDistance) {
      best = c;
      bestDistance = dist;
    }
  }
  return best;
}
