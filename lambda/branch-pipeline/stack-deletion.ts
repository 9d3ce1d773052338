/**
 * Deleting a branch stack already checked to be this project's: one DeleteStack per request token, a DELETE_FAILED
 * stack deleted once more retaining what failed (then an operator's), and the bounded wait for a deletion.
 */
import {
  DeleteStackCommand,
  paginateDescribeStackEvents,
  paginateListStackResources,
  Stack,
} from '@aws-sdk/client-cloudformation';
import { ConflictError, RetryLaterError } from '../../contracts/errors';
import { isTokenAlreadyUsed } from '../../contracts/sdk-errors/cloudformation';
import { describeStack, requestToken } from './stack-lookup';
import type { StackDeps, StackOutcome } from './stacks';

const POLL_INTERVAL_MS = 5_000;
/** Time kept free at the end of an invocation for the create call and the logs. */
const SAFETY_MARGIN_MS = 15_000;

/** DeleteStack, where a repeated request (TokenAlreadyExistsException) is the deletion already under way. */
export async function requestDeletion(
  deps: StackDeps,
  stackId: string,
  token: string,
  retainResources?: string[],
): Promise<void> {
  try {
    await deps.cloudformation.send(
      new DeleteStackCommand({
        StackName: stackId,
        RoleARN: deps.config.cloudFormationRoleArn,
        ClientRequestToken: token,
        ...(retainResources === undefined ? {} : { RetainResources: retainResources }),
      }),
    );
  } catch (err) {
    if (!isTokenAlreadyUsed(err)) throw err;
  }
}

/**
 * A stack in DELETE_FAILED gets exactly one more DeleteStack, which retains the resources whose deletion failed
 * (CloudFormation accepts RetainResources only for a stack in DELETE_FAILED). Its request token is the stack's own,
 * so every event and the reconcile make the same request; the stack's events show whether it was made already.
 * If it was, and the stack is in DELETE_FAILED again, nothing is deleted again: a ConflictError that names the stack
 * and the resources (the function's error alarm and dead-letter alarm fire; the reconcile reports it each hour),
 * never an endless retry.
 */
export async function deleteRetainingFailed(deps: StackDeps, stack: Stack): Promise<void> {
  const stackId = stack.StackId ?? stack.StackName ?? '';
  const token = requestToken('delete-retaining', stackId);
  const log = deps.logger.child({ stackName: stack.StackName });
  for await (const page of paginateDescribeStackEvents({ client: deps.cloudformation }, { StackName: stackId })) {
    if ((page.StackEvents ?? []).some((e) => e.ClientRequestToken === token)) {
      const message =
        `stack ${stack.StackName} could not be deleted, even retaining the resources that failed: ` +
        `${stack.StackStatusReason ?? 'no reason given'}. It needs an operator (CloudFormation console: delete it, ` +
        'retaining or emptying what fails); it is not deleted again automatically';
      log.error('branch stack deletion failed twice: needs an operator', { reason: stack.StackStatusReason });
      throw new ConflictError(message);
    }
  }
  const failed: string[] = [];
  for await (const page of paginateListStackResources({ client: deps.cloudformation }, { StackName: stackId })) {
    for (const resource of page.StackResourceSummaries ?? []) {
      if (resource.ResourceStatus === 'DELETE_FAILED' && resource.LogicalResourceId) {
        failed.push(resource.LogicalResourceId);
      }
    }
  }
  log.warn('branch stack deletion failed: deleting it once more, retaining the resources that failed', {
    reason: stack.StackStatusReason,
    retained: failed,
  });
  await requestDeletion(deps, stackId, token, failed);
}

/** Waits until the stack is gone, as long as the configured wait and the invocation's remaining time allow. */
export async function waitUntilDeleted(deps: StackDeps, stackId: string): Promise<boolean> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const remaining = deps.remainingTimeMs?.() ?? Number.POSITIVE_INFINITY;
  const budgetMs = Math.min(deps.config.stackDeleteWaitSeconds * 1000, remaining - SAFETY_MARGIN_MS);
  let retried = false;
  for (let polls = 1; ; polls++) {
    const stack = await describeStack(deps.cloudformation, stackId);
    if (stack === undefined) return true;
    // Once, retaining what failed (a second failure is a ConflictError for an operator, on the next attempt).
    if (stack.StackStatus === 'DELETE_FAILED' && !retried) {
      await deleteRetainingFailed(deps, stack);
      retried = true;
    }
    if (polls * POLL_INTERVAL_MS > budgetMs) return false;
    await sleep(POLL_INTERVAL_MS);
  }
}

/** Deletes a stack already checked to be this project's. */
export async function deleteOwnedStack(deps: StackDeps, stack: Stack, seed: string): Promise<StackOutcome> {
  const status = stack.StackStatus ?? 'UNKNOWN';
  const stackId = stack.StackId ?? stack.StackName ?? '';
  const log = deps.logger.child({ stackName: stack.StackName });
  if (status === 'DELETE_IN_PROGRESS') {
    log.info('branch stack is already being deleted');
    return 'deleting';
  }
  if (status.endsWith('_IN_PROGRESS') && status !== 'REVIEW_IN_PROGRESS') {
    throw new RetryLaterError(`stack ${stack.StackName} is ${status}; it is deleted once that has finished`);
  }
  if (status === 'DELETE_FAILED') await deleteRetainingFailed(deps, stack);
  else await requestDeletion(deps, stackId, requestToken('delete', seed, stackId));
  log.info('branch stack deletion started', { status });
  return 'deleting';
}
