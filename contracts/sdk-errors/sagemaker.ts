/** SageMaker's errors the callers act on (see match.ts for how errors are matched). */
import { ConflictException, ResourceInUse, ResourceNotFound } from '@aws-sdk/client-sagemaker';
import { errorMessage, errorName, isSdkError, SdkErrorKind } from './match';

export const SAGEMAKER_NOT_FOUND: readonly SdkErrorKind[] = [{ type: ResourceNotFound, name: 'ResourceNotFound' }];
export const SAGEMAKER_CONFLICT: readonly SdkErrorKind[] = [{ type: ConflictException, name: 'ConflictException' }];
export const SAGEMAKER_IN_USE: readonly SdkErrorKind[] = [{ type: ResourceInUse, name: 'ResourceInUse' }];

/**
 * Whether a SageMaker error says the resource does not exist: ResourceNotFound; or, where SageMaker gives no code
 * (DescribeModelPackage, DescribeModelPackageGroup and other older operations answer a missing resource with
 * ValidationException, which the client does not model), a ValidationException saying "does not exist" /
 * "could not find" / "not found".
 */
export function isSageMakerNotFound(err: unknown): boolean {
  return (
    isSdkError(err, SAGEMAKER_NOT_FOUND) ||
    (errorName(err) === 'ValidationException' && /does not exist|not found|could not find/i.test(errorMessage(err)))
  );
}

/** Whether SageMaker refuses because of the resource's state (a pipeline with a running execution). */
export function isSageMakerConflict(err: unknown): boolean {
  return isSdkError(err, SAGEMAKER_CONFLICT);
}

/**
 * Whether a Create call found the resource there already (a concurrent caller created it first): ResourceInUse; or,
 * where SageMaker gives no code (CreatePipeline answers a duplicate name with ValidationException "Pipeline names
 * must be unique ... already exists"), a ValidationException saying "already exists".
 */
export function isSageMakerAlreadyExists(err: unknown): boolean {
  return (
    isSdkError(err, SAGEMAKER_IN_USE) ||
    (errorName(err) === 'ValidationException' && /already exists/i.test(errorMessage(err)))
  );
}
