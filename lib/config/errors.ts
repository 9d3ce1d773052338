/**
 * The one error of the configuration, and the one function that turns a zod issue into it. Every schema of this folder
 * writes its messages without the key (`must be an integer from 5 to 1440, got 1`); the issue's path names the key
 * (`path[0]` is the context key), and {@link configErrorOf} puts the two together.
 */
import type * as z from 'zod';

/** A context value that is not allowed. The message names the key, the value and what is allowed. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    /** The context key (`branchPrefix`), or the nested key of `retrain` (`retrain.schedule`). */
    readonly key: string,
    message: string,
  ) {
    super(`Invalid configuration: context key "${key}" ${message}`);
  }
}

/** A value as the messages quote it: JSON, so strings show their quotes and `undefined` shows as such. */
export function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** A rule between keys that the values break: the path of the issue (`[key, ...]`) and its message. */
export type Refusal = readonly [path: readonly (string | number)[], message: string];

/** `must be <what>, got <the value>`: the message of most checks. */
export const mustBe =
  (what: string) =>
  (issue: { readonly input?: unknown }): string =>
    `must be ${what}, got ${show(issue.input)}`;

/**
 * Where the path inside a structured key goes:
 * - `key`: into the key, so the key names the setting (`retrain.schedule`);
 * - `message`: into the message, key included (`serving.stages[0].name must be ...`); an unknown key is named by the
 *   path (`serving.stages[0].delay is not a known key`);
 * - `relative`: into the message, key left out (`warehouse`: `subnetIds must be ...`).
 * Keys not listed (plain values, and lists such as `studioPrincipalArns`) leave the path out: the message names the
 * value.
 */
const NESTED_PATHS: Readonly<Record<string, 'key' | 'message' | 'relative'>> = {
  retrain: 'key',
  serving: 'message',
  warehouse: 'relative',
};

function pathText(segments: readonly PropertyKey[]): string {
  return segments.map((s) => (typeof s === 'number' ? `[${s}]` : `.${String(s)}`)).join('');
}

/** The {@link ConfigError} of one zod issue of the context object (whose `path[0]` is the context key). */
export function configErrorOf(issue: z.core.$ZodIssue): ConfigError {
  const [head, ...rest] = issue.path;
  const key = String(head ?? '(root)');
  switch (NESTED_PATHS[key]) {
    case 'key':
      return new ConfigError(`${key}${pathText(rest)}`, issue.message);
    case 'message': {
      const named = issue.code === 'unrecognized_keys' ? [...rest, ...issue.keys.slice(0, 1)] : rest;
      return new ConfigError(key, named.length === 0 ? issue.message : `${key}${pathText(named)} ${issue.message}`);
    }
    case 'relative':
      return new ConfigError(
        key,
        rest.length === 0 ? issue.message : `${pathText(rest).replace(/^\./, '')} ${issue.message}`,
      );
    default:
      return new ConfigError(key, issue.message);
  }
}

/**
 * The issue to report when several are found: the first, in the order of the keys; within its key, an unknown key
 * first (a misspelled key usually explains why a required one is missing).
 */
export function firstIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue | undefined {
  const first = issues[0];
  if (first === undefined) return undefined;
  const sameKey = issues.filter((issue) => issue.path[0] === first.path[0]);
  return sameKey.find((issue) => issue.code === 'unrecognized_keys') ?? first;
}
