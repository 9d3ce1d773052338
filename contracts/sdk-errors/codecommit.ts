/** CodeCommit's errors the callers act on (see match.ts for how errors are matched). */
import {
  BranchDoesNotExistException,
  IdempotencyParameterMismatchException,
  InvalidPullRequestIdException,
  PullRequestDoesNotExistException,
  RepositoryDoesNotExistException,
} from '@aws-sdk/client-codecommit';
import { sdkErrorClassifier } from './match';

/** Whether GetBranch says the branch does not exist. */
export const isBranchNotFound = sdkErrorClassifier({
  type: BranchDoesNotExistException,
  name: 'BranchDoesNotExistException',
});

/** Whether CodeCommit says the pull request does not exist (or its repository does not, or its id cannot be one). */
export const isPullRequestNotFound = sdkErrorClassifier(
  { type: PullRequestDoesNotExistException, name: 'PullRequestDoesNotExistException' },
  { type: RepositoryDoesNotExistException, name: 'RepositoryDoesNotExistException' },
  { type: InvalidPullRequestIdException, name: 'InvalidPullRequestIdException' },
);

/** Whether a request token was already used with other parameters (a racing request with the same token won). */
export const isIdempotencyMismatch = sdkErrorClassifier({
  type: IdempotencyParameterMismatchException,
  name: 'IdempotencyParameterMismatchException',
});
