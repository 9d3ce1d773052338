/**
 * The hourly reconcile: compares the repository's branches with the project's branch stacks and heals what lost
 * events left behind.
 */
import { CodeCommitClient } from '@aws-sdk/client-codecommit';
import { describeError, RetryLaterError } from '../../contracts/errors';
import { branchStackName, isUnderPrefix, legacyBranchNames } from '../../contracts/naming';
import { branchExists, deleteBranch, listBranches, underCap } from './branches';
import { deleteOwnedStack } from './stack-deletion';
import { listProjectBranchStacks, parameterOf } from './stack-lookup';
import { ensureBranchStack, StackDeps } from './stacks';

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

/**
 * Heals lost events: creates the stacks of branches that have none (or replaces failed ones) and deletes the stacks
 * of branches that are gone. One failure does not stop the others; the run fails at the end if any did.
 */
export async function reconcile(
  deps: StackDeps & { readonly codecommit: CodeCommitClient },
  seed: string,
): Promise<ReconcileSummary> {
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
