/**
 * Configuration from environment variables, parsed once at cold start with a zod schema. A missing or malformed
 * variable fails with its name, so a broken deployment says what is wrong on the first invocation.
 */
import * as z from 'zod/mini';
import { ValidationError } from '../../contracts/errors';
import { formatIssues } from '../../contracts/events';
import { PROJECT_NAME_PATTERN } from '../../contracts/naming';
import { S3_BUCKET_NAME_PATTERN } from '../../contracts/patterns';

export function parseEnv<T extends z.core.$ZodShape>(
  shape: T,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodMiniObject<T>> {
  const result = z.safeParse(z.object(shape), env);
  if (!result.success) throw new ValidationError(`invalid environment: ${formatIssues(result.error)}`);
  return result.data;
}

/** A string variable that must be present and non-empty. */
export const requiredString = () =>
  z.string({ error: 'is required' }).check(z.minLength(1, { error: 'must not be empty' }));

/** A variable holding JSON that must fit `schema`; `message` says what it must be when it does not. */
export const jsonOf = <S extends z.core.$ZodType>(schema: S, message: string) =>
  z.pipe(
    z.string({ error: 'is required' }),
    z.transform((raw: string, ctx): z.infer<S> => {
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch (err) {
        ctx.issues.push({ code: 'custom', message: `is not valid JSON (${(err as Error).message})`, input: raw });
        return z.NEVER;
      }
      const parsed = z.safeParse(schema, value);
      if (!parsed.success) {
        ctx.issues.push({ code: 'custom', message, input: raw });
        return z.NEVER;
      }
      return parsed.data;
    }),
  );

/** A variable holding a JSON object whose values are strings (for example static stack parameters). */
export const jsonStringRecord = () =>
  jsonOf(z.record(z.string(), z.string()), 'must be a JSON object whose values are strings');

/** A whole number of `what` from `min` to `max` (the variable holds its decimal digits). */
export const wholeNumber = (what: string, min: number, max: number) =>
  z
    .pipe(z.string().check(z.regex(/^[0-9]+$/, { error: `must be a whole number of ${what}` })), z.transform(Number))
    .check(z.refine((n) => n >= min && n <= max, { error: `must be between ${min} and ${max} ${what}` }));

/** A SageMaker project name (SageMaker's pattern). */
export const projectName = () =>
  requiredString().check(
    z.regex(PROJECT_NAME_PATTERN, {
      error: `must match SageMaker's project name pattern ${PROJECT_NAME_PATTERN.source}`,
    }),
  );

/** An S3 bucket name. */
export const bucketName = () =>
  requiredString().check(z.regex(S3_BUCKET_NAME_PATTERN, { error: 'must be an S3 bucket name' }));

/** A DynamoDB table name. */
export const tableName = () =>
  requiredString().check(
    z.regex(/^[a-zA-Z0-9_.-]{3,255}$/, { error: 'must be a DynamoDB table name (3 to 255 of [a-zA-Z0-9_.-])' }),
  );

/** A string variable that `assert` (one of contracts/naming's) accepts; `error` says what it must be otherwise. */
export const accepted = (assert: (value: string) => void, error: string) =>
  requiredString().check(
    z.refine(
      (value) => {
        try {
          assert(value);
          return true;
        } catch {
          return false;
        }
      },
      { error },
    ),
  );
