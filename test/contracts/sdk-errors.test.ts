/**
 * The SDK error classification (contracts/sdk-errors): each classifier knows the client's own exception instance,
 * an object that carries only its name (another client version, a test double, an emulator's stand-in), and
 * refuses the errors it must not swallow.
 */
import { AlreadyExistsException, TokenAlreadyExistsException } from '@aws-sdk/client-cloudformation';
import * as CodeCommit from '@aws-sdk/client-codecommit';
import { ConditionalCheckFailedException, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { NoSuchBucket, NoSuchKey, NotFound } from '@aws-sdk/client-s3';
import { ConflictException, ResourceInUse, ResourceLimitExceeded, ResourceNotFound } from '@aws-sdk/client-sagemaker';
import { ModelNotReadyException, ValidationError as RuntimeValidationError } from '@aws-sdk/client-sagemaker-runtime';
import { ParameterNotFound, ParameterVersionNotFound } from '@aws-sdk/client-ssm';
import * as cloudformation from '../../contracts/sdk-errors/cloudformation';
import * as codecommit from '../../contracts/sdk-errors/codecommit';
import * as dynamodb from '../../contracts/sdk-errors/dynamodb';
import { isAccessDenied, sdkErrorClassifier, SdkErrorClassifier } from '../../contracts/sdk-errors/match';
import * as s3 from '../../contracts/sdk-errors/s3';
import * as sagemaker from '../../contracts/sdk-errors/sagemaker';
import * as runtime from '../../contracts/sdk-errors/sagemaker-runtime';
import * as ssm from '../../contracts/sdk-errors/ssm';

type Exception = new (opts: { message: string; $metadata: object }) => Error;
const sdk = (type: Exception, message = 'from the service') => new type({ message, $metadata: {} });
const named = (name: string, message = 'from the service') => ({ name, message });

interface Case {
  readonly classifier: (err: unknown) => boolean;
  /** Errors it must recognise: SDK instances and name-only objects. */
  readonly yes: readonly unknown[];
  /** Errors it must leave alone. */
  readonly no: readonly unknown[];
}

const CASES: Record<string, Case> = {
  isSageMakerNotFound: {
    classifier: sagemaker.isSageMakerNotFound,
    yes: [
      sdk(ResourceNotFound),
      named('ResourceNotFound'),
      named('ValidationException', 'Could not find pipeline with PipelineName x.'),
      named('ValidationException', 'ModelPackageGroup arn:aws:sagemaker:...:model-package-group/x does not exist.'),
      named('ValidationException', 'Model package arn:aws:sagemaker:...:model-package/x/1 not found'),
    ],
    no: [
      sdk(ResourceLimitExceeded),
      named('ValidationException', 'Value at pipelineName failed to satisfy constraint'),
      named('ConflictException', 'pipeline has running executions'),
      named('AccessDeniedException', 'not authorized'),
      null,
      'ResourceNotFound',
    ],
  },
  isResourceNotFound: {
    classifier: sagemaker.isResourceNotFound,
    yes: [sdk(ResourceNotFound), named('ResourceNotFound')],
    no: [named('ValidationException', 'Could not find pipeline with PipelineName x.'), sdk(ResourceInUse)],
  },
  isSageMakerConflict: {
    classifier: sagemaker.isSageMakerConflict,
    yes: [sdk(ConflictException), named('ConflictException')],
    no: [sdk(ResourceNotFound), named('ValidationException', 'conflict')],
  },
  isSageMakerAlreadyExists: {
    classifier: sagemaker.isSageMakerAlreadyExists,
    yes: [
      sdk(ResourceInUse),
      named('ResourceInUse'),
      named('ValidationException', 'Pipeline names must be unique. Pipeline with name (p) already exists.'),
    ],
    no: [sdk(ResourceNotFound, 'already exists'), named('ValidationException', 'Could not find pipeline')],
  },
  isBranchNotFound: {
    classifier: codecommit.isBranchNotFound,
    yes: [sdk(CodeCommit.BranchDoesNotExistException), named('BranchDoesNotExistException')],
    no: [
      sdk(CodeCommit.RepositoryDoesNotExistException),
      named('BranchNameRequiredException'),
      new Error('no such branch'),
    ],
  },
  isPullRequestNotFound: {
    classifier: codecommit.isPullRequestNotFound,
    yes: [
      sdk(CodeCommit.PullRequestDoesNotExistException),
      sdk(CodeCommit.RepositoryDoesNotExistException),
      sdk(CodeCommit.InvalidPullRequestIdException),
      named('PullRequestDoesNotExistException'),
      named('RepositoryDoesNotExistException'),
      named('InvalidPullRequestIdException'),
    ],
    no: [sdk(CodeCommit.BranchDoesNotExistException), named('ThrottlingException')],
  },
  isIdempotencyMismatch: {
    classifier: codecommit.isIdempotencyMismatch,
    yes: [sdk(CodeCommit.IdempotencyParameterMismatchException), named('IdempotencyParameterMismatchException')],
    no: [named('IdempotencyParameterMismatch'), sdk(CodeCommit.PullRequestDoesNotExistException)],
  },
  isConditionalCheckFailed: {
    classifier: dynamodb.isConditionalCheckFailed,
    yes: [sdk(ConditionalCheckFailedException), named('ConditionalCheckFailedException')],
    no: [sdk(ResourceNotFoundException), named('TransactionCanceledException')],
  },
  isS3ObjectNotFound: {
    classifier: s3.isS3ObjectNotFound,
    yes: [sdk(NoSuchKey), sdk(NotFound), named('NoSuchKey'), named('NotFound')],
    no: [sdk(NoSuchBucket), named('AccessDenied')],
  },
  isParameterNotFound: {
    classifier: ssm.isParameterNotFound,
    yes: [sdk(ParameterNotFound), named('ParameterNotFound')],
    no: [sdk(ParameterVersionNotFound), named('ThrottlingException')],
  },
  isTokenAlreadyUsed: {
    classifier: cloudformation.isTokenAlreadyUsed,
    yes: [sdk(TokenAlreadyExistsException), named('TokenAlreadyExistsException')],
    no: [sdk(AlreadyExistsException), named('ValidationError', 'Stack with id x does not exist')],
  },
  isStackAlreadyRequested: {
    classifier: cloudformation.isStackAlreadyRequested,
    yes: [
      sdk(AlreadyExistsException),
      sdk(TokenAlreadyExistsException),
      named('AlreadyExistsException'),
      named('TokenAlreadyExistsException'),
    ],
    no: [named('InsufficientCapabilitiesException'), named('ValidationError', 'already exists')],
  },
  isStackNotFound: {
    classifier: cloudformation.isStackNotFound,
    yes: [named('ValidationError', 'Stack with id fraud-branch does not exist')],
    no: [
      named('ValidationError', 'Template format error: unsupported structure'),
      named('StackNotFoundException', 'does not exist'),
    ],
  },
  isModelNotReady: {
    classifier: runtime.isModelNotReady,
    yes: [sdk(ModelNotReadyException), named('ModelNotReadyException')],
    no: [sdk(RuntimeValidationError), named('ServiceUnavailable')],
  },
  isTargetModelMissing: {
    classifier: runtime.isTargetModelMissing,
    yes: [
      sdk(RuntimeValidationError, 'Failed to download model data for TargetModel 1.tar.gz: not found'),
      named('ValidationError', 'Target model does not exist'),
    ],
    no: [
      sdk(RuntimeValidationError, 'Content type application/x is not supported'),
      sdk(ModelNotReadyException, 'target model not found'),
    ],
  },
  isAccessDenied: {
    classifier: isAccessDenied,
    yes: [named('AccessDeniedException', 'not authorized'), named('AccessDenied')],
    no: [named('UnauthorizedOperation'), sdk(ResourceNotFound, 'access denied'), undefined],
  },
};

describe.each(Object.entries(CASES))('%s', (_name, { classifier, yes, no }) => {
  it.each(yes.map((err) => [err]))('recognises %p', (err) => expect(classifier(err)).toBe(true));
  it.each(no.map((err) => [err]))('leaves %p alone', (err) => expect(classifier(err)).toBe(false));
});

describe('the error kinds', () => {
  const classifiers: Record<string, SdkErrorClassifier> = {
    isResourceNotFound: sagemaker.isResourceNotFound,
    isSageMakerConflict: sagemaker.isSageMakerConflict,
    isResourceInUse: sagemaker.isResourceInUse,
    isBranchNotFound: codecommit.isBranchNotFound,
    isPullRequestNotFound: codecommit.isPullRequestNotFound,
    isIdempotencyMismatch: codecommit.isIdempotencyMismatch,
    isConditionalCheckFailed: dynamodb.isConditionalCheckFailed,
    isS3ObjectNotFound: s3.isS3ObjectNotFound,
    isParameterNotFound: ssm.isParameterNotFound,
    isTokenAlreadyUsed: cloudformation.isTokenAlreadyUsed,
    isStackAlreadyRequested: cloudformation.isStackAlreadyRequested,
    isModelNotReady: runtime.isModelNotReady,
    isRuntimeValidationError: runtime.isRuntimeValidationError,
  };

  it.each(Object.entries(classifiers))('%s names each class as its instances are named', (_name, classifier) => {
    expect(classifier.kinds.length).toBeGreaterThan(0);
    for (const kind of classifier.kinds) expect(sdk(kind.type as Exception).name).toBe(kind.name);
  });

  it('a misnamed kind is caught by the check above, and misses name-only errors of its class', () => {
    const misnamed = sdkErrorClassifier({ type: NoSuchKey, name: 'NoSuchKeyException' });
    expect(sdk(NoSuchKey).name).not.toBe(misnamed.kinds[0]!.name);
    expect(misnamed(named('NoSuchKey'))).toBe(false);
    expect(misnamed(sdk(NoSuchKey))).toBe(true); // instanceof still holds
  });
});
