/**
 * Decides what an incoming event asks of the branch function, before anything is touched: create or heal a branch
 * stack, delete one, reconcile all, or ignore the event. A malformed event is a ValidationError that names what is
 * wrong.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import { ValidationError } from '../../contracts/errors';
import {
  DETAIL_TYPES,
  detailTypeOf,
  formatIssues,
  nonEmpty,
  parseOrThrow,
  repositoryStateChangeSchema,
  scheduledEventSchema,
} from '../../contracts/events';
import { assertBranchName, branchFromRef, isUnderPrefix } from '../../contracts/naming';
import { BranchPipelineConfig } from './config';
import { CustomResourceRequest, customResourceRequestSchema } from './lifecycle';

export type Route =
  | { readonly kind: 'ignore'; readonly reason: string; readonly eventId?: string; readonly branch?: string }
  | { readonly kind: 'reconcile'; readonly eventId: string }
  /** The project template's custom resource (lifecycle.ts): on Delete, remove every branch stack first. */
  | { readonly kind: 'lifecycle'; readonly eventId: string; readonly request: CustomResourceRequest }
  | {
      /** create: the branch was created; heal: it was pushed to (create its stack if lost); delete: it was deleted. */
      readonly kind: 'create' | 'heal' | 'delete';
      readonly eventId: string;
      readonly branch: string;
      readonly commitId: string;
    };

/** The reconcile schedule's rule input, `{"action":"reconcile"}`, as the function receives it. */
const reconcileInputSchema = z.strictObject({ action: z.literal('reconcile') });

/** What each reference event must carry (the documented samples carry all of it). */
const branchReferenceDetail = z.object({
  referenceType: nonEmpty(),
  referenceName: nonEmpty(),
  referenceFullName: nonEmpty(),
});
const commitOf = {
  referenceCreated: z.object({ commitId: nonEmpty() }),
  referenceUpdated: z.object({ commitId: nonEmpty() }),
  referenceDeleted: z.object({ oldCommitId: nonEmpty() }),
};
const KIND_OF = { referenceCreated: 'create', referenceUpdated: 'heal', referenceDeleted: 'delete' } as const;

function isReferenceEvent(name: string): name is keyof typeof KIND_OF {
  return Object.prototype.hasOwnProperty.call(KIND_OF, name);
}

export function routeEvent(event: unknown, config: BranchPipelineConfig): Route {
  const detailType = detailTypeOf(event);
  if (detailType === undefined && typeof event === 'object' && event !== null && 'RequestType' in event) {
    const request = parseOrThrow(customResourceRequestSchema, event, 'CloudFormation custom resource request');
    return { kind: 'lifecycle', eventId: request.RequestId, request };
  }
  if (detailType === undefined) {
    if (typeof event === 'object' && event !== null && 'action' in event) {
      parseOrThrow(reconcileInputSchema, event, 'reconcile input');
      // A direct invocation has no event id; a fresh one keeps its request tokens apart from earlier runs.
      return { kind: 'reconcile', eventId: `direct-${randomUUID()}` };
    }
    throw new ValidationError(
      `unsupported event: expected an EventBridge "${DETAIL_TYPES.repositoryStateChange}" or "${DETAIL_TYPES.scheduledEvent}" event or {"action":"reconcile"}`,
    );
  }
  if (detailType === DETAIL_TYPES.scheduledEvent) {
    const scheduled = parseOrThrow(scheduledEventSchema, event, 'scheduled event');
    return { kind: 'reconcile', eventId: scheduled.id };
  }
  if (detailType !== DETAIL_TYPES.repositoryStateChange) {
    throw new ValidationError(`unsupported event: detail-type ${JSON.stringify(detailType)}`);
  }

  const parsed = parseOrThrow(repositoryStateChangeSchema, event, 'repository state change event');
  const { detail, id: eventId } = parsed;
  if (!isReferenceEvent(detail.event)) {
    return { kind: 'ignore', eventId, reason: `event ${detail.event} does not concern branch pipelines` };
  }
  if (detail.repositoryName !== config.repositoryName) {
    return { kind: 'ignore', eventId, reason: `repository ${detail.repositoryName} is not this project's` };
  }
  const reference = branchReferenceDetail.safeParse(detail);
  if (!reference.success) {
    throw new ValidationError(`${detail.event} event: ${prefixIssues(reference.error)}`);
  }
  const { referenceType, referenceName, referenceFullName } = reference.data;
  if (referenceType !== 'branch') {
    return { kind: 'ignore', eventId, reason: `reference type ${referenceType} is not a branch` };
  }
  if (branchFromRef(referenceFullName) !== referenceName) {
    throw new ValidationError(
      `${detail.event} event: detail.referenceFullName ${JSON.stringify(referenceFullName)} is not refs/heads/ + detail.referenceName ${JSON.stringify(referenceName)}`,
    );
  }
  try {
    assertBranchName(referenceName);
  } catch (err) {
    throw new ValidationError(`${detail.event} event: detail.referenceName: ${(err as Error).message}`);
  }
  if (!isUnderPrefix(referenceName, config.branchPrefix)) {
    return {
      kind: 'ignore',
      eventId,
      branch: referenceName,
      reason: `branch is not under the prefix ${config.branchPrefix}`,
    };
  }
  const commit = commitOf[detail.event].safeParse(detail);
  if (!commit.success) throw new ValidationError(`${detail.event} event: ${prefixIssues(commit.error)}`);
  const commitId = 'commitId' in commit.data ? commit.data.commitId : commit.data.oldCommitId;
  return { kind: KIND_OF[detail.event], eventId, branch: referenceName, commitId };
}

function prefixIssues(error: z.core.$ZodError): string {
  return formatIssues(error)
    .split('; ')
    .map((issue) => `detail.${issue}`)
    .join('; ');
}
