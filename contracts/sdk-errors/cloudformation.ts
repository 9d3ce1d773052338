/** CloudFormation's errors the callers act on (see match.ts for how errors are matched). */
import { AlreadyExistsException, TokenAlreadyExistsException } from '@aws-sdk/client-cloudformation';
import { errorMessage, errorName, sdkErrorClassifier } from './match';

const TOKEN_ALREADY_USED = { type: TokenAlreadyExistsException, name: 'TokenAlreadyExistsException' };

/** Whether this very request (its ClientRequestToken) was already made. */
export const isTokenAlreadyUsed = sdkErrorClassifier(TOKEN_ALREADY_USED);

/** CreateStack's answers when the stack exists or this very request was already made. */
export const isStackAlreadyRequested = sdkErrorClassifier(
  { type: AlreadyExistsException, name: 'AlreadyExistsException' },
  TOKEN_ALREADY_USED,
);

/**
 * Whether CloudFormation says the stack does not exist. AWS gives no code for it (StackNotFoundException is for
 * other operations): DescribeStacks answers the generic ValidationError "Stack with id <name> does not exist", so
 * the message decides.
 */
export function isStackNotFound(err: unknown): boolean {
  return errorName(err) === 'ValidationError' && /does not exist/.test(errorMessage(err));
}
