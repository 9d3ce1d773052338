/**
 * Facts about a pull request from CodeCommit itself, never from the event that names it: an EventBridge event and a
 * direct invocation shaped like one look the same to a Lambda, so the event is only a hint of which pull request to
 * ask about. A merge counts when CodeCommit says (GetPullRequest) that the pull request of this repository is merged
 * into main from the claimed source commit, and (EvaluatePullRequestApprovalRules, at the pull request's revision)
 * that its approval rules are satisfied without an override.
 */
import {
  CodeCommitClient,
  EvaluatePullRequestApprovalRulesCommand,
  GetPullRequestCommand,
} from '@aws-sdk/client-codecommit';
import { branchFromRef } from '../../contracts/naming';
import { isPullRequestNotFound } from '../../contracts/sdk-errors/codecommit';
import { UnverifiedMergeError } from './errors';

/** What the event claims. */
export interface MergeClaim {
  readonly pullRequestId: string;
  readonly sourceCommit: string;
}

/** What CodeCommit confirmed. */
export interface VerifiedMerge {
  readonly pullRequestId: string;
  readonly sourceBranch: string;
  readonly destinationBranch: string;
  readonly sourceCommit: string;
  readonly mergedBy?: string;
  readonly mergeOption?: string;
  readonly mergeCommitId?: string;
  readonly revisionId: string;
  /** Names of the satisfied approval rules, for the audit trail. */
  readonly approvalRulesSatisfied: readonly string[];
}

/** CodeCommit calls {@link verifyMerge} makes (both read-only). */
export const VERIFY_MERGE_ACTIONS = ['codecommit:GetPullRequest', 'codecommit:EvaluatePullRequestApprovalRules'];

/**
 * Confirms the claimed merge with CodeCommit, or throws UnverifiedMergeError naming the first claim CodeCommit
 * contradicts. Other errors (throttling, access) propagate, so the event is retried.
 */
export async function verifyMerge(
  codecommit: CodeCommitClient,
  claim: MergeClaim,
  expected: { readonly repositoryName: string; readonly mainBranch: string },
): Promise<VerifiedMerge> {
  const refuse = (why: string) =>
    new UnverifiedMergeError(`pull request ${claim.pullRequestId}: ${why}; the event's claims were not acted on`);
  let pullRequest;
  try {
    pullRequest = (await codecommit.send(new GetPullRequestCommand({ pullRequestId: claim.pullRequestId })))
      .pullRequest;
  } catch (err) {
    if (isPullRequestNotFound(err)) throw refuse(`CodeCommit knows no such pull request (${(err as Error).name})`);
    throw err;
  }
  if (pullRequest === undefined) throw refuse('CodeCommit returned no pull request');
  const target = (pullRequest.pullRequestTargets ?? []).find((t) => t.repositoryName === expected.repositoryName);
  if (target === undefined) throw refuse(`it targets no branch of repository ${expected.repositoryName}`);
  const destination = target.destinationReference ? branchFromRef(target.destinationReference) : undefined;
  if (destination !== expected.mainBranch) {
    throw refuse(
      `its destination is ${target.destinationReference ?? '(none)'}, not refs/heads/${expected.mainBranch}`,
    );
  }
  if (target.mergeMetadata?.isMerged !== true) throw refuse(`CodeCommit says it is not merged`);
  if (target.sourceCommit !== claim.sourceCommit) {
    throw refuse(
      `the event claims source commit ${claim.sourceCommit}, CodeCommit says ${target.sourceCommit ?? '(none)'}`,
    );
  }
  const sourceBranch = target.sourceReference ? branchFromRef(target.sourceReference) : undefined;
  if (sourceBranch === undefined) throw refuse(`its source ${target.sourceReference ?? '(none)'} is not a branch`);
  const revisionId = pullRequest.revisionId;
  if (revisionId === undefined) throw refuse('CodeCommit returned no revision id');
  const { evaluation } = await codecommit.send(
    new EvaluatePullRequestApprovalRulesCommand({ pullRequestId: claim.pullRequestId, revisionId }),
  );
  if (evaluation?.overridden === true) throw refuse('its approval rules were overridden, so it was not reviewed');
  if (evaluation?.approved !== true) {
    throw refuse(
      `its approval rules are not satisfied (not satisfied: ${(evaluation?.approvalRulesNotSatisfied ?? []).join(', ') || '(unknown)'})`,
    );
  }
  return {
    pullRequestId: claim.pullRequestId,
    sourceBranch,
    destinationBranch: destination,
    sourceCommit: target.sourceCommit,
    mergedBy: target.mergeMetadata.mergedBy,
    mergeOption: target.mergeMetadata.mergeOption,
    mergeCommitId: target.mergeMetadata.mergeCommitId,
    revisionId,
    approvalRulesSatisfied: evaluation.approvalRulesSatisfied ?? [],
  };
}
