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

/**
 * Whether a SageMaker error says the resource does not exist: SageMaker answers ResourceNotFound; some operations,
 * versions and emulators answer ValidationException "does not exist" / "could not find" / "not found".
 */
export function isSageMakerNotFound(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { name, message } = err as { name?: unknown; message?: unknown };
  return (
    name === 'ResourceNotFound' ||
    (name === 'ValidationException' &&
      typeof message === 'string' &&
      /does not exist|not found|could not find/i.test(message))
  );
}

/**
 * Whether an AWS error is IAM's refusal. The project's roles read SageMaker resources only when they carry the
 * project's id tag (lib/constructs/isolation.ts), so for a resource named like the project's this means "another
 * project's": callers that check membership treat it as "not this project's", never as a failure to retry.
 */
export function isAccessDenied(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { name } = err as { name?: unknown };
  return name === 'AccessDeniedException' || name === 'AccessDenied';
}
