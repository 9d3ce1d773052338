/** DynamoDB's errors the callers act on (see match.ts for how errors are matched). */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { sdkErrorClassifier } from './match';

/** Whether a conditional write was refused because its condition did not hold (the item is already there). */
export const isConditionalCheckFailed = sdkErrorClassifier({
  type: ConditionalCheckFailedException,
  name: 'ConditionalCheckFailedException',
});
