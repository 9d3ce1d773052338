/**
 * Why the release function refuses, as exception classes callers and tests can tell apart. The SDK errors it expects
 * (a pull request or an execution that does not exist) are classified in contracts/sdk-errors; anything else the SDKs
 * throw (throttling, access denied, network) is left as it is: the invocation fails and is retried.
 */

/**
 * A pull request event whose claims CodeCommit does not confirm (not merged, another destination, another source
 * commit, unknown pull request, not approved): nothing is changed; logged as a forged or unreviewed event.
 */
export class UnverifiedMergeError extends Error {
  override readonly name = 'UnverifiedMergeError';
}

/** A model version whose production by the source branch's pipeline cannot be confirmed from SageMaker's own facts. */
export class ProvenanceError extends Error {
  override readonly name = 'ProvenanceError';
}

/** More than one genuine candidate for one group: the function cannot choose, so it approves none of them. */
export class AmbiguousCandidatesError extends Error {
  override readonly name = 'AmbiguousCandidatesError';
}

/** A version that was registered Approved (never through a release), or otherwise may not be approved. */
export class NotApprovableError extends Error {
  override readonly name = 'NotApprovableError';
}
