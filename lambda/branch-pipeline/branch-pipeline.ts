/**
 * The branch function's logic: one pipeline stack per branch under the prefix, created when the branch appears,
 * healed when an event was lost or a stack failed, removed (with the branch's SageMaker pipeline) when the branch
 * goes. The hourly reconciliation compares the repository's branches with the project's stacks.
 */
import { CloudFormationClient, paginateDescribeStacks, Stack } from '@aws-sdk/client-cloudformation';
import { CodeCommitClient, GetBranchCommand, paginateListBranches } from '@aws-sdk/client-codecommit';
import { describeError, RetryLaterError } from '../../contracts/errors';
import {
  branchStackName,
  branchStackPrefix,
  isUnderPrefix,
  legacyBranchNames,
  legacyBranchStackPrefix,
} from '../../contracts/naming';
import { BranchPipelineConfig } from './config';
import { handleLifecycle, httpsRespond, LifecycleOutcome, Respond } from './lifecycle';
import { Route, routeEvent } from './route';
import {
  deleteOwnedStack,
  deleteSageMakerPipeline,
  ensureBranchStack,
  isProjectStack,
  parameterOf,
  SageMakerPipelineOutcome,
  StackDeps,
  StackOutcome,
  ownedBranchStack,
} from './stacks';

export interface BranchPipelineDeps extends StackDeps {
  readonly codecommit: CodeCommitClient;
  /** Answers CloudFormation custom resource requests. @default an HTTPS PUT to the request's ResponseURL */
  readonly respond?: Respond;
}

export interface ReconcileSummary {
  readonly branches: number;
  readonly created: string[];
  readonly recreated: string[];
  readonly unchanged: string[];
  /** Stacks of branches that no longer exist, whose deletion started. */
  readonly deleted: string[];
  /** Branches without a pipeline because the project has as many as maxBranchPipelines allows. */
  readonly refused: string[];
  /** Stacks of branches ListBranches did not list but GetBranch found: kept (a stale listing). */
  readonly kept: string[];
  readonly failed: { readonly target: string; readonly error: string }[];
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

/**
 * Removes what belongs to a deleted branch: its SageMaker pipeline, then its stack (if this project owns it). A
 * stack the project does not own stops everything before anything is deleted. The stack is deleted only once the
 * SageMaker pipeline is gone: while an execution runs (a RetryLaterError) the stack stays, so a retry or the
 * reconcile, which finds the orphan stack, tries both again.
 */
export async function deleteBranch(
  deps: StackDeps,
  branch: string,
  seed: string,
  known?: Stack,
): Promise<{ stack: StackOutcome; sageMakerPipeline: SageMakerPipelineOutcome }> {
  const stack = await ownedBranchStack(deps, branch, known);
  const sageMakerPipeline = await deleteSageMakerPipeline(deps, branch, seed);
  const stackOutcome = stack === undefined ? 'absent' : await deleteOwnedStack(deps, stack, seed);
  return { stack: stackOutcome, sageMakerPipeline };
}

/**
 * Issue 10, attack 13: whether one more branch pipeline fits under maxBranchPipelines, given `existing` branch
 * stacks. A refusal is logged once, naming the branch, the count, the limit and how to proceed.
 */
function underCap(deps: StackDeps, existing: number, branch: string): boolean {
  const limit = deps.config.maxBranchPipelines;
  if (existing < limit) return true;
  deps.logger.warn(
    `branch pipeline refused: project ${deps.config.projectName} already has ${existing} branch pipelines and ` +
      `maxBranchPipelines is ${limit}; delete a finished experiment branch (or raise maxBranchPipelines), then ` +
      `push ${branch} again or wait for the next reconcile`,
    { branch, branchPipelines: existing, maxBranchPipelines: limit },
  );
  return false;
}

/**
 * Whether the branch exists in the repository now (CodeCommit GetBranch). Only a missing branch
 * (BranchDoesNotExistException) is false; any other error propagates.
 */
export async function branchExists(
  codecommit: CodeCommitClient,
  repositoryName: string,
  branchName: string,
): Promise<boolean> {
  try {
    await codecommit.send(new GetBranchCommand({ repositoryName, branchName }));
    return true;
  } catch (err) {
    if (err instanceof Error && err.name === 'BranchDoesNotExistException') return false;
    throw err;
  }
}

/** Every branch of the repository (CodeCommit ListBranches, all pages). */
export async function listBranches(codecommit: CodeCommitClient, repositoryName: string): Promise<string[]> {
  const branches: string[] = [];
  for await (const page of paginateListBranches({ client: codecommit }, { repositoryName })) {
    branches.push(...(page.branches ?? []));
  }
  return branches;
}

/** The stacks named like this project's branch stacks that carry this project's tags (DescribeStacks, all pages). */
export async function listProjectBranchStacks(
  cloudformation: CloudFormationClient,
  config: BranchPipelineConfig,
): Promise<Stack[]> {
  const prefixes = [branchStackPrefix(config.projectName), legacyBranchStackPrefix(config.projectName)];
  const stacks: Stack[] = [];
  for await (const page of paginateDescribeStacks({ client: cloudformation }, {})) {
    for (const stack of page.Stacks ?? []) {
      if (
        prefixes.some((prefix) => stack.StackName?.startsWith(prefix)) &&
        stack.StackStatus !== 'DELETE_COMPLETE' &&
        isProjectStack(stack, config)
      ) {
        stacks.push(stack);
      }
    }
  }
  return stacks;
}

/**
 * Heals lost events: creates the stacks of branches that have none (or replaces failed ones) and deletes the stacks
 * of branches that are gone. One failure does not stop the others; the run fails at the end if any did.
 */
export async function reconcile(deps: BranchPipelineDeps, seed: string): Promise<ReconcileSummary> {
  const { config, logger } = deps;
  const branches = (await listBranches(deps.codecommit, config.repositoryName)).filter((branch) =>
    isUnderPrefix(branch, config.branchPrefix),
  );
  const stacks = await listProjectBranchStacks(deps.cloudformation, config);
  const byName = new Map(stacks.map((stack) => [stack.StackName ?? '', stack]));
  const wanted = new Map(branches.map((branch) => [branchStackName(config.projectName, branch), branch]));
  // Stacks named before the 16-digit branch hash belong to their branch too.
  const legacyName = new Map<string, string>();
  for (const [stackName, branch] of wanted) {
    const legacy = legacyBranchNames(config.projectName, branch)?.stack;
    if (legacy !== undefined && legacy !== stackName) legacyName.set(stackName, legacy);
  }
  const wantedNames = new Set([...wanted.keys(), ...legacyName.values()]);
  let stackCount = stacks.length;
  const summary: ReconcileSummary = {
    branches: branches.length,
    created: [],
    recreated: [],
    unchanged: [],
    deleted: [],
    refused: [],
    kept: [],
    failed: [],
  };
  let retryLater = false;
  const attempt = async (target: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (err) {
      retryLater ||= err instanceof RetryLaterError;
      const { name, message } = describeError(err);
      summary.failed.push({ target, error: `${name}: ${message}` });
      logger.warn('reconcile could not heal', { target, error: { name, message } });
    }
  };

  for (const [stackName, branch] of wanted) {
    await attempt(branch, async () => {
      const legacy = legacyName.get(stackName);
      const known = byName.get(stackName) ?? (legacy === undefined ? undefined : byName.get(legacy));
      const scoped = { ...deps, logger: logger.child({ branch }) };
      // Not listed: create straight away (a stack this project does not own answers AlreadyExists and is checked).
      const outcome = await ensureBranchStack(scoped, branch, seed, {
        firstAttempt: known === undefined ? 'create' : 'describe',
        known,
        mayCreate: async () => underCap(scoped, stackCount, branch),
      });
      if (outcome === 'created') stackCount += 1;
      if (outcome === 'refused') summary.refused.push(branch);
      else if (outcome === 'created') summary.created.push(branch);
      else if (outcome === 'recreated') summary.recreated.push(branch);
      else summary.unchanged.push(branch);
    });
  }
  for (const stack of stacks) {
    const stackName = stack.StackName ?? '';
    if (wantedNames.has(stackName)) continue;
    await attempt(stackName, async () => {
      const branch = parameterOf(stack, 'BranchName');
      const scoped = { ...deps, logger: logger.child({ branch, stackName }) };
      const names =
        branch === undefined
          ? []
          : [branchStackName(config.projectName, branch), legacyBranchNames(config.projectName, branch)?.stack];
      // Issue 10, attack 11: one stale ListBranches must not tear a live branch down; GetBranch decides.
      if (branch !== undefined && (await branchExists(deps.codecommit, config.repositoryName, branch))) {
        scoped.logger.warn('branch was not listed but exists: keeping its stack (stale ListBranches)');
        summary.kept.push(stackName);
        return;
      }
      if (branch === undefined || !names.includes(stackName)) {
        // Without the branch there is no SageMaker pipeline name: delete the stack only.
        scoped.logger.warn('orphaned branch stack has no usable BranchName parameter: deleting the stack only');
        await deleteOwnedStack(scoped, stack, seed);
      } else {
        await deleteBranch(scoped, branch, seed, stack);
      }
      summary.deleted.push(stackName);
      stackCount -= 1;
    });
  }

  logger.info('reconciled', { ...summary });
  if (summary.failed.length > 0) {
    const message = `reconcile could not heal ${summary.failed.map((f) => `${f.target} (${f.error})`).join(', ')}`;
    throw retryLater && summary.failed.every((f) => f.error.startsWith('RetryLaterError'))
      ? new RetryLaterError(message)
      : new Error(message);
  }
  return summary;
}
