/** S3's errors the callers act on (see match.ts for how errors are matched). */
import { NoSuchKey, NotFound } from '@aws-sdk/client-s3';
import { sdkErrorClassifier } from './match';

/** Whether S3 says the object does not exist: GetObject answers NoSuchKey; HeadObject, which has no body, NotFound. */
export const isS3ObjectNotFound = sdkErrorClassifier(
  { type: NoSuchKey, name: 'NoSuchKey' },
  { type: NotFound, name: 'NotFound' },
);
