/**
 * Typed errors for the cases callers act on. A Lambda that throws lets the asynchronous invocation retry and
 * finally send the event to its dead-letter queue; `ValidationError` means retrying cannot help.
 */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
}

/** The resource is in a state that will change by itself (a stack mid-transition): try again later. */
export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';
}

export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** The request conflicts with what exists (a resource this project does not own, a rejected model version). */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

/** The name and message of any thrown value, for logs. */
export function describeError(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'NonError', message: String(err) };
}
