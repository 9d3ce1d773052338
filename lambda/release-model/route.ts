/**
 * What an incoming event asks of the release function, decided at the door. Events are parsed with the shared
 * schemas of AWS's documented samples; an event of this project that does not fit is rejected with the reason,
 * an event that is not about this project's main branch, repository or model package group is ignored.
 */
import { ValidationError } from '../shared/errors';
import {
  COMMIT_ID_PATTERN,
  detailTypeOf,
  modelPackageStateChangeSchema,
  parseOrThrow,
  pullRequestStateChangeSchema,
  repositoryStateChangeSchema,
} from '../shared/events';
import { branchFromRef } from '../shared/naming';
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
  /** A push to main: its head may be a squash or merge commit, which no branch trained; nothing to do. */
  | 'ignore'
  /** A direct invocation without `approve_when_registered`: the caller named a commit that has no model; tell them. */
  | 'fail';

export type ReleaseRequest =
  | {
      readonly action: 'approve-commit';
      readonly commitId: string;
      readonly trigger: ReleaseTrigger;
      readonly whenMissing: WhenMissing;
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
      trigger: { kind: 'direct-invocation' },
      whenMissing: payload.approve_when_registered === true ? 'record-intent' : 'fail',
    };
  }
  switch (detailType) {
    case 'CodeCommit Pull Request State Change':
      return routePullRequest(event, config);
    case 'CodeCommit Repository State Change':
      return routeReference(event, config);
    case 'SageMaker Model Package State Change': {
      const parsed = parseOrThrow(modelPackageStateChangeSchema, event, 'model package state change event');
      if (parsed.detail.ModelPackageGroupName !== config.modelPackageGroupName) {
        return {
          action: 'ignore',
          reason: `model package group ${parsed.detail.ModelPackageGroupName} is not this project's group ${config.modelPackageGroupName}`,
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
  if (!detail.repositoryNames.includes(config.repositoryName)) {
    return {
      action: 'ignore',
      reason: `pull request of repository ${detail.repositoryNames.join(', ')}, not ${config.repositoryName}`,
    };
  }
  const destination = branchFromRef(detail.destinationReference);
  if (destination !== config.mainBranch) {
    return { action: 'ignore', reason: `pull request into ${detail.destinationReference}, not ${config.mainBranch}` };
  }
  if (detail.event !== PULL_REQUEST_MERGED_EVENT) {
    return { action: 'ignore', reason: `pull request event ${detail.event} is not a merge` };
  }
  if (detail.isMerged !== 'True') {
    return { action: 'ignore', reason: `pull request ${detail.pullRequestId} was closed without merging` };
  }
  return {
    action: 'approve-commit',
    commitId: requireCommitId(detail.sourceCommit, 'detail.sourceCommit'),
    trigger: {
      kind: 'pull-request',
      pullRequestId: detail.pullRequestId,
      sourceBranch: branchFromRef(detail.sourceReference) ?? detail.sourceReference,
      destinationBranch: destination,
      mergeOption: detail.mergeOption,
      mergedBy: detail.callerUserArn ?? detail.author,
      eventId: id,
    },
    whenMissing: 'record-intent',
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
  return {
    action: 'approve-commit',
    commitId: requireCommitId(detail.commitId, 'detail.commitId'),
    trigger: { kind: 'push', branch, referenceEvent: detail.event, eventId: id },
    whenMissing: 'ignore',
  };
}
