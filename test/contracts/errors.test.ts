import { isSageMakerNotFound } from '../../contracts/errors';

describe('isSageMakerNotFound', () => {
  it.each([
    [{ name: 'ResourceNotFound', message: 'Pipeline x does not exist' }],
    [{ name: 'ValidationException', message: 'Could not find pipeline x' }],
    [{ name: 'ValidationException', message: 'Pipeline arn:aws:sagemaker:... does not exist.' }],
  ])('recognises %j', (err) => expect(isSageMakerNotFound(err)).toBe(true));

  it.each([
    [{ name: 'ValidationException', message: 'Value at pipelineName failed to satisfy constraint' }],
    [{ name: 'ConflictException', message: 'pipeline has running executions' }],
    [{ name: 'AccessDeniedException', message: 'not authorized' }],
    [null],
    ['ResourceNotFound'],
  ])('rejects %j, which is another failure', (err) => expect(isSageMakerNotFound(err)).toBe(false));
});
