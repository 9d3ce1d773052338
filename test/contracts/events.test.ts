import { awsEvent } from '../support/fixtures';
import {
  detailTypeOf,
  modelPackageStateChangeSchema,
  parseOrThrow,
  pullRequestStateChangeSchema,
  repositoryStateChangeSchema,
} from '../../contracts/events';
import { ValidationError } from '../../contracts/errors';

const fixture = (name: string): unknown => awsEvent(name);

describe('event schemas on the documented samples', () => {
  it.each(['codecommit-referenceCreated.json', 'codecommit-referenceUpdated.json', 'codecommit-referenceDeleted.json'])(
    'parses %s as a repository state change',
    (name) => {
      const event = parseOrThrow(repositoryStateChangeSchema, fixture(name), 'event');
      expect(event.detail.repositoryName).toBe('MyDemoRepo');
      expect(event.detail.referenceFullName).toBe('refs/heads/myBranch');
    },
  );

  it.each([
    'codecommit-pullRequestCreated.json',
    'codecommit-pullRequestMergeStatusUpdated.json',
    'codecommit-pullRequestSourceBranchUpdated.json',
    'codecommit-pullRequestStatusChanged.json',
  ])('parses %s as a pull request state change', (name) => {
    const event = parseOrThrow(pullRequestStateChangeSchema, fixture(name), 'event');
    expect(event.detail.destinationReference).toMatch(/^refs\/heads\//);
  });

  it('parses the SageMaker model package sample, whose source is an array as published', () => {
    const event = parseOrThrow(
      modelPackageStateChangeSchema,
      fixture('sagemaker-model-package-state-change.json'),
      'e',
    );
    expect(event.detail.ModelPackageGroupName).toBe('versionedmp-p-idy6c3e1fiqj');
  });

  it('rejects a pull request event whose isMerged is a boolean, naming the field', () => {
    const event = fixture('codecommit-pullRequestMergeStatusUpdated.json') as { detail: Record<string, unknown> };
    event.detail.isMerged = true;
    expect(() => parseOrThrow(pullRequestStateChangeSchema, event, 'event')).toThrow(
      expect.objectContaining({ name: ValidationError.name, message: expect.stringContaining('detail.isMerged') }),
    );
  });

  it('reads the detail-type, and nothing from a direct invocation', () => {
    expect(detailTypeOf(fixture('codecommit-referenceCreated.json'))).toBe('CodeCommit Repository State Change');
    expect(detailTypeOf({ commit_id: 'abc' })).toBeUndefined();
    expect(detailTypeOf(null)).toBeUndefined();
  });
});
