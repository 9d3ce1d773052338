/**
 * Configuration from environment variables, parsed once at cold start with a zod schema. A missing or malformed
 * variable fails with its name, so a broken deployment says what is wrong on the first invocation.
 */
import * as z from 'zod/mini';
import { ValidationError } from '../../contracts/errors';
import { formatIssues } from '../../contracts/events';

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
