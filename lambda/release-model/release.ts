/**
 * The release function's routing: one event or direct invocation in, one decision out, with injected clients.
 *
 * - Pull request merged into main: a hint only. CodeCommit is asked (pull-request.ts) whether the pull request is
 *   merged into main from the claimed source commit and approved by its rules; a claim it contradicts changes nothing
 *   and is logged as a forged or unreviewed event. Then the source commit is released from the source branch's
 *   pipeline (merge.ts); no version yet: the merge is recorded as an intent.
 * - Push to main: approves nothing unless `approveOnPushToMain` (then the head, from one pipeline only).
 * - Direct invocation `{"commit_id", "approve_when_registered"?, "source_branch"?}` (the CI variant): released as
 *   the payload says, recorded as a direct invocation in the audit metadata.
 * - SageMaker model package state change in a group of the project (registration.ts): verified, indexed, and
 *   released if a merge waits for its commit.
 */
import { describeError } from '../../contracts/errors';
import { Context, ReleaseDeps, ReleaseResult } from './context';
import { onMergeEvent, releaseCommit } from './merge';
import { onModelRegistered } from './registration';
import { ReleaseRequest, routeEvent } from './route';

export type { ApprovalRecord, ReleaseDeps, ReleaseOutcome, ReleaseResult } from './context';

function eventIdOf(event: unknown): string | undefined {
  if (typeof event === 'object' && event !== null && 'id' in event) {
    const id = (event as Record<string, unknown>).id;
    return typeof id === 'string' ? id : undefined;
  }
  return undefined;
}

/**
 * Handles one event or direct invocation; throws a typed error for bad input, and, for a direct invocation, for an
 * unknown commit, a refusal or a Rejected version.
 */
export async function handleReleaseEvent(event: unknown, deps: ReleaseDeps): Promise<ReleaseResult> {
  const eventId = eventIdOf(event);
  const ctx: Context = {
    deps,
    store: { dynamodb: deps.dynamodb, tableName: deps.config.intentTableName, ttlDays: deps.config.intentTtlDays },
    now: deps.now ?? (() => new Date()),
    log: eventId === undefined ? deps.logger : deps.logger.child({ eventId }),
    approved: [],
    described: new Map(),
  };
  let result: ReleaseResult;
  try {
    result = await act(routeEvent(event, deps.config), ctx);
  } catch (err) {
    const done = ctx.approved.length > 0 ? `failed after approving ${ctx.approved.join(', ')}` : 'nothing approved';
    ctx.log.error(`${done}: ${describeError(err).message}`, { error: describeError(err) });
    throw err;
  }
  ctx.log.info(result.message, {
    outcome: result.outcome,
    commit: result.commitId,
    modelPackageArn: result.modelPackageArn,
  });
  return result;
}

async function act(request: ReleaseRequest, ctx: Context): Promise<ReleaseResult> {
  switch (request.action) {
    case 'ignore':
      return { outcome: 'ignored', message: request.reason };
    case 'verify-merge':
      return onMergeEvent(request, { ...ctx, log: ctx.log.child({ pullRequestId: request.pullRequestId }) });
    case 'approve-commit':
      return releaseCommit(
        {
          commitId: request.commitId,
          trigger: request.trigger,
          sourceBranch: request.sourceBranch,
          whenMissing: request.whenMissing,
        },
        { ...ctx, log: ctx.log.child({ commit: request.commitId }) },
      );
    case 'model-registered':
      return onModelRegistered(request.modelPackageArn, {
        ...ctx,
        log: ctx.log.child({ modelPackageArn: request.modelPackageArn }),
      });
  }
}
