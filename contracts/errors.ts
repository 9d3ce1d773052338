/**
 * Typed errors for the cases callers act on. A Lambda that throws lets the asynchronous invocation retry and
 * finally send the event to its dead-letter queue; `ValidationError` means retrying cannot help.
 */

/**
 * The base of a typed error: an Error whose `name` is `name` (logs and the Lambda error report show it; callers
 * tell the errors apart with `instanceof`). `class RetryLaterError extends namedError('RetryLaterError') {}`.
 */
export function namedError<N extends string>(name: N) {
  return class extends Error {
    override readonly name: N = name;
  };
}

export class ValidationError extends namedError('ValidationError') {}

/** The resource is in a state that will change by itself (a stack mid-transition): try again later. */
export class RetryLaterError extends namedError('RetryLaterError') {}

export class NotFoundError extends namedError('NotFoundError') {}

/** The request conflicts with what exists (a resource this project does not own, a rejected model version). */
export class ConflictError extends namedError('ConflictError') {}

/** The name and message of any thrown value, for logs. */
export function describeError(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'NonError', message: String(err) };
}
