/**
 * SDK error classification, the one way the CDK app, the functions and the seed code tell the AWS errors they act on
 * from the others. An error is of a kind when it is an instance of the class the service's client exports (the
 * SDK's own answer) OR carries that class's `name` (an error deserialized by another client version, a plain object
 * from a test double or an emulator's stand-in). A message is read only where AWS gives no code, and each such check
 * says so.
 *
 * One module per service (sagemaker.ts, codecommit.ts, ...): importing an exception class loads its client, so each
 * caller loads only the clients it already uses. This module imports none.
 */

/** An exception class an SDK client exports (a subclass of its `ServiceException`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the SDK's exception constructors take (opts) of their own type
export type SdkErrorClass = abstract new (...args: any[]) => Error;

/** An error kind: the client's exception class and the `name` its instances carry. */
export interface SdkErrorKind {
  readonly type: SdkErrorClass;
  readonly name: string;
}

/** The `name` of a thrown value, when it has a string one. */
export function errorName(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { name } = err as { name?: unknown };
  return typeof name === 'string' ? name : undefined;
}

/** The `message` of a thrown value, '' when it has none. */
export function errorMessage(err: unknown): string {
  if (typeof err !== 'object' || err === null) return '';
  const { message } = err as { message?: unknown };
  return typeof message === 'string' ? message : '';
}

/** Whether `err` is one of `kinds`: an instance of its class, or an object with its name. */
export function isSdkError(err: unknown, kinds: readonly SdkErrorKind[]): boolean {
  const name = errorName(err);
  return kinds.some((kind) => err instanceof kind.type || (name !== undefined && name === kind.name));
}

/** A classifier: whether an error is of its kinds, which it names for tests and readers. */
export type SdkErrorClassifier = ((err: unknown) => boolean) & { readonly kinds: readonly SdkErrorKind[] };

/** The classifier of `kinds` (see {@link isSdkError}). */
export function sdkErrorClassifier(...kinds: SdkErrorKind[]): SdkErrorClassifier {
  return Object.assign((err: unknown) => isSdkError(err, kinds), { kinds });
}

/**
 * Whether an AWS error is IAM's refusal. No client models it as a class the services here export (SageMaker answers
 * `AccessDeniedException`, S3 `AccessDenied`, unmodelled), so the name decides. The project's roles read SageMaker
 * resources only when they carry the project's id tag (lib/constructs/isolation.ts), so for a resource named like
 * the project's this means "another project's": callers that check membership treat it as "not this project's",
 * never as a failure to retry.
 */
export function isAccessDenied(err: unknown): boolean {
  const name = errorName(err);
  return name === 'AccessDeniedException' || name === 'AccessDenied';
}
