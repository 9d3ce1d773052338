/** SageMaker Runtime's errors the callers act on (see match.ts for how errors are matched). */
import { ModelNotReadyException, ValidationError } from '@aws-sdk/client-sagemaker-runtime';
import { errorMessage, sdkErrorClassifier } from './match';

/** Whether the multi-model endpoint is still loading the model (retry after a while). */
export const isModelNotReady = sdkErrorClassifier({ type: ModelNotReadyException, name: 'ModelNotReadyException' });

/** The runtime's ValidationError, which says no more than that in its name. */
export const isRuntimeValidationError = sdkErrorClassifier({ type: ValidationError, name: 'ValidationError' });

/**
 * Whether InvokeEndpoint says the TargetModel does not exist (a pruned or withdrawn version). AWS gives no code of
 * its own: a ValidationError whose message names the target model or says "not found" / "does not exist".
 */
export function isTargetModelMissing(err: unknown): boolean {
  return isRuntimeValidationError(err) && /target ?model|not found|does not exist/i.test(errorMessage(err));
}
