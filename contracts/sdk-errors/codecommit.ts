/** CodeCommit's errors the callers act on (see match.ts for how errors are matched). */
import {
  BranchDoesNotExistException,
  IdempotencyParameterMismatchException,
  InvalidPullRequestIdException,
  PullRequestDoesNotExistException,
  RepositoryDoesNotExistException,
} from '@aws-sdk/client-codecommit';
import { isSdkError, SdkErrorKind } from './match';

export const BRANCH_NOT_FOUND: readonly SdkErrorKind[] = [
  { type: BranchDoesNotExistException, name: 'BranchDoesNotExistException' },
];
/** A pull request that does not exist (or whose repository does not, or whose id cannot be one). */
export const PULL_REQUEST_NOT_FOUND: readonly SdkErrorKind[] = [
  { type: PullRequestDoesNotExistException, name: 'PullRequestDoesNotExistException' },
  { type: RepositoryDoesNotExistException, name: 'RepositoryDoesNotExistException' },
  { type: InvalidPullRequestIdException, name: 'InvalidPullRequestIdException' },
];
export const IDEMPOTENCY_MISMATCH: readonly SdkErrorKind[] = [
  { type: IdempotencyParameterMismatchException, name: 'IdempotencyParameterMismatchException' },
];

/** Whether GetBranch says the branch does not exist. */
export function isBranchNotFound(err: unknown): boolean {
  return isSdkError(err, BRANCH_NOT_FOUND);
}

/** Whether CodeCommit says the pull request (or its repository) does not exist. */
export function isPullRequestNotFound(err: unknown): boolean {
  return isSdkError(err, PULL_REQUEST_NOT_FOUND);
}

/** Whether a request token was already used with other parameters (a racing request with the same token won). */
export function isIdempotencyMismatch(err: unknown): boolean {
  return isSdkError(err, IDEMPOTENCY_MISMATCH);
}
