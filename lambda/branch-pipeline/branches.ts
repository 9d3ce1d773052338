/**
 * A branch's existence in the repository, the branch pipeline cap, and the removal of what belongs to a deleted
 * branch: the steps the event routing (branch-pipeline.ts), the reconcile and the project's lifecycle share.
 */
import { Stack } from '@aws-sdk/client-cloudformation';
import { CodeCommitClient, GetBranchCommand, paginateListBranches } from '@aws-sdk/client-codecommit';
import { isBranchNotFound } from '../../contracts/sdk-errors/codecommit';
import { deleteSageMakerPipeline, SageMakerPipelineOutcome } from './sagemaker-pipeline';
import { deleteOwnedStack } from './stack-deletion';
import { ownedBranchStack, StackDeps, StackOutcome } from './stacks';

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
export function underCap(deps: StackDeps, existing: number, branch: string): boolean {
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
    if (isBranchNotFound(err)) return false;
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
