import { awsEvent } from '../support/fixtures';
import {
  DETAIL_TYPES,
  detailTypeOf,
  EVENT_SOURCES,
  modelPackageStateChangeSchema,
  parseOrThrow,
  pipelineExecutionStatusChangeSchema,
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

describe('detail-types and sources, defined once', () => {
  // The sample AWS publishes of each event: the constants must be what AWS sends, or no rule ever matches.
  const SAMPLES: [keyof typeof DETAIL_TYPES, keyof typeof EVENT_SOURCES, string][] = [
    ['repositoryStateChange', 'codecommit', 'codecommit-referenceCreated.json'],
    ['pullRequestStateChange', 'codecommit', 'codecommit-pullRequestMergeStatusUpdated.json'],
    ['modelPackageStateChange', 'sagemaker', 'sagemaker-model-package-state-change.json'],
    ['pipelineExecutionStatusChange', 'sagemaker', 'sagemaker-pipeline-execution-status-change.json'],
  ];

  it.each(SAMPLES)('%s from %s is what AWS sample %s carries', (type, source, name) => {
    const sample = fixture(name) as { 'detail-type': string; source: string | string[] };
    expect(sample['detail-type']).toBe(DETAIL_TYPES[type]);
    expect([sample.source].flat()).toEqual([EVENT_SOURCES[source]]);
  });

  it('the pipeline execution schema parses its sample and refuses another detail-type (the schemas use the constants)', () => {
    const sample = fixture('sagemaker-pipeline-execution-status-change.json') as Record<string, unknown>;
    const event = parseOrThrow(pipelineExecutionStatusChangeSchema, sample, 'event');
    expect(event.detail.pipelineExecutionArn).toMatch(/^arn:aws:sagemaker:/);
    expect(() =>
      parseOrThrow(
        pipelineExecutionStatusChangeSchema,
        { ...sample, 'detail-type': DETAIL_TYPES.modelPackageStateChange },
        'event',
      ),
    ).toThrow(/detail-type/);
  });

  it('every detail-type is distinct', () => {
    const values = Object.values(DETAIL_TYPES);
    expect(new Set(values).size).toBe(values.length);
  });
});
