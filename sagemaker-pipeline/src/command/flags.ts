/**
 * What `run.js` and `report.js` share to read their command line: strict flag parsing, the environment fallback, and
 * the zod schemas of the values both take (commit, bucket, project, branch), so that each message is written once.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import * as z from 'zod/mini';
import { COMMIT_ID_PATTERN, S3_BUCKET_NAME_PATTERN } from '../../../contracts/patterns';
import { assertBranchName, assertProjectName } from '../../../contracts/naming';

/** Strict flags, no positionals; parseArgs' own messages (unknown option, missing value) become `usageError`. */
export function parseFlags<const O extends NonNullable<ParseArgsConfig['options']>>(
  argv: readonly string[],
  options: O,
  usageError: new (message: string) => Error,
) {
  try {
    return parseArgs({ args: [...argv], strict: true, allowPositionals: false, options }).values;
  } catch (err) {
    throw new usageError((err as Error).message);
  }
}

/** The flag if given, else the first of the environment variables that is set and not empty. */
export function fromEnv(flag: string | undefined, env: NodeJS.ProcessEnv, ...names: string[]): string | undefined {
  if (flag !== undefined) return flag;
  return names.map((name) => env[name]).find((value) => value !== undefined && value !== '');
}

/** Every issue's message, in the order of the schema's fields (no paths: each message names its flag). */
export function problemsOf(schema: z.ZodMiniType, input: unknown): string[] {
  const result = schema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => issue.message);
}

/** A string `what` names: `"<what> is required"` when missing. */
export const requiredString = (what: string) =>
  z.string({ error: (issue) => (issue.input === undefined ? `${what} is required` : `${what} must be a string`) });

/** A string that a contracts/naming assertion accepts; the message is the assertion's, formatted. */
export function asserted(
  assert: (value: string) => void,
  what: string,
  format: (value: string, message: string) => string = (_value, message) => message,
) {
  const problem = (value: string): string | undefined => {
    try {
      assert(value);
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  };
  return requiredString(what).check(
    z.refine((value) => problem(value) === undefined, {
      error: (issue) => format(issue.input as string, problem(issue.input as string) ?? ''),
    }),
  );
}

export const projectNameField = (what: string, format?: (value: string, message: string) => string) =>
  asserted(assertProjectName, what, format);
export const branchNameField = (what: string, format?: (value: string, message: string) => string) =>
  asserted(assertBranchName, what, format);

/** A value that must match `pattern`; `message(value)` when it does not. */
export const matching = (what: string, pattern: RegExp, message: (value: string) => string) =>
  requiredString(what).check(
    z.refine((value) => pattern.test(value), { error: (issue) => message(issue.input as string) }),
  );

export const bucketField = (what: string, message: (value: string) => string) =>
  matching(what, S3_BUCKET_NAME_PATTERN, message);

export const commitField = (what: string, message: (value: string) => string) =>
  matching(what, COMMIT_ID_PATTERN, message);
