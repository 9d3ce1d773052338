/**
 * A tuned model as a definition declares it (a Tuning step whose job name the RegisterModel step records as
 * `tuning_job`, contract 2) and a parent tuning job as DescribeHyperParameterTuningJob returns it, for the retraining
 * tests. Both typed by the SDK's shapes (CreateHyperParameterTuningJobRequest, DescribeHyperParameterTuningJobResponse),
 * so the compiler checks field names and enum values against what SageMaker takes and returns.
 */
import type {
  CreateHyperParameterTuningJobRequest,
  DescribeHyperParameterTuningJobResponse,
  HyperParameterTrainingJobDefinition,
  HyperParameterTuningJobConfig,
} from '@aws-sdk/client-sagemaker';

export const IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';

export function tuningConfig(overrides: Partial<HyperParameterTuningJobConfig> = {}): HyperParameterTuningJobConfig {
  return {
    Strategy: 'Bayesian',
    HyperParameterTuningJobObjective: { Type: 'Minimize', MetricName: 'validation:rmse' },
    ResourceLimits: { MaxNumberOfTrainingJobs: 20, MaxParallelTrainingJobs: 2 },
    ParameterRanges: {
      IntegerParameterRanges: [{ Name: 'max_depth', MinValue: '3', MaxValue: '10', ScalingType: 'Auto' }],
      ContinuousParameterRanges: [{ Name: 'eta', MinValue: '0.01', MaxValue: '0.5', ScalingType: 'Logarithmic' }],
      CategoricalParameterRanges: [{ Name: 'booster', Values: ['gbtree', 'dart'] }],
    },
    TrainingJobEarlyStoppingType: 'Auto',
    ...overrides,
  };
}

export function trainingDefinition(
  overrides: Partial<HyperParameterTrainingJobDefinition> = {},
): HyperParameterTrainingJobDefinition {
  return {
    StaticHyperParameters: { objective: 'reg:squarederror', num_round: '100' },
    AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File' },
    RoleArn: 'arn:aws:iam::123456789012:role/sagemaker-pipeline',
    OutputDataConfig: { S3OutputPath: 's3://demo-artifacts/models' },
    ResourceConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 30 },
    StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    ...overrides,
  };
}

export type TuningArguments = Omit<CreateHyperParameterTuningJobRequest, 'HyperParameterTuningJobName'>;

/** A definition with one tuned model: Tuning step `TuneModel`, registered as `model` in `group`. */
export function tunedDefinition(
  args: TuningArguments = {
    HyperParameterTuningJobConfig: tuningConfig(),
    TrainingJobDefinition: trainingDefinition(),
  },
  model = 'abalone',
  group = 'model-demo',
) {
  return {
    Version: '2020-12-01',
    Steps: [
      { Name: 'TuneModel', Type: 'Tuning', Arguments: args },
      {
        Name: 'CheckMetric',
        Type: 'Condition',
        Arguments: {
          Conditions: [],
          IfSteps: [
            {
              Name: 'RegisterModel',
              Type: 'RegisterModel',
              Arguments: {
                ModelPackageGroupName: group,
                CustomerMetadataProperties: {
                  model_name: model,
                  tuning_job: { Get: 'Steps.TuneModel.HyperParameterTuningJobName' },
                },
              },
            },
          ],
          ElseSteps: [],
        },
      },
    ],
  };
}

/** A parent tuning job as DescribeHyperParameterTuningJob returns it. */
export function describedJob(
  name: string,
  overrides: Partial<DescribeHyperParameterTuningJobResponse> = {},
): DescribeHyperParameterTuningJobResponse {
  return {
    HyperParameterTuningJobName: name,
    HyperParameterTuningJobArn: `arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/${name}`,
    HyperParameterTuningJobConfig: tuningConfig(),
    TrainingJobDefinition: trainingDefinition(),
    HyperParameterTuningJobStatus: 'Completed',
    CreationTime: new Date('2026-11-01T03:00:00Z'),
    TrainingJobStatusCounters: { Completed: 20, InProgress: 0, RetryableError: 0, NonRetryableError: 0, Stopped: 0 },
    ObjectiveStatusCounters: { Succeeded: 20, Pending: 0, Failed: 0 },
    ...overrides,
  };
}
