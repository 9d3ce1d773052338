/** Systems Manager's errors the callers act on (see match.ts for how errors are matched). */
import { ParameterNotFound } from '@aws-sdk/client-ssm';
import { sdkErrorClassifier } from './match';

/** Whether GetParameter says the parameter does not exist. */
export const isParameterNotFound = sdkErrorClassifier({ type: ParameterNotFound, name: 'ParameterNotFound' });
