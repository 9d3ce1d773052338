/**
 * Compile-time checks (run by `tsc --noEmit`, part of the test command): step Arguments are typed as the SageMaker
 * requests they become. Each `@ts-expect-error` line fails the type check if the typing stops catching the mistake.
 */
import type {
  ProcessingStep,
  RegisterModelStep,
  TrainingStep,
  TuningStep,
} from '../../sagemaker-pipeline/src/definition';
import { param } from '../../sagemaker-pipeline/src/expressions';

const processing: ProcessingStep['Arguments'] = {
  AppSpecification: { ImageUri: 'image' },
  ProcessingResources: {
    ClusterConfig: { InstanceCount: 1, InstanceType: param('ProcessingInstanceType'), VolumeSizeInGB: 30 },
  },
  RoleArn: 'arn:aws:iam::123456789012:role/x',
  // @ts-expect-error S3DataType accepts only the API's enum values
  ProcessingInputs: [{ InputName: 'x', S3Input: { S3Uri: 's3://b/k', S3DataType: 'Prefix' } }],
};

// @ts-expect-error OutputDataConfig is required by CreateTrainingJob
const training: TrainingStep['Arguments'] = {
  AlgorithmSpecification: { TrainingImage: 'image', TrainingInputMode: 'File' },
  RoleArn: 'arn:aws:iam::123456789012:role/x',
};

const register: RegisterModelStep['Arguments'] = {
  ModelPackageGroupName: 'model-x',
  // @ts-expect-error CreateModelPackage has no field CommitId at the top level
  CommitId: param('CommitId'),
};

describe('step argument types', () => {
  it('are plain request objects at run time', () => {
    expect([processing, training, register].every((a) => typeof a === 'object')).toBe(true);
  });
});

const tuning: TuningStep['Arguments'] = {
  HyperParameterTuningJobConfig: {
    // @ts-expect-error Strategy accepts only the API's enum values (Bayesian, Random, Hyperband, Grid)
    Strategy: 'Bayes',
    ResourceLimits: { MaxParallelTrainingJobs: 1 },
  },
};

describe('tuning step argument types', () => {
  it('are CreateHyperParameterTuningJob requests without the job name', () => {
    expect(typeof tuning).toBe('object');
  });
});
