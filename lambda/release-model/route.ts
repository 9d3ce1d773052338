/**
 * What an incoming event asks of the release function, decided at the door. Events are parsed with the shared
 * schemas of AWS's documented samples; an event of this project that does not fit is rejected with the reason,
 * an event that is not about this project's main branch, repository or model package group is ignored.
 */
import { ValidationError } from '../../contracts/errors';
import { COMMIT_ID_PATTERN } from '../../contracts/patterns';
import {
  DETAIL_TYPES,
  detailTypeOf,
  modelPackageStateChangeSchema,
  parseOrThrow,
  pullRequestNotIntoMain,
  pullRequestStateChangeSchema,
  repositoryStateChangeSchema,
} from '../../contracts/events';
import { branchFromRef } from '../../contracts/naming';
import { ReleaseConfig } from './config';
import { parseDirectInvocation } from './payload';
import { ReleaseTrigger } from './registry';

/** What to do when no model version exists for the commit. */
export type WhenMissing =
  /**
   * A merge (or a direct invocation with `approve_when_registered`): remember it and approve the version once
   * registered.
   */
  | 'record-intent'
  /**
   * A push to main (only with approveOnPushToMain): its head may be a squash or merge commit, which no branch
   * trained; nothing to do.
   */
  | 'ignore'
  /** A direct invocation without `approve_when_registered`: the caller named a commit that has no model; tell them. */
  | 'fail';

export type ReleaseRequest =
  | {
      readonly action: 'approve-commit';
      readonly commitId: string;
      readonly trigger: ReleaseTrigger;
      /** Only this branch's pipeline's versions count; undefined: any one pipeline. */
      readonly sourceBranch?: string;
      readonly whenMissing: WhenMissing;
    }
  /**
   * A pull request merge event: a hint of which pull request to ask CodeCommit about, never a fact. The event's
   * claims are compared with CodeCommit's answer.
   */
  | {
      readonly action: 'verify-merge';
      readonly pullRequestId: string;
      readonly sourceCommit: string;
      readonly eventId: string;
    }
  | { readonly action: 'model-registered'; readonly modelPackageArn: string; readonly eventId: string }
  | { readonly action: 'ignore'; readonly reason: string };

export const PULL_REQUEST_MERGED_EVENT = 'pullRequestMergeStatusUpdated';
const MAIN_REFERENCE_EVENTS = ['referenceCreated', 'referenceUpdated'];

function requireCommitId(value: string | undefined, field: string): string {
  if (value === undefined || !COMMIT_ID_PATTERN.test(value)) {
    throw new ValidationError(`${field} ${JSON.stringify(value)} is not a full commit id (40 lowercase hex digits)`);
  }
  return value;
}

export function routeEvent(event: unknown, config: ReleaseConfig): ReleaseRequest {
  const detailType = detailTypeOf(event);
  if (detailType === undefined) {
    const payload = parseDirectInvocation(event);
    return {
      action: 'approve-commit',
      commitId: payload.commit_id,
      trigger:
        payload.source_branch === undefined
          ? { kind: 'direct-invocation' }
          : { kind: 'direct-invocation', sourceBranch: payload.source_branch },
      sourceBranch: payload.source_branch,
      whenMissing: payload.approve_when_registered === true ? 'record-intent' : 'fail',
    };
  }
  switch (detailType) {
    case DETAIL_TYPES.pullRequestStateChange:
      return routePullRequest(event, config);
    case DETAIL_TYPES.repositoryStateChange:
      return routeReference(event, config);
    case DETAIL_TYPES.modelPackageStateChange: {
      const parsed = parseOrThrow(modelPackageStateChangeSchema, event, 'model package state change event');
      const group = parsed.detail.ModelPackageGroupName;
      // Names only narrow the search (contract 1): membership is the group's project id tag, checked before indexing.
      if (group !== config.modelPackageGroupName && !group.startsWith(`${config.modelPackageGroupName}-`)) {
        return {
          action: 'ignore',
          reason: `model package group ${group} is not one of this project's groups (${config.modelPackageGroupName}, ${config.modelPackageGroupName}-<model>)`,
        };
      }
      return { action: 'model-registered', modelPackageArn: parsed.detail.ModelPackageArn, eventId: parsed.id };
    }
    default:
      return { action: 'ignore', reason: `events of detail-type ${JSON.stringify(detailType)} are not handled` };
  }
}

function routePullRequest(event: unknown, config: ReleaseConfig): ReleaseRequest {
  const { id, detail } = parseOrThrow(pullRequestStateChangeSchema, event, 'pull request state change event');
  const elsewhere = pullRequestNotIntoMain(detail, config.repositoryName, config.mainBranch);
  if (elsewhere !== undefined) return { action: 'ignore', reason: elsewhere };
  if (detail.event !== PULL_REQUEST_MERGED_EVENT) {
    return { action: 'ignore', reason: `pull request event ${detail.event} is not a merge` };
  }
  if (detail.isMerged !== 'True') {
    return { action: 'ignore', reason: `pull request ${detail.pullRequestId} was closed without merging` };
  }
  return {
    action: 'verify-merge',
    pullRequestId: detail.pullRequestId,
    sourceCommit: requireCommitId(detail.sourceCommit, 'detail.sourceCommit'),
    eventId: id,
  };
}

function routeReference(event: unknown, config: ReleaseConfig): ReleaseRequest {
  const { id, detail } = parseOrThrow(repositoryStateChangeSchema, event, 'repository state change event');
  if (detail.repositoryName !== config.repositoryName) {
    return { action: 'ignore', reason: `push to repository ${detail.repositoryName}, not ${config.repositoryName}` };
  }
  const branch =
    detail.referenceFullName !== undefined ? branchFromRef(detail.referenceFullName) : detail.referenceName;
  if (detail.referenceType !== 'branch' || branch !== config.mainBranch) {
    return {
      action: 'ignore',
      reason: `reference ${detail.referenceFullName ?? detail.referenceName ?? '(none)'} is not the main branch`,
    };
  }
  if (!MAIN_REFERENCE_EVENTS.includes(detail.event)) {
    return { action: 'ignore', reason: `reference event ${detail.event} on ${branch} approves nothing` };
  }
  const commitId = requireCommitId(detail.commitId, 'detail.commitId');
  if (!config.approveOnPushToMain) {
    return {
      action: 'ignore',
      reason:
        `a push to ${branch} approves nothing (approveOnPushToMain is off): only a reviewed pull request merge, ` +
        'confirmed with CodeCommit, approves a model',
    };
  }
  return {
    action: 'approve-commit',
    commitId,
    trigger: { kind: 'push', branch, referenceEvent: detail.event, eventId: id },
    whenMissing: 'ignore',
  };
}
