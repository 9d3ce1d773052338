/**
 * The branch function's logic: one pipeline stack per branch under the prefix, created when the branch appears,
 * healed when an event was lost or a stack failed, removed (with the branch's SageMaker pipeline) when the branch
 * goes. The hourly reconciliation compares the repository's branches with the project's stacks.
 */
import { describeError, RetryLaterError } from '../../contracts/errors';
import { branchExists, deleteBranch, underCap } from './branches';
import { CodeCommitClient } from '@aws-sdk/client-codecommit';
import { handleLifecycle, httpsRespond, LifecycleOutcome, Respond } from './lifecycle';
import { reconcile, ReconcileSummary } from './reconcile';
import { Route, routeEvent } from './route';
import { SageMakerPipelineOutcome } from './sagemaker-pipeline';
import { listProjectBranchStacks } from './stack-lookup';
import { ensureBranchStack, StackDeps, StackOutcome } from './stacks';

export type { ReconcileSummary } from './reconcile';

export interface BranchPipelineDeps extends StackDeps {
  readonly codecommit: CodeCommitClient;
  /** Answers CloudFormation custom resource requests. @default an HTTPS PUT to the request's ResponseURL */
  readonly respond?: Respond;
}

export type BranchPipelineResult =
  | { readonly action: 'ignored'; readonly reason: string; readonly branch?: string }
  | { readonly action: 'create' | 'heal'; readonly branch: string; readonly stack: StackOutcome }
  | {
      readonly action: 'delete';
      readonly branch: string;
      readonly stack: StackOutcome;
      readonly sageMakerPipeline: SageMakerPipelineOutcome;
    }
  | ({ readonly action: 'reconcile' } & ReconcileSummary)
  | ({ readonly action: 'lifecycle'; readonly requestType: string } & LifecycleOutcome);

export async function handleBranchPipelineEvent(
  event: unknown,
  deps: BranchPipelineDeps,
): Promise<BranchPipelineResult> {
  let route: Route;
  try {
    route = routeEvent(event, deps.config);
  } catch (err) {
    deps.logger.error('event rejected', { error: describeError(err) });
    throw err;
  }
  const logger = deps.logger.child({
    eventId: route.eventId,
    ...('branch' in route ? { branch: route.branch } : {}),
    ...('commitId' in route ? { commit: route.commitId } : {}),
  });
  const scoped = { ...deps, logger };
  try {
    switch (route.kind) {
      case 'ignore':
        logger.info('event ignored', { reason: route.reason });
        return { action: 'ignored', reason: route.reason };
      case 'create':
      case 'heal': {
        // Events arrive at least once and out of order: a late create or push of a branch deleted since must not
        // bring its stack back. The branch is looked up only when a stack is about to be created or replaced.
        const { branch } = route;
        const stack = await ensureBranchStack(scoped, branch, route.eventId, {
          firstAttempt: 'describe',
          branchExists: () => branchExists(deps.codecommit, deps.config.repositoryName, branch),
          mayCreate: async () =>
            underCap(scoped, (await listProjectBranchStacks(deps.cloudformation, deps.config)).length, branch),
        });
        if (stack === 'branch-gone') {
          logger.info('branch no longer exists, ignoring');
          return { action: 'ignored', reason: 'branch no longer exists', branch };
        }
        if (stack === 'refused') {
          return {
            action: 'ignored',
            reason: `branch pipeline limit ${deps.config.maxBranchPipelines} reached`,
            branch,
          };
        }
        return { action: route.kind, branch, stack };
      }
      case 'delete': {
        // A late or retried delete event of a branch created again since must not tear down its live pipeline.
        const { branch } = route;
        if (await branchExists(deps.codecommit, deps.config.repositoryName, branch)) {
          logger.info('branch exists again, ignoring its delete event');
          return { action: 'ignored', reason: 'branch exists again', branch };
        }
        return { action: 'delete', branch, ...(await deleteBranch(scoped, branch, route.eventId)) };
      }
      case 'reconcile': {
        const summary = await reconcile(scoped, route.eventId);
        return { action: 'reconcile', ...summary };
      }
      case 'lifecycle': {
        const outcome = await handleLifecycle({ ...scoped, respond: deps.respond ?? httpsRespond }, route.request);
        return { action: 'lifecycle', requestType: route.request.RequestType, ...outcome };
      }
    }
  } catch (err) {
    logger.error('event failed', { error: describeError(err), retryable: err instanceof RetryLaterError });
    throw err;
  }
}
