/**
 * The model package metadata contract: what the seed's RegisterModel step writes and the release function adds on
 * approval fits the one schema the readers rely on; and the schema refuses what breaks the contract.
 */
import {
  APPROVED_ARTIFACT_METADATA,
  METADATA_VALUE_MAX,
  MODEL_METADATA,
  modelMetadataSchema,
  RELEASE_METADATA,
} from '../../contracts/model-metadata';
import { formatIssues } from '../../contracts/events';
import { approvalMetadata } from '../../lambda/release-model/registry';
import { buildDefinition, STEP } from '../../sagemaker-pipeline/src/definition';
import { modelPackageRequest } from '../sagemaker-pipeline/support/model-package';
import { COMMIT, CONTEXT, seedConfig } from '../sagemaker-pipeline/support/seed';

const EXECUTION_ARN = `arn:aws:sagemaker:eu-west-1:123456789012:pipeline/${CONTEXT.pipelineName}/execution/abc123def456`;
const VALUES = {
  execution: { PipelineExecutionArn: EXECUTION_ARN, PipelineExecutionId: 'abc123def456' },
  properties: {
    [`Steps.${STEP.train}.ModelArtifacts.S3ModelArtifacts`]: 's3://bucket/model/model.tar.gz',
    [`Steps.${STEP.evaluate}.ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri`]: 's3://bucket/evaluation',
    [`Steps.${STEP.tune}.TrainingJobSummaries[0].TrainingJobName`]: 'tune-abc-001-1234',
    [`Steps.${STEP.tune}.HyperParameterTuningJobName`]: 'tune-abc',
  },
};

function problems(metadata: unknown): string | undefined {
  const parsed = modelMetadataSchema.safeParse(metadata);
  return parsed.success ? undefined : formatIssues(parsed.error);
}

describe('the model metadata contract', () => {
  const registered = () =>
    modelPackageRequest(buildDefinition(seedConfig(), CONTEXT), VALUES).CustomerMetadataProperties ?? {};

  it('accepts what the seed registers, key for key with the contract names', () => {
    const metadata = registered();
    expect(problems(metadata)).toBeUndefined();
    expect(metadata).toEqual({
      [MODEL_METADATA.commitId]: COMMIT,
      [MODEL_METADATA.branch]: CONTEXT.branch,
      [MODEL_METADATA.pipelineExecutionId]: 'abc123def456',
      [MODEL_METADATA.pipelineExecutionArn]: EXECUTION_ARN,
      [MODEL_METADATA.modelName]: 'abalone',
      [MODEL_METADATA.trigger]: 'push',
      [MODEL_METADATA.testMode]: 'false',
    });
  });

  it('accepts what a tuned, scheduled model registers', () => {
    const context = {
      ...CONTEXT,
      trigger: 'schedule' as const,
      testMode: true,
      window: { start: '2026-11-01', end: '2026-12-01' },
      warmStart: { abalone: { cold: 'no approved parent yet' } },
    };
    const metadata =
      modelPackageRequest(buildDefinition(seedConfig('examples/xgboost-tuning.yaml'), context), VALUES)
        .CustomerMetadataProperties ?? {};
    expect(metadata).toMatchObject({
      [MODEL_METADATA.tuningJob]: 'tune-abc',
      [MODEL_METADATA.trigger]: 'schedule',
      [MODEL_METADATA.testMode]: 'true',
      [MODEL_METADATA.windowStart]: '2026-11-01',
      [MODEL_METADATA.warmStart]: 'cold: no approved parent yet',
    });
    expect(problems(metadata)).toBeUndefined();
  });

  it('accepts the version once the release function approved it (release_* and the approved artifact)', () => {
    const approved = {
      ...registered(),
      ...approvalMetadata(
        { kind: 'push', branch: 'main', referenceEvent: 'referenceUpdated', eventId: 'e-1' },
        new Date('2026-12-01T10:00:00Z'),
      ),
      [APPROVED_ARTIFACT_METADATA.uri]: 's3://artifacts/approved-artifacts/model-abalone/1/model.tar.gz',
      [APPROVED_ARTIFACT_METADATA.versionId]: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY',
      [APPROVED_ARTIFACT_METADATA.sha256]: 'a'.repeat(64),
    };
    expect(approved).toMatchObject({ [RELEASE_METADATA.facts]: 'event', [RELEASE_METADATA.branch]: 'main' });
    expect(problems(approved)).toBeUndefined();
  });

  it.each([
    ['a short commit id', { [MODEL_METADATA.commitId]: 'abc123' }, /commit_id: must be a full commit id/],
    [
      'no execution',
      { [MODEL_METADATA.pipelineExecutionId]: undefined, [MODEL_METADATA.pipelineExecutionArn]: undefined },
      /must name its execution/,
    ],
    ['a trigger of no kind', { [MODEL_METADATA.trigger]: 'cron' }, /trigger: must be one of push, schedule/],
    ['test_mode not a boolean word', { [MODEL_METADATA.testMode]: 'yes' }, /test_mode: must be one of true, false/],
    [
      'a value past the limit',
      { [MODEL_METADATA.modelName]: 'm'.repeat(METADATA_VALUE_MAX + 1) },
      /model_name: must be at most 256/,
    ],
    ['a character SageMaker refuses', { data_source: 'a#b' }, /data_source: must use only letters/],
    [
      'an approved artifact that is not in S3',
      { [APPROVED_ARTIFACT_METADATA.uri]: 'https://x/y' },
      /approved_artifact_uri: must be an s3/,
    ],
    [
      'an execution ARN that is not one',
      { [MODEL_METADATA.pipelineExecutionArn]: 'arn:aws:s3:::bucket' },
      /must be a pipeline execution ARN/,
    ],
  ])('refuses %s', (_what, change, message) => {
    const metadata = Object.fromEntries(
      Object.entries({ ...registered(), ...change }).filter(([, v]) => v !== undefined),
    );
    expect(problems(metadata)).toMatch(message);
  });

  it('refuses more entries than SageMaker keeps, and a key past 128 characters', () => {
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`extra_${i}`, 'x']));
    expect(problems({ ...registered(), ...many })).toMatch(/at most 50 entries/);
    expect(problems({ ...registered(), ['k'.repeat(129)]: 'x' })).toMatch(/keys must be 1-128 characters/);
  });
});
