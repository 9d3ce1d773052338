/**
 * The project's own lifecycle (issue 10, attack 8): a CloudFormation custom resource of the project template whose
 * service token is this function. When the project is deleted, CloudFormation deletes it before the roles the branch
 * stacks use (it depends on them), and the function first removes every branch stack of the project (and the
 * branches' SageMaker pipelines; model versions and artifacts stay). If some are still being deleted when the
 * function must answer, it answers FAILED, so the project's deletion stops (and can be retried) instead of leaving
 * branch stacks that reference deleted roles.
 *
 * Request and response follow CloudFormation's custom resource protocol (RequestType Create | Update | Delete,
 * answered with a PUT of {Status, Reason, PhysicalResourceId, StackId, RequestId, LogicalResourceId} to ResponseURL).
 */
import * as z from 'zod/mini';
import { describeError } from '../../contracts/errors';
import { nonEmpty } from '../../contracts/events';
import { deleteBranch } from './branches';
import { deleteOwnedStack } from './stack-deletion';
import { describeStack, listProjectBranchStacks, parameterOf } from './stack-lookup';
import type { StackDeps } from './stacks';

export const customResourceRequestSchema = z.object({
  RequestType: z.enum(['Create', 'Update', 'Delete']),
  ResponseURL: nonEmpty(),
  StackId: nonEmpty(),
  RequestId: nonEmpty(),
  LogicalResourceId: nonEmpty(),
  PhysicalResourceId: z.optional(z.string()),
});
export type CustomResourceRequest = z.infer<typeof customResourceRequestSchema>;

export interface CustomResourceResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
}

/** Sends the answer to CloudFormation (an HTTPS PUT to the pre-signed ResponseURL); tests pass their own. */
export type Respond = (url: string, response: CustomResourceResponse) => Promise<void>;

export const httpsRespond: Respond = async (url, response) => {
  const body = JSON.stringify(response);
  const res = await fetch(url, { method: 'PUT', headers: { 'content-type': '' }, body });
  if (!res.ok) throw new Error(`CloudFormation response upload failed: HTTP ${res.status}`);
};

const POLL_MS = 10_000;
const MARGIN_MS = 20_000;

export type LifecycleOutcome =
  | { readonly status: 'SUCCESS'; readonly removed: string[] }
  | { readonly status: 'FAILED'; readonly reason: string; readonly remaining: string[] };

/** Removes every branch stack of the project, waiting while the invocation's time allows. */
export async function removeBranchStacks(deps: StackDeps, seed: string): Promise<LifecycleOutcome> {
  const stacks = await listProjectBranchStacks(deps.cloudformation, deps.config);
  const removed = stacks.map((stack) => stack.StackName ?? '');
  for (const stack of stacks) {
    const branch = parameterOf(stack, 'BranchName');
    try {
      if (branch === undefined) await deleteOwnedStack(deps, stack, seed);
      else await deleteBranch(deps, branch, seed, stack);
    } catch (err) {
      // A busy SageMaker pipeline or a stack still settling: counted as remaining below.
      deps.logger.warn('branch stack not deleted yet', { stackName: stack.StackName, error: describeError(err) });
    }
  }
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (;;) {
    const remaining: string[] = [];
    for (const stack of stacks) {
      const now = await describeStack(deps.cloudformation, stack.StackId ?? stack.StackName ?? '');
      if (now !== undefined) remaining.push(stack.StackName ?? '');
    }
    if (remaining.length === 0) return { status: 'SUCCESS', removed };
    const left = deps.remainingTimeMs?.() ?? 0;
    if (left < POLL_MS + MARGIN_MS) {
      return {
        status: 'FAILED',
        remaining,
        reason:
          `${remaining.length} branch stack(s) of project ${deps.config.projectName} are still being deleted ` +
          `(${remaining.join(', ')}); delete the project again once they are gone. Repository, model package ` +
          'groups and artifacts are kept.',
      };
    }
    await sleep(POLL_MS);
  }
}

/** Handles the custom resource request and always answers CloudFormation (never leaves it waiting an hour). */
export async function handleLifecycle(
  deps: StackDeps & { readonly respond: Respond },
  request: CustomResourceRequest,
): Promise<LifecycleOutcome> {
  const physicalResourceId = request.PhysicalResourceId ?? `${deps.config.projectId}-branch-stacks`;
  let outcome: LifecycleOutcome;
  try {
    outcome =
      request.RequestType === 'Delete'
        ? await removeBranchStacks(deps, request.RequestId)
        : { status: 'SUCCESS', removed: [] };
  } catch (err) {
    const { name, message } = describeError(err);
    outcome = { status: 'FAILED', reason: `${name}: ${message}`, remaining: [] };
  }
  if (outcome.status === 'FAILED') deps.logger.error('project deletion refused', { reason: outcome.reason });
  else
    deps.logger.info('project lifecycle request done', { requestType: request.RequestType, removed: outcome.removed });
  await deps.respond(request.ResponseURL, {
    Status: outcome.status,
    Reason: outcome.status === 'FAILED' ? outcome.reason.slice(0, 1000) : 'branch stacks removed',
    PhysicalResourceId: physicalResourceId,
    StackId: request.StackId,
    RequestId: request.RequestId,
    LogicalResourceId: request.LogicalResourceId,
  });
  return outcome;
}
