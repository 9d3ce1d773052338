/**
 * Why the release function refuses, as exception classes callers and tests can tell apart. The SDK errors it expects
 * (a pull request or an execution that does not exist) are classified in contracts/sdk-errors; anything else the SDKs
 * throw (throttling, access denied, network) is left as it is: the invocation fails and is retried.
 */
import { namedError } from '../../contracts/errors';

/**
 * A pull request event whose claims CodeCommit does not confirm (not merged, another destination, another source
 * commit, unknown pull request, not approved): nothing is changed; logged as a forged or unreviewed event.
 */
export class UnverifiedMergeError extends namedError('UnverifiedMergeError') {}

/** More than one genuine candidate for one group: the function cannot choose, so it approves none of them. */
export class AmbiguousCandidatesError extends namedError('AmbiguousCandidatesError') {}

/** A version that was registered Approved (never through a release), or otherwise may not be approved. */
export class NotApprovableError extends namedError('NotApprovableError') {}
