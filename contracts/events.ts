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
import { branchFromRef } from './naming';

// zod/mini loads no locale: without one every issue reads "Invalid input". The English one (a few KB, unlike the
// namespace `z.locales`, which holds every language) keeps the messages the full zod API gives.
z.config(en());

/** A string of at least one character. */
export const nonEmpty = () => z.string().check(z.minLength(1));

/**
 * The `detail-type` of each EventBridge event the product handles, defined once for the schemas below, the
 * functions' routes and the CDK rules' event patterns.
 */
export const DETAIL_TYPES = {
  repositoryStateChange: 'CodeCommit Repository State Change',
  pullRequestStateChange: 'CodeCommit Pull Request State Change',
  modelPackageStateChange: 'SageMaker Model Package State Change',
  pipelineExecutionStatusChange: 'SageMaker Model Building Pipeline Execution Status Change',
  scheduledEvent: 'Scheduled Event',
} as const;

/** The `source` of each of those events. */
export const EVENT_SOURCES = {
  codecommit: 'aws.codecommit',
  sagemaker: 'aws.sagemaker',
  /** EventBridge's own (a schedule rule). */
  events: 'aws.events',
} as const;

/** The envelope every EventBridge event has. `source` may be an array in one published SageMaker sample. */
const envelope = {
  version: z.string(),
  id: nonEmpty(),
  account: z.string(),
  time: z.string(),
  region: z.string(),
  resources: z.array(z.string()),
};

/** Fields a detail may carry or leave out, each a string when present. */
function optionalStrings<const K extends string>(...keys: K[]): { [key in K]: z.ZodMiniOptional<z.ZodMiniString> } {
  return Object.fromEntries(keys.map((key) => [key, z.optional(z.string())])) as {
    [key in K]: z.ZodMiniOptional<z.ZodMiniString>;
  };
}

/** The schema of an event of `detailType` from `source`, whose detail has (at least) the fields of `detail`. */
function eventSchema<T extends string, S extends z.core.$ZodType, D extends z.core.$ZodLooseShape>(
  detailType: T,
  source: S,
  detail: D,
) {
  return z.object({ ...envelope, 'detail-type': z.literal(detailType), source, detail: z.looseObject(detail) });
}

const fromCodeCommit = z.literal(EVENT_SOURCES.codecommit);
const fromSageMaker = z.literal(EVENT_SOURCES.sagemaker);

export const repositoryStateChangeSchema = eventSchema(DETAIL_TYPES.repositoryStateChange, fromCodeCommit, {
  event: nonEmpty(),
  repositoryName: nonEmpty(),
  ...optionalStrings('repositoryId', 'referenceType', 'referenceName', 'referenceFullName', 'commitId', 'oldCommitId'),
});
export type RepositoryStateChangeEvent = z.infer<typeof repositoryStateChangeSchema>;

export const pullRequestStateChangeSchema = eventSchema(DETAIL_TYPES.pullRequestStateChange, fromCodeCommit, {
  event: nonEmpty(),
  isMerged: z.enum(['True', 'False']),
  pullRequestId: nonEmpty(),
  repositoryNames: z.array(z.string()).check(z.minLength(1)),
  sourceReference: nonEmpty(),
  destinationReference: nonEmpty(),
  sourceCommit: nonEmpty(),
  ...optionalStrings('pullRequestStatus', 'destinationCommit', 'mergeOption', 'callerUserArn', 'author', 'title'),
});
export type PullRequestStateChangeEvent = z.infer<typeof pullRequestStateChangeSchema>;

/**
 * Why a pull request event is not about a pull request of `repositoryName` into `mainBranch` (the only ones the
 * functions act on), or undefined when it is.
 */
export function pullRequestNotIntoMain(
  detail: PullRequestStateChangeEvent['detail'],
  repositoryName: string,
  mainBranch: string,
): string | undefined {
  if (!detail.repositoryNames.includes(repositoryName)) {
    return `pull request of repository ${detail.repositoryNames.join(', ')}, not ${repositoryName}`;
  }
  if (branchFromRef(detail.destinationReference) !== mainBranch) {
    return `pull request into ${detail.destinationReference}, not ${mainBranch}`;
  }
  return undefined;
}

export const modelPackageStateChangeSchema = eventSchema(
  DETAIL_TYPES.modelPackageStateChange,
  z.union([fromSageMaker, z.array(fromSageMaker)]),
  {
    ModelPackageGroupName: nonEmpty(),
    ModelPackageArn: nonEmpty(),
    ModelPackageVersion: z.optional(z.number().check(z.int())),
    ...optionalStrings('ModelApprovalStatus', 'ModelPackageStatus'),
  },
);
export type ModelPackageStateChangeEvent = z.infer<typeof modelPackageStateChangeSchema>;

export const pipelineExecutionStatusChangeSchema = eventSchema(
  DETAIL_TYPES.pipelineExecutionStatusChange,
  fromSageMaker,
  {
    currentPipelineExecutionStatus: nonEmpty(),
    pipelineArn: z.string().check(z.regex(/^arn:aws[a-z-]*:sagemaker:[^:]+:\d{12}:pipeline\/[^/]+$/)),
    pipelineExecutionArn: nonEmpty(),
  },
);
export type PipelineExecutionStatusChangeEvent = z.infer<typeof pipelineExecutionStatusChangeSchema>;

export const scheduledEventSchema = z.object({
  ...envelope,
  'detail-type': z.literal(DETAIL_TYPES.scheduledEvent),
  source: z.literal(EVENT_SOURCES.events),
  detail: z.unknown(),
});
export type ScheduledEvent = z.infer<typeof scheduledEventSchema>;

/** A 40-hex-digit git commit id (defined in ./patterns, kept here for the modules that import it from events). */

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
