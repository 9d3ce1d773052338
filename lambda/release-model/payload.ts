/**
 * The direct invocation payload of the release function, `{"commit_id": "<40 lowercase hex>"}`, as Jenkins and
 * people send it (`aws lambda invoke --function-name release-model-package-<project> --payload ...`).
 *
 * Exported so that callers (the Jenkins pipeline, its tests) validate against the same schema the function uses.
 */
import * as z from 'zod/mini';
import { COMMIT_ID_PATTERN, parseOrThrow } from '../shared/events';

export const directInvocationSchema = z.strictObject(
  {
    commit_id: z
      .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
      .check(z.regex(COMMIT_ID_PATTERN, { error: 'must be a full commit id: 40 lowercase hex digits' })),
  },
  {
    error: (issue) =>
      issue.code === 'invalid_type' ? 'must be a JSON object {"commit_id": "<40 lowercase hex>"}' : undefined,
  },
);
export type DirectInvocation = z.infer<typeof directInvocationSchema>;

/** Parses a direct invocation or throws a ValidationError naming every missing, malformed or extra field. */
export function parseDirectInvocation(payload: unknown): DirectInvocation {
  return parseOrThrow(directInvocationSchema, payload, 'direct invocation payload');
}
