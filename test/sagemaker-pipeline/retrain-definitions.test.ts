/**
 * The four retraining cases of the issue, from the registry to the definition `run.js` submits: first run (cold),
 * warm from one parent, warm from an incompatible parent (cold + reason), test mode. The context comes from planRun
 * (mocked registry); the definition is the real compiler's (`buildDefinition`, checked for broken references as
 * run.js does) for the seed's `examples/xgboost-tuning.yaml` on `main`. Each definition validates against AWS's
 * published schema with its documented gaps (and the WarmStartConfig defect found here, named in support/schema.ts),
 * its Tuning step against botocore's CreateHyperParameterTuningJob shape, and its registration (expressions resolved
 * as SageMaker would) against CreateModelPackage with the metadata a scheduled run records.
 *
 * What this cannot prove: that SageMaker accepts the parent at run time (moto and the mock answer what they are told;
 * the restrictions are SageMaker's documented ones, unit-tested in retrain.test.ts).
 */
import {
  DescribeHyperParameterTuningJobCommand,
  DescribeHyperParameterTuningJobResponse,
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  ListModelPackagesCommand,
  ListTagsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { mainPipelineName } from '../../contracts/naming';
import { assertReferences } from '../../sagemaker-pipeline/src/check';
import {
  PipelineDefinition,
  RunContext,
  STEP,
  Step,
  TuningStep,
  buildDefinition,
  warmStartConfigOf,
  warmStartRecord,
} from '../../sagemaker-pipeline/src/definition';
import { modelPackageRequest } from './support/model-package';
import { planRun, readRetrainSettings, tunedModelsOf } from '../../sagemaker-pipeline/src/retrain';
import { SCHEMA_GAPS, definitionValidator } from './support/schema';
import { CONTEXT, seedConfig } from './support/seed';
import { shapeProblems } from './support/shapes';

const sagemaker = mockClient(SageMakerClient);
const client = new SageMakerClient({ region: 'us-east-1' });
const CONFIG = seedConfig('examples/xgboost-tuning.yaml');
const PROJECT_ID = 'p-abc123';
const MAIN: RunContext = {
  ...CONTEXT,
  branch: 'main',
  pipelineName: mainPipelineName(CONTEXT.projectName),
  projectId: PROJECT_ID,
};
const GROUP = MAIN.modelPackageGroupName;
const PARENT_VERSION = `arn:aws:sagemaker:eu-west-1:123456789012:model-package/${GROUP}/3`;
const SLOT = { TRIGGER: 'schedule', SCHEDULED_TIME: '2026-12-01T03:00:00Z' };
const WINDOW = { window_start: '2026-11-01', window_end: '2026-12-01' };

/** A deep copy as plain JSON, as the service receives it. */
const asJson = <T>(value: T): any => JSON.parse(JSON.stringify(value)); // eslint-disable-line @typescript-eslint/no-explicit-any

/** What run.js builds: the compiler's definition for the context, its references checked. */
function build(extra: Partial<RunContext>): PipelineDefinition {
  const definition = buildDefinition(CONFIG, { ...MAIN, ...extra });
  assertReferences(definition);
  return definition;
}

function tuningStep(definition: PipelineDefinition): TuningStep {
  const all = (steps: readonly Step[]): Step[] =>
    steps.flatMap((s) =>
      s.Type === 'Condition' ? [s, ...all([...s.Arguments.IfSteps, ...s.Arguments.ElseSteps])] : [s],
    );
  const found = all(definition.Steps).find((s) => s.Name === STEP.tune);
  if (found === undefined) throw new Error(`no step ${STEP.tune}`);
  return found as TuningStep;
}

/** A parent as DescribeHyperParameterTuningJob returns the job an earlier run of this definition created. */
function parentJob(
  name: string,
  overrides: Partial<DescribeHyperParameterTuningJobResponse> = {},
): DescribeHyperParameterTuningJobResponse {
  const args = asJson(tuningStep(build({ trigger: 'push' })).Arguments);
  return {
    HyperParameterTuningJobName: name,
    HyperParameterTuningJobArn: `arn:aws:sagemaker:eu-west-1:123456789012:hyper-parameter-tuning-job/${name}`,
    HyperParameterTuningJobConfig: args.HyperParameterTuningJobConfig,
    TrainingJobDefinition: args.TrainingJobDefinition,
    HyperParameterTuningJobStatus: 'Completed',
    CreationTime: new Date('2026-11-01T03:00:00Z'),
    TrainingJobStatusCounters: { Completed: 12, InProgress: 0, RetryableError: 0, NonRetryableError: 0, Stopped: 0 },
    ObjectiveStatusCounters: { Succeeded: 12, Pending: 0, Failed: 0 },
    ...overrides,
  };
}

function registryWith(parent: DescribeHyperParameterTuningJobResponse | 'no group'): void {
  sagemaker.reset();
  if (parent === 'no group') {
    sagemaker
      .on(DescribeModelPackageGroupCommand)
      .rejects(Object.assign(new Error(`ModelPackageGroup ${GROUP} does not exist.`), { name: 'ValidationException' }));
    return;
  }
  sagemaker
    .on(DescribeModelPackageGroupCommand)
    .resolves({ ModelPackageGroupArn: `arn:aws:sagemaker:eu-west-1:123456789012:model-package-group/${GROUP}` });
  sagemaker.on(ListTagsCommand).resolves({ Tags: [{ Key: 'sagemaker:project-id', Value: PROJECT_ID }] });
  sagemaker.on(ListModelPackagesCommand).resolves({
    ModelPackageSummaryList: [
      {
        ModelPackageArn: PARENT_VERSION,
        ModelPackageVersion: 3,
        ModelApprovalStatus: 'Approved',
        ModelPackageGroupName: GROUP,
        CreationTime: new Date(),
        ModelPackageStatus: 'Completed',
      },
    ],
  });
  sagemaker.on(DescribeModelPackageCommand).resolves({
    CustomerMetadataProperties: { commit_id: 'b'.repeat(40), tuning_job: parent.HyperParameterTuningJobName ?? '' },
  });
  sagemaker.on(DescribeHyperParameterTuningJobCommand).resolves(parent);
}

async function planned(env: NodeJS.ProcessEnv) {
  const contexts: Partial<RunContext>[] = [];
  const plan = await planRun(
    (extra) => (contexts.push(extra), build(extra)),
    readRetrainSettings(env),
    { commit: MAIN.commit, projectId: PROJECT_ID, pipelineName: MAIN.pipelineName },
    () => client,
  );
  return { ...plan, contexts };
}

/** The registration SageMaker would make, expressions resolved for one execution. */
function registration(definition: PipelineDefinition) {
  return modelPackageRequest(definition, {
    execution: {
      PipelineExecutionArn: `arn:aws:sagemaker:eu-west-1:123456789012:pipeline/${MAIN.pipelineName}/execution/abc123def456`,
      PipelineExecutionId: 'abc123def456',
    },
    properties: {
      [`Steps.${STEP.evaluate}.ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri`]: 's3://bucket/evaluation',
      [`Steps.${STEP.tune}.TrainingJobSummaries[0].TrainingJobName`]: 'tune-new-001-1234',
      [`Steps.${STEP.tune}.HyperParameterTuningJobName`]: 'tune-new',
    },
  });
}

/** The metadata a scheduled run's version records (contract 2). */
const scheduledRecord = (testMode: boolean, warmStart: string) => ({
  trigger: 'schedule',
  test_mode: String(testMode),
  tuning_job: 'tune-new',
  ...WINDOW,
  warm_start: warmStart,
});

/** Schema (documented gaps admitted), botocore shapes of the Tuning step and of the registration. */
function checkShapes(definition: PipelineDefinition) {
  expect(definitionValidator()(asJson(definition))).toEqual({ valid: true, errors: [] });
  const args = { ...asJson(tuningStep(definition).Arguments), HyperParameterTuningJobName: 'tune-new' };
  expect(shapeProblems(args, 'CreateHyperParameterTuningJobRequest')).toEqual([]);
  const request = registration(definition);
  expect(shapeProblems(request, 'CreateModelPackageInput', false)).toEqual([]);
  return request;
}

describe('retraining definitions of examples/xgboost-tuning.yaml (the real compiler)', () => {
  it('finds the tuned model the compiler declares: its Tuning step and the group its RegisterModel records', () => {
    const [plan, ...others] = tunedModelsOf(build({ trigger: 'schedule' }));
    expect(others).toEqual([]);
    expect(plan).toMatchObject({ model: 'abalone', groupName: GROUP, stepName: STEP.tune });
    expect(plan?.request.HyperParameterTuningJobConfig?.HyperParameterTuningJobObjective).toEqual({
      Type: 'Minimize',
      MetricName: 'validation:rmse',
    });
  });

  it('first run: cold, no WarmStartConfig, and the reason recorded', async () => {
    registryWith('no group');
    const { definition, context } = await planned(SLOT);
    expect(context.warmStart).toEqual({
      abalone: { cold: `first run: model package group ${GROUP} does not exist yet` },
    });
    expect(tuningStep(definition).Arguments).not.toHaveProperty('WarmStartConfig');
    const request = checkShapes(definition);
    expect(request.CustomerMetadataProperties).toMatchObject(
      scheduledRecord(false, `cold: first run: model package group ${GROUP} does not exist yet`),
    );
  });

  it('warm from one parent: the WarmStartConfig names the recorded tuning job', async () => {
    registryWith(parentJob('tune-recorded'));
    const { definition, context, contexts } = await planned(SLOT);
    // Built once cold to find the tuned models, then with the parents.
    expect(contexts.map((c) => c.warmStart)).toEqual([undefined, context.warmStart]);
    expect(tuningStep(definition).Arguments.WarmStartConfig).toEqual({
      ParentHyperParameterTuningJobs: [{ HyperParameterTuningJobName: 'tune-recorded' }],
      WarmStartType: 'TransferLearning',
    });
    const request = checkShapes(definition);
    expect(request.CustomerMetadataProperties).toMatchObject(scheduledRecord(false, 'tune-recorded'));
    // The published schema rejects it only for its WarmStartConfig defect.
    const published = definitionValidator(
      Object.keys(SCHEMA_GAPS).filter((g) => g !== 'WarmStartConfig TargetObjectiveMetricValue'),
    );
    const errors = published(asJson(definition)).errors;
    expect(errors).toContainEqual(
      expect.stringContaining(
        "/Steps/1/Arguments/WarmStartConfig must have required property 'TargetObjectiveMetricValue'",
      ),
    );
    // Every error is the Tuning step's (the oneOf over step types that follows from it), none elsewhere.
    expect(errors.filter((e) => !/^\/Steps\/1[ /]/.test(e))).toEqual([]);
  });

  it('warm from an incompatible parent: cold with the reason, no WarmStartConfig', async () => {
    const own = parentJob('x').HyperParameterTuningJobConfig;
    registryWith(
      parentJob('tune-other-objective', {
        HyperParameterTuningJobConfig: {
          ...own!,
          HyperParameterTuningJobObjective: { Type: 'Minimize', MetricName: 'validation:mae' },
        },
      }),
    );
    const { definition, context } = await planned(SLOT);
    const reason =
      'no warm-startable parent: version 3: tuning job tune-other-objective has a different objective ' +
      '(Minimize validation:mae, now Minimize validation:rmse)';
    expect(context.warmStart).toEqual({ abalone: { cold: reason } });
    expect(tuningStep(definition).Arguments).not.toHaveProperty('WarmStartConfig');
    const request = checkShapes(definition);
    // Characters SageMaker does not take in metadata values ("(", ")", ",") become "-".
    expect(request.CustomerMetadataProperties?.warm_start).toBe(`cold: ${reason.replace(/[(),]/g, '-')}`);
  });

  it('test mode: one training job, still warm-started from the recorded parent, recorded as test mode', async () => {
    registryWith(parentJob('tune-recorded'));
    const { definition, context } = await planned({ ...SLOT, TEST_MODE: 'true' });
    expect(context).toMatchObject({
      trigger: 'schedule',
      testMode: true,
      window: { start: '2026-11-01', end: '2026-12-01' },
    });
    const args = tuningStep(definition).Arguments;
    expect(args.HyperParameterTuningJobConfig?.ResourceLimits).toEqual({
      MaxNumberOfTrainingJobs: 1,
      MaxParallelTrainingJobs: 1,
    });
    expect(args.WarmStartConfig?.ParentHyperParameterTuningJobs).toEqual([
      { HyperParameterTuningJobName: 'tune-recorded' },
    ]);
    const request = checkShapes(definition);
    expect(request.CustomerMetadataProperties).toMatchObject(scheduledRecord(true, 'tune-recorded'));
  });

  it('an S3 source does not make the data windowed: the same commit and image warm-start IdenticalDataAndAlgorithm', async () => {
    registryWith(parentJob('tune-recorded'));
    sagemaker.on(DescribeModelPackageCommand).resolves({
      CustomerMetadataProperties: {
        commit_id: MAIN.commit,
        tuning_job: 'tune-recorded',
        window_start: '2026-10-01',
        window_end: '2026-11-01',
      },
    });
    const { context } = await planned(SLOT);
    expect(context.warmStart).toEqual({
      abalone: { parents: ['tune-recorded'], type: 'IdenticalDataAndAlgorithm' },
    });
  });

  it('never renders an empty WarmStartConfig, nor more parents than SageMaker takes', () => {
    expect(warmStartConfigOf(undefined)).toBeUndefined();
    expect(warmStartConfigOf({ cold: 'x' })).toBeUndefined();
    expect(() => build({ warmStart: { abalone: { parents: [], type: 'TransferLearning' } } })).toThrow(
      /1 to 5 parent tuning jobs, got 0/,
    );
    expect(() =>
      build({ warmStart: { abalone: { parents: ['a', 'b', 'c', 'd', 'e', 'f'], type: 'TransferLearning' } } }),
    ).toThrow(/got 6/);
    expect(warmStartRecord({ parents: ['a', 'b'], type: 'TransferLearning' })).toBe('a b');
    // botocore's shape: 1 to 5 parents, so the checker itself catches an empty list.
    expect(
      shapeProblems(
        { ParentHyperParameterTuningJobs: [], WarmStartType: 'TransferLearning' },
        'HyperParameterTuningJobWarmStartConfig',
        false,
      ),
    ).not.toEqual([]);
  });
});
