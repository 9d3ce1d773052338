/** SageMaker Runtime's errors the callers act on (see match.ts for how errors are matched). */
import { ModelNotReadyException, ValidationError } from '@aws-sdk/client-sagemaker-runtime';
import { errorMessage, isSdkError, SdkErrorKind } from './match';

export const MODEL_NOT_READY: readonly SdkErrorKind[] = [
  { type: ModelNotReadyException, name: 'ModelNotReadyException' },
];
export const RUNTIME_VALIDATION: readonly SdkErrorKind[] = [{ type: ValidationError, name: 'ValidationError' }];

/** Whether the multi-model endpoint is still loading the model (retry after a while). */
export function isModelNotReady(err: unknown): boolean {
  return isSdkError(err, MODEL_NOT_READY);
}

/**
 * Whether InvokeEndpoint says the TargetModel does not exist (a pruned or withdrawn version). AWS gives no code of
 * its own: a ValidationError whose message names the target model or says "not found" / "does not exist".
 */
export function isTargetModelMissing(err: unknown): boolean {
  return isSdkError(err, RUNTIME_VALIDATION) && /target ?model|not found|does not exist/i.test(errorMessage(err));
}
