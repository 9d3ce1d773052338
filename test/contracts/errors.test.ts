import { ConflictError, describeError, namedError, RetryLaterError, ValidationError } from '../../contracts/errors';
import { UnverifiedMergeError } from '../../lambda/release-model/errors';

describe('typed errors', () => {
  it.each([
    [new ValidationError('bad'), ValidationError, 'ValidationError'],
    [new RetryLaterError('later'), RetryLaterError, 'RetryLaterError'],
    [new UnverifiedMergeError('forged'), UnverifiedMergeError, 'UnverifiedMergeError'],
  ])('%p is its class, an Error, and carries its name', (err, type, name) => {
    expect(err).toBeInstanceOf(type);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe(name);
    expect(describeError(err)).toEqual({ name, message: err.message });
  });

  it('tells the classes apart: one typed error is not another', () => {
    expect(new RetryLaterError('x')).not.toBeInstanceOf(ConflictError);
    // Two classes made from the same name are still two classes.
    class A extends namedError('Same') {}
    class B extends namedError('Same') {}
    expect(new A('x')).not.toBeInstanceOf(B);
  });

  it('describes a thrown non-Error', () => {
    expect(describeError('plain')).toEqual({ name: 'NonError', message: 'plain' });
  });
});
