/**
 * Schemas of the EventBridge events the handlers receive, as AWS documents them (see the samples in
 * shared/fixtures/aws-events). Events are parsed at the door: one that does not fit is rejected with the reason.
 *
 * Facts the samples show: `isMerged` is the string "True"/"False"; pull request events carry full refs
 * (`refs/heads/main`), reference events the short `referenceName` and the full `referenceFullName`;
 * `referenceDeleted` has only `oldCommitId`; the merge event has `sourceCommit` and `destinationCommit` but no merge
 * commit id.
 */
import { z } from 'zod';
import { ValidationError } from './errors';

/** The envelope every EventBridge event has. `source` may be an array in one published SageMaker sample. */
const envelope = {
  version: z.string(),
  id: z.string().min(1),
  account: z.string(),
  time: z.string(),
  region: z.string(),
  resources: z.array(z.string()),
};

export const REFERENCE_EVENTS = ['referenceCreated', 'referenceUpdated', 'referenceDeleted'] as const;

export const repositoryStateChangeSchema = z.object({
  ...envelope,
  'detail-type': z.literal('CodeCommit Repository State Change'),
  source: z.literal('aws.codecommit'),
  detail: z
    .object({
      event: z.string().min(1),
      repositoryName: z.string().min(1),
      repositoryId: z.string().optional(),
      referenceType: z.string().optional(),
      referenceName: z.string().optional(),
      referenceFullName: z.string().optional(),
      commitId: z.string().optional(),
      oldCommitId: z.string().optional(),
    })
    .loose(),
});
export type RepositoryStateChangeEvent = z.infer<typeof repositoryStateChangeSchema>;

export const pullRequestStateChangeSchema = z.object({
  ...envelope,
  'detail-type': z.literal('CodeCommit Pull Request State Change'),
  source: z.literal('aws.codecommit'),
  detail: z
    .object({
      event: z.string().min(1),
      isMerged: z.enum(['True', 'False']),
      pullRequestId: z.string().min(1),
      pullRequestStatus: z.string().optional(),
      repositoryNames: z.array(z.string()).min(1),
      sourceReference: z.string().min(1),
      destinationReference: z.string().min(1),
      sourceCommit: z.string().min(1),
      destinationCommit: z.string().optional(),
      mergeOption: z.string().optional(),
      callerUserArn: z.string().optional(),
      author: z.string().optional(),
      title: z.string().optional(),
    })
    .loose(),
});
export type PullRequestStateChangeEvent = z.infer<typeof pullRequestStateChangeSchema>;

export const modelPackageStateChangeSchema = z.object({
  ...envelope,
  'detail-type': z.literal('SageMaker Model Package State Change'),
  source: z.union([z.literal('aws.sagemaker'), z.array(z.literal('aws.sagemaker'))]),
  detail: z
    .object({
      ModelPackageGroupName: z.string().min(1),
      ModelPackageArn: z.string().min(1),
      ModelPackageVersion: z.number().int().optional(),
      ModelApprovalStatus: z.string().optional(),
      ModelPackageStatus: z.string().optional(),
    })
    .loose(),
});
export type ModelPackageStateChangeEvent = z.infer<typeof modelPackageStateChangeSchema>;

export const scheduledEventSchema = z.object({
  ...envelope,
  'detail-type': z.literal('Scheduled Event'),
  source: z.literal('aws.events'),
  detail: z.unknown(),
});
export type ScheduledEvent = z.infer<typeof scheduledEventSchema>;

/** A 40-hex-digit git commit id, the only form the model registry's metadata uses. */
export const COMMIT_ID_PATTERN = /^[0-9a-f]{40}$/;

/** Formats zod issues as "path: message; ..." for error messages and logs. */
export function formatIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
}

/** Parses `value` with `schema` or throws a ValidationError that names `what` and every problem. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
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
