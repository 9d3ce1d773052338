/**
 * Configuration from environment variables, parsed once at cold start with a zod schema. A missing or malformed
 * variable fails with its name, so a broken deployment says what is wrong on the first invocation.
 */
import { z } from 'zod';
import { ValidationError } from './errors';

export function parseEnv<T extends z.ZodRawShape>(
  shape: T,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodObject<T>> {
  const result = z.object(shape).safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ValidationError(`invalid environment: ${problems.join('; ')}`);
  }
  return result.data;
}

/** A string variable that must be present and non-empty. */
export const requiredString = () => z.string({ error: 'is required' }).min(1, { error: 'must not be empty' });

/** A variable holding a JSON object whose values are strings (for example static stack parameters). */
export const jsonStringRecord = () =>
  z.string({ error: 'is required' }).transform((raw, ctx) => {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `is not valid JSON (${(err as Error).message})` });
      return z.NEVER;
    }
    const parsed = z.record(z.string(), z.string()).safeParse(value);
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object whose values are strings' });
      return z.NEVER;
    }
    return parsed.data;
  });
