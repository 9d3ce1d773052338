/** Systems Manager's errors the callers act on (see match.ts for how errors are matched). */
import { ParameterNotFound } from '@aws-sdk/client-ssm';
import { isSdkError, SdkErrorKind } from './match';

export const PARAMETER_NOT_FOUND: readonly SdkErrorKind[] = [{ type: ParameterNotFound, name: 'ParameterNotFound' }];

/** Whether GetParameter says the parameter does not exist. */
export function isParameterNotFound(err: unknown): boolean {
  return isSdkError(err, PARAMETER_NOT_FOUND);
}
