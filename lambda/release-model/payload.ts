/**
 * The direct invocation payload of the release function, as Jenkins, GitHub Actions and people send it
 * (`aws lambda invoke --function-name release-model-package-<project> --payload ...`):
 *
 * `{"commit_id": "<40 lowercase hex>", "approve_when_registered": true}`
 *
 * - `commit_id`: the commit whose newest model version is approved.
 * - `approve_when_registered` (optional boolean, default false): when no version of the commit exists yet (its
 *   training still runs), record a merge intent, as a pull request merge does, so that the version is approved once
 *   registered. Without it, an unknown commit is a NotFoundError and nothing is recorded.
 * - `source_branch` (optional string): the merged branch. When given, only versions its SageMaker pipeline produced
 *   count; without it, versions from more than one pipeline are refused as ambiguous.
 *
 * Exported so that callers (the CI scripts' tests) validate against the same schema the function uses.
 */
import * as z from 'zod/mini';
import { parseOrThrow } from '../../contracts/events';
import { COMMIT_ID_PATTERN } from '../../contracts/patterns';

export const directInvocationSchema = z.strictObject(
  {
    commit_id: z
      .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
      .check(z.regex(COMMIT_ID_PATTERN, { error: 'must be a full commit id: 40 lowercase hex digits' })),
    approve_when_registered: z.optional(z.boolean({ error: 'must be a boolean: true or false' })),
    source_branch: z.optional(
      z.string({ error: 'must be a string: the merged branch, such as "experiment/deeper-trees"' }).check(
        z.regex(/^(?!refs\/)[^\s~^:?*[\\]{1,255}$/, {
          error: 'must be a short branch name such as "experiment/deeper-trees", not a full ref',
        }),
      ),
    ),
  },
  {
    error: (issue) =>
      issue.code === 'invalid_type'
        ? 'must be a JSON object {"commit_id": "<40 lowercase hex>"} with optional "approve_when_registered": true'
        : undefined,
  },
);
export type DirectInvocation = z.infer<typeof directInvocationSchema>;

/** Parses a direct invocation or throws a ValidationError naming every missing, malformed or extra field. */
export function parseDirectInvocation(payload: unknown): DirectInvocation {
  return parseOrThrow(directInvocationSchema, payload, 'direct invocation payload');
}
