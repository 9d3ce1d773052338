/**
 * Schemas of the EventBridge events the handlers receive, as AWS documents them (see the samples in
 * shared/fixtures/aws-events). Events are parsed at the door: one that does not fit is rejected with the reason.
 *
 * Facts the samples show: `isMerged` is the string "True"/"False"; pull request events carry full refs
 * (`refs/heads/main`), reference events the short `referenceName` and the full `referenceFullName`;
 * `referenceDeleted` has only `oldCommitId`; the merge event has `sourceCommit` and `destinationCommit` but no merge
 * commit id.
 */
import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { ValidationError } from './errors';

// zod/mini loads no locale: without one every issue reads "Invalid input". The English one (a few KB, unlike the
// namespace `z.locales`, which holds every language) keeps the messages the full zod API gives.
z.config(en());

/** A string of at least one character. */
export const nonEmpty = () => z.string().check(z.minLength(1));

/** The envelope every EventBridge event has. `source` may be an array in one published SageMaker sample. */
const envelope = {
  version: z.string(),
  id: nonEmpty(),
  account: z.string(),
  time: z.string(),
  region: z.string(),
  resources: z.array(z.string()),
};

export const repositoryStateChangeSchema = z.object({
  ...envelope,
  'detail-type': z.literal('CodeCommit Repository State Change'),
  source: z.literal('aws.codecommit'),
  detail: z.looseObject({
    event: nonEmpty(),
    repositoryName: nonEmpty(),
    repositoryId: z.optional(z.string()),
    referenceType: z.optional(z.string()),
    referenceName: z.optional(z.string()),
    referenceFullName: z.optional(z.string()),
    commitId: z.optional(z.string()),
    oldCommitId: z.optional(z.string()),
  }),
});
export type RepositoryStateChangeEvent = z.infer<typeof repositoryStateChangeSchema>;

export const pullRequestStateChangeSchema = z.object({
  ...envelope,
  'detail-type': z.literal('CodeCommit Pull Request State Change'),
  source: z.literal('aws.codecommit'),
  detail: z.looseObject({
    event: nonEmpty(),
    isMerged: z.enum(['True', 'False']),
    pullRequestId: nonEmpty(),
    pullRequestStatus: z.optional(z.string()),
    repositoryNames: z.array(z.string()).check(z.minLength(1)),
    sourceReference: nonEmpty(),
    destinationReference: nonEmpty(),
    sourceCommit: nonEmpty(),
    destinationCommit: z.optional(z.string()),
    mergeOption: z.optional(z.string()),
    callerUserArn: z.optional(z.string()),
    author: z.optional(z.string()),
    title: z.optional(z.string()),
  }),
});
export type PullRequestStateChangeEvent = z.infer<typeof pullRequestStateChangeSchema>;

export const modelPackageStateChangeSchema = z.object({
  ...envelope,
  'detail-type': z.literal('SageMaker Model Package State Change'),
  source: z.union([z.literal('aws.sagemaker'), z.array(z.literal('aws.sagemaker'))]),
  detail: z.looseObject({
    ModelPackageGroupName: nonEmpty(),
    ModelPackageArn: nonEmpty(),
    ModelPackageVersion: z.optional(z.number().check(z.int())),
    ModelApprovalStatus: z.optional(z.string()),
    ModelPackageStatus: z.optional(z.string()),
  }),
});
export type ModelPackageStateChangeEvent = z.infer<typeof modelPackageStateChangeSchema>;

export const scheduledEventSchema = z.object({
  ...envelope,
  'detail-type': z.literal('Scheduled Event'),
  source: z.literal('aws.events'),
  detail: z.unknown(),
});
export type ScheduledEvent = z.infer<typeof scheduledEventSchema>;

/** A 40-hex-digit git commit id (defined in ./patterns, kept here for the modules that import it from events). */
export { COMMIT_ID_PATTERN } from './patterns';

/** Formats zod issues as "path: message; ..." for error messages and logs. */
export function formatIssues(error: z.core.$ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
}

/** Parses `value` with `schema` or throws a ValidationError that names `what` and every problem. */
export function parseOrThrow<S extends z.core.$ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = z.safeParse(schema, value);
  if (!result.success) throw new ValidationError(`${what}: ${formatIssues(result.error)}`);
  return result.data;
}

/** The `detail-type` of an EventBridge event, or undefined for anything else (a direct invocation). */
export function detailTypeOf(event: unknown): string | undefined {
  if (typeof event === 'object' && event !== null && 'detail-type' in event) {
    const value = (event as Record<string, unknown>)['detail-type'];
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}
