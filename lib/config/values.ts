/**
 * Schemas of context values as the CDK gives them: typed JSON from `cdk.json`, or strings from `-c key=value`. Each
 * takes both forms (`"15"` and `15`, `"true"` and `true`, a JSON string or an object) and treats an absent, `null` or
 * empty value as not set.
 */
import * as z from 'zod';
import { mustBe, show } from './errors';

/** Absent, `null` (cdk.json) or empty (`-c key=`): the key is not set. */
export function isUnset(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/**
 * A string; unset takes `fallback`, which is then checked like a given value. Without a fallback the key is required,
 * and `required` says so (and how to provide it).
 */
export function contextString(fallback: string | undefined, required = 'is required and was not set') {
  return z.preprocess(
    (value) => (isUnset(value) ? fallback : value),
    z.string({
      error: (issue) => (issue.input === undefined ? required : `must be a string, got ${show(issue.input)}`),
    }),
  );
}

/** A string matching `pattern`, or undefined when unset; `what` says what it must be. */
export function optionalString(pattern: RegExp, what: string) {
  const error = mustBe(what);
  return z.preprocess(
    (value) => (isUnset(value) ? undefined : value),
    z.string({ error }).regex(pattern, { error }).optional(),
  );
}

/** An integer from `min` to `max` (a number, or digits on the command line); unset takes `fallback`. */
export function contextInteger(min: number, max: number, fallback: number) {
  const error = mustBe(`an integer from ${min} to ${max}`);
  return z.preprocess(
    (value) => {
      if (isUnset(value)) return fallback;
      return typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : value;
    },
    z.int({ error }).min(min, { error }).max(max, { error }),
  );
}

/** `true` or `false` (or those words on the command line); unset takes `fallback`. */
export function contextBoolean(fallback: boolean) {
  return z.preprocess(
    (value) => {
      if (isUnset(value)) return fallback;
      return value === 'true' ? true : value === 'false' ? false : value;
    },
    z.boolean({ error: (issue) => `must be true or false, got ${show(issue.input)}` }),
  );
}

/**
 * A JSON value given as a string (`-c key='{...}'`) or as JSON (`cdk.json`), then checked by `schema`; a string that
 * is not JSON is refused with `notJson`.
 */
export function fromJson<S extends z.ZodType>(schema: S, notJson: (raw: string) => string) {
  // Type arguments spelled out: TypeScript 7 infers `S` for the transform otherwise.
  return z.pipe<z.ZodTransform<unknown, unknown>, S>(
    z.transform((raw: unknown, context) => {
      if (typeof raw !== 'string') return raw;
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        context.issues.push({ code: 'custom', input: raw, message: notJson(raw) });
        return z.NEVER;
      }
    }),
    schema,
  );
}

/**
 * A list of non-empty strings: a JSON array in `cdk.json`; on the command line a JSON array or a comma-separated
 * string. Unset is the empty list.
 */
export function stringList() {
  const notList = mustBe('a list of non-empty strings');
  return z.pipe(
    z.transform((raw: unknown, context) => {
      if (isUnset(raw)) return [];
      if (typeof raw !== 'string') return raw;
      const text = raw.trim();
      if (!text.startsWith('[')) return text.split(',').map((part) => part.trim());
      try {
        return JSON.parse(text) as unknown;
      } catch {
        context.issues.push({ code: 'custom', input: raw, message: mustBe('a JSON array of strings')({ input: raw }) });
        return z.NEVER;
      }
    }),
    z
      .array(z.unknown(), { error: notList })
      .refine((items) => items.every(isNonEmptyString), { error: notList })
      .transform((items) => items.filter(isNonEmptyString)),
  );
}

/** The first value of `values` that occurs twice. */
export function firstRepeated<T>(values: readonly T[]): T | undefined {
  return values.find((value, index) => values.indexOf(value) !== index);
}
