/** SageMaker's errors the callers act on (see match.ts for how errors are matched). */
import { ConflictException, ResourceInUse, ResourceNotFound } from '@aws-sdk/client-sagemaker';
import { errorMessage, errorName, sdkErrorClassifier } from './match';

/** ResourceNotFound, the modelled "no such resource". */
export const isResourceNotFound = sdkErrorClassifier({ type: ResourceNotFound, name: 'ResourceNotFound' });

/** Whether SageMaker refuses because of the resource's state (a pipeline with a running execution). */
export const isSageMakerConflict = sdkErrorClassifier({ type: ConflictException, name: 'ConflictException' });

/** ResourceInUse, the modelled "it is there already". */
export const isResourceInUse = sdkErrorClassifier({ type: ResourceInUse, name: 'ResourceInUse' });

/** A ValidationException (which the client does not model) whose message matches `pattern`. */
function isValidationSaying(err: unknown, pattern: RegExp): boolean {
  return errorName(err) === 'ValidationException' && pattern.test(errorMessage(err));
}

/**
 * Whether a SageMaker error says the resource does not exist: ResourceNotFound; or, where SageMaker gives no code
 * (DescribeModelPackage, DescribeModelPackageGroup and other older operations answer a missing resource with
 * ValidationException), a ValidationException saying "does not exist" / "could not find" / "not found".
 */
export function isSageMakerNotFound(err: unknown): boolean {
  return isResourceNotFound(err) || isValidationSaying(err, /does not exist|not found|could not find/i);
}

/**
 * Whether a Create call found the resource there already (a concurrent caller created it first): ResourceInUse; or,
 * where SageMaker gives no code (CreatePipeline answers a duplicate name with ValidationException "Pipeline names
 * must be unique ... already exists"), a ValidationException saying "already exists".
 */
export function isSageMakerAlreadyExists(err: unknown): boolean {
  return isResourceInUse(err) || isValidationSaying(err, /already exists/i);
}
