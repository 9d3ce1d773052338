/** S3's errors the callers act on (see match.ts for how errors are matched). */
import { NoSuchKey, NotFound } from '@aws-sdk/client-s3';
import { isSdkError, SdkErrorKind } from './match';

/** GetObject answers NoSuchKey; HeadObject, which has no body to say so, NotFound. */
export const S3_OBJECT_NOT_FOUND: readonly SdkErrorKind[] = [
  { type: NoSuchKey, name: 'NoSuchKey' },
  { type: NotFound, name: 'NotFound' },
];

/** Whether S3 says the object does not exist. */
export function isS3ObjectNotFound(err: unknown): boolean {
  return isSdkError(err, S3_OBJECT_NOT_FOUND);
}
