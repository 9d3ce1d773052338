/** DynamoDB's errors the callers act on (see match.ts for how errors are matched). */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { isSdkError, SdkErrorKind } from './match';

export const CONDITIONAL_CHECK_FAILED: readonly SdkErrorKind[] = [
  { type: ConditionalCheckFailedException, name: 'ConditionalCheckFailedException' },
];

/** Whether a conditional write was refused because its condition did not hold (the item is already there). */
export function isConditionalCheckFailed(err: unknown): boolean {
  return isSdkError(err, CONDITIONAL_CHECK_FAILED);
}
