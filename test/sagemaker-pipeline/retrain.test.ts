/**
 * Unit tests (mocked SageMaker client) of sagemaker-pipeline/src/retrain.ts: the retraining settings, the window, the
 * scheduled execution names, the tuned models of a definition, the documented warm-start restrictions and the choice
 * of parents from the registry (contract 4). The moto test (retrain-moto.test.ts) runs the same code for real.
 */
import {
  DescribeHyperParameterTuningJobCommand,
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  ListModelPackagesCommand,
  ListTagsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import {
  RETRAIN_PERMISSIONS,
  RetrainContext,
  RetrainSettingsError,
  TunedModelPlan,
  chooseWarmStart,
  dependsOnWindow,
  incompatibility,
  planRun,
  readRetrainSettings,
  runWindow,
  scheduledExecution,
  tunedModelsOf,
} from '../../sagemaker-pipeline/src/retrain';
import { parseSqlSource, sqlExtractStep } from '../../sagemaker-pipeline/src/sql-source';
import { IMAGE, describedJob, trainingDefinition, tunedDefinition, tuningConfig } from './support/tuning';

const sagemaker = mockClient(SageMakerClient);
const client = new SageMakerClient({ region: 'us-east-1' });
const COMMIT = 'a'.repeat(40);
const OTHER_COMMIT = 'b'.repeat(40);
const GROUP = 'model-demo';
const GROUP_ARN = `arn:aws:sagemaker:us-east-1:123456789012:model-package-group/${GROUP}`;
const PROJECT_ID = 'p-abc123';
const SLOT = { TRIGGER: 'schedule', SCHEDULED_TIME: '2026-12-01T03:00:00Z' };

function notFound(): Error {
  return Object.assign(new Error('ModelPackageGroup model-demo does not exist.'), { name: 'ValidationException' });
}

const plan = (): TunedModelPlan => tunedModelsOf(tunedDefinition())[0] as TunedModelPlan;

interface Version {
  version: number;
  meta: Record<string, string>;
}

/** A registry with the group (tagged for `owner`), `versions` Approved (newest first) and `jobs` tuning jobs. */
function registry(versions: Version[], jobs: ReturnType<typeof describedJob>[], owner = PROJECT_ID): void {
  sagemaker
    .on(DescribeModelPackageGroupCommand)
    .resolves({ ModelPackageGroupName: GROUP, ModelPackageGroupArn: GROUP_ARN });
  sagemaker.on(ListTagsCommand).resolves({ Tags: [{ Key: 'sagemaker:project-id', Value: owner }] });
  sagemaker.on(ListModelPackagesCommand).resolves({
    ModelPackageSummaryList: versions.map((v) => ({
      ModelPackageArn: `arn:aws:sagemaker:us-east-1:123456789012:model-package/${GROUP}/${v.version}`,
      ModelPackageGroupName: GROUP,
      ModelPackageVersion: v.version,
      ModelApprovalStatus: 'Approved',
      ModelPackageStatus: 'Completed',
      CreationTime: new Date(2026, 0, v.version),
    })),
  });
  for (const v of versions) {
    sagemaker
      .on(DescribeModelPackageCommand, {
        ModelPackageName: `arn:aws:sagemaker:us-east-1:123456789012:model-package/${GROUP}/${v.version}`,
      })
      .resolves({
        ModelPackageVersion: v.version,
        ModelApprovalStatus: 'Approved',
        CustomerMetadataProperties: v.meta,
      });
  }
  sagemaker
    .on(DescribeHyperParameterTuningJobCommand)
    .rejects(Object.assign(new Error("Amazon SageMaker can't find a tuning job"), { name: 'ResourceNotFound' }));
  for (const job of jobs) {
    sagemaker
      .on(DescribeHyperParameterTuningJobCommand, { HyperParameterTuningJobName: job.HyperParameterTuningJobName })
      .resolves(job);
  }
}

const facts = (overrides: Partial<Parameters<typeof chooseWarmStart>[2]> = {}) => ({
  commit: COMMIT,
  projectId: PROJECT_ID,
  maxParents: 1,
  ...overrides,
});

beforeEach(() => sagemaker.reset());

describe('readRetrainSettings', () => {
  it('is a push when the schedule set nothing', () => {
    expect(readRetrainSettings({})).toEqual({
      trigger: 'push',
      testMode: false,
      scheduledTime: undefined,
      timeZone: 'UTC',
      maxParents: 1,
      windowDays: 30,
    });
  });

  it('reads what the schedule passes', () => {
    const settings = readRetrainSettings({
      ...SLOT,
      TEST_MODE: 'true',
      RETRAIN_TIME_ZONE: 'Europe/Paris',
      RETRAIN_MAX_PARENTS: '5',
      RETRAIN_WINDOW_DAYS: '7',
    });
    expect(settings).toEqual({
      trigger: 'schedule',
      testMode: true,
      scheduledTime: new Date('2026-12-01T03:00:00Z'),
      timeZone: 'Europe/Paris',
      maxParents: 5,
      windowDays: 7,
    });
  });

  it.each([
    [{ TRIGGER: 'cron' }, /TRIGGER must be "push" or "schedule"/],
    [{ TRIGGER: 'schedule' }, /SCHEDULED_TIME must be the schedule slot/],
    [{ ...SLOT, SCHEDULED_TIME: '2026-12-01 03:00' }, /SCHEDULED_TIME must be/],
    [{ TEST_MODE: 'true' }, /TEST_MODE=true applies to scheduled runs only/],
    [{ ...SLOT, TEST_MODE: 'yes' }, /TEST_MODE must be "true" or "false"/],
    [{ ...SLOT, RETRAIN_MAX_PARENTS: '6' }, /RETRAIN_MAX_PARENTS must be an integer from 1 to 5, got "6"/],
    [{ ...SLOT, RETRAIN_TIME_ZONE: 'Mars/Olympus' }, /RETRAIN_TIME_ZONE must be an IANA time zone/],
    [{ ...SLOT, RETRAIN_WINDOW_DAYS: 'week' }, /RETRAIN_WINDOW_DAYS must be an integer from 1 to 3650, got "week"/],
    // The first mistake is reported: what started the run before the rest.
    [{ TEST_MODE: 'true', RETRAIN_TIME_ZONE: 'Mars/Olympus' }, /^TEST_MODE=true applies to scheduled runs only/],
    [{ TRIGGER: 'schedule', RETRAIN_MAX_PARENTS: '0' }, /^SCHEDULED_TIME must be the schedule slot/],
  ])('refuses %j', (env, message) => {
    expect(() => readRetrainSettings(env)).toThrow(RetrainSettingsError);
    expect(() => readRetrainSettings(env)).toThrow(message);
  });
});

describe('the run window', () => {
  it('ends on the run date in the schedule time zone and advances with it', () => {
    const slot = new Date('2026-11-30T23:30:00Z');
    expect(runWindow(slot, 'UTC', 30)).toEqual({ start: '2026-10-31', end: '2026-11-30' });
    expect(runWindow(slot, 'Europe/Paris', 30)).toEqual({ start: '2026-11-01', end: '2026-12-01' });
    expect(runWindow(new Date('2027-01-01T03:00:00Z'), 'UTC', 30)).toEqual({ start: '2026-12-02', end: '2027-01-01' });
    expect(runWindow(new Date('2028-03-01T03:00:00Z'), 'UTC', 1)).toEqual({ start: '2028-02-29', end: '2028-03-01' });
  });
});

describe('scheduled execution names', () => {
  const pattern = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,81}$/; // PipelineExecutionDisplayName
  it('name one execution per pipeline and slot, whatever the commit', () => {
    const a = scheduledExecution('demo-main', new Date('2026-12-01T03:00:00Z'), COMMIT);
    const b = scheduledExecution('demo-main', new Date('2026-12-01T03:00:00Z'), OTHER_COMMIT);
    const next = scheduledExecution('demo-main', new Date('2027-01-01T03:00:00Z'), COMMIT);
    expect(a.displayName).toBe('schedule-20261201T0300Z');
    expect(a.displayName).toMatch(pattern);
    expect([b.displayName, b.token]).toEqual([a.displayName, a.token]);
    expect(next.displayName).not.toBe(a.displayName);
    expect(next.token).not.toBe(a.token);
    expect(scheduledExecution('other-main', new Date('2026-12-01T03:00:00Z'), COMMIT).token).not.toBe(a.token);
    expect(a.description).toContain(COMMIT);
  });
});

describe('tunedModelsOf', () => {
  it('pairs each Tuning step with the RegisterModel step recording its tuning_job', () => {
    const [found] = tunedModelsOf(tunedDefinition(undefined, 'abalone', 'model-demo'));
    expect(found).toMatchObject({ model: 'abalone', groupName: 'model-demo', stepName: 'TuneModel' });
    expect(found?.request.HyperParameterTuningJobConfig?.HyperParameterTuningJobObjective?.MetricName).toBe(
      'validation:rmse',
    );
  });

  it('finds none in an untuned definition, and refuses a Tuning step nothing registers', () => {
    expect(tunedModelsOf({ Steps: [{ Name: 'TrainModel', Type: 'Training', Arguments: {} }] })).toEqual([]);
    const orphan = { Steps: [tunedDefinition().Steps[0]] };
    expect(() => tunedModelsOf(orphan)).toThrow(/Tuning step TuneModel has no RegisterModel step/);
  });
});

describe('incompatibility (SageMaker warm-start restrictions)', () => {
  const request = plan().request;

  it('accepts a terminal parent with the same objective and hyperparameters, ranges and limits changed', () => {
    expect(incompatibility(describedJob('p'), request)).toBeUndefined();
    expect(incompatibility(describedJob('p', { HyperParameterTuningJobStatus: 'Stopped' }), request)).toBeUndefined();
    expect(incompatibility(describedJob('p', { HyperParameterTuningJobStatus: 'Failed' }), request)).toBeUndefined();
  });

  it.each([
    ['a running job', { HyperParameterTuningJobStatus: 'InProgress' as const }, /is not terminal \(InProgress\)/],
    ['a job from before October 2018', { CreationTime: new Date('2018-09-30T00:00:00Z') }, /created before 2018-10-01/],
    [
      'another objective',
      {
        HyperParameterTuningJobConfig: tuningConfig({
          HyperParameterTuningJobObjective: { Type: 'Maximize', MetricName: 'validation:r2' },
        }),
      },
      /different objective \(Maximize validation:r2, now Minimize validation:rmse\)/,
    ],
    [
      'other hyperparameter names',
      {
        TrainingJobDefinition: trainingDefinition({
          StaticHyperParameters: { objective: 'reg:squarederror', rounds: '100' },
        }),
      },
      /other hyperparameter names \(added num_round; removed rounds\)/,
    ],
    [
      'another hyperparameter type',
      {
        HyperParameterTuningJobConfig: tuningConfig({
          ParameterRanges: {
            ContinuousParameterRanges: [
              { Name: 'max_depth', MinValue: '3', MaxValue: '10' },
              { Name: 'eta', MinValue: '0.01', MaxValue: '0.5' },
            ],
            CategoricalParameterRanges: [{ Name: 'booster', Values: ['gbtree', 'dart'] }],
          },
        }),
      },
      /tuned max_depth as Continuous, now Integer/,
    ],
    [
      'several training job definitions',
      { TrainingJobDefinition: undefined, TrainingJobDefinitions: [] },
      /several training job definitions/,
    ],
  ])('refuses %s', (_label, overrides, message) => {
    expect(incompatibility(describedJob('p', overrides), request)).toMatch(message);
  });

  it('counts changes as documented: a categorical made static counts its values, a changed static value one', () => {
    // Parent: booster tunable over 11 values; now static → 11 changes (> 10).
    const many = Array.from({ length: 11 }, (_, i) => `v${i}`);
    const parentRanges = {
      ...tuningConfig().ParameterRanges,
      CategoricalParameterRanges: [{ Name: 'booster', Values: many }],
    };
    const now = tunedModelsOf(
      tunedDefinition({
        HyperParameterTuningJobConfig: tuningConfig({
          ParameterRanges: { ...tuningConfig().ParameterRanges, CategoricalParameterRanges: [] },
        }),
        TrainingJobDefinition: trainingDefinition({
          StaticHyperParameters: { objective: 'reg:squarederror', num_round: '100', booster: 'gbtree' },
        }),
      }),
    )[0]?.request;
    const parent = describedJob('p', {
      HyperParameterTuningJobConfig: tuningConfig({ ParameterRanges: parentRanges }),
    });
    expect(incompatibility(parent, now ?? {})).toMatch(/11 static hyperparameter changes \(at most 10\)/);
    // With 10 values it is allowed.
    const ten = describedJob('p', {
      HyperParameterTuningJobConfig: tuningConfig({
        ParameterRanges: {
          ...parentRanges,
          CategoricalParameterRanges: [{ Name: 'booster', Values: many.slice(0, 10) }],
        },
      }),
    });
    expect(incompatibility(ten, now ?? {})).toBeUndefined();
  });
});

describe('chooseWarmStart', () => {
  it('runs cold on the first run: no group yet, or no Approved version', async () => {
    sagemaker.on(DescribeModelPackageGroupCommand).rejects(notFound());
    await expect(chooseWarmStart(client, plan(), facts())).resolves.toMatchObject({
      warmStart: { cold: 'first run: model package group model-demo does not exist yet' },
    });
    sagemaker.reset();
    registry([], []);
    await expect(chooseWarmStart(client, plan(), facts())).resolves.toMatchObject({
      warmStart: { cold: 'first run: no Approved version in model-demo' },
    });
  });

  it("refuses a group that is not the project's (name shared with another project)", async () => {
    registry([{ version: 1, meta: { commit_id: COMMIT, tuning_job: 'tune-1' } }], [describedJob('tune-1')], 'p-other');
    const chosen = await chooseWarmStart(client, plan(), facts());
    expect(chosen.warmStart).toEqual({
      cold: 'group model-demo is not this project\'s (sagemaker:project-id "p-other")',
    });
    expect(sagemaker.commandCalls(DescribeModelPackageCommand)).toHaveLength(0);
  });

  it("runs cold when IAM refuses the group (another project's, tagged with its id), without failing the build", async () => {
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
    sagemaker.on(DescribeModelPackageGroupCommand).rejects(denied);
    const chosen = await chooseWarmStart(client, plan(), facts());
    expect(chosen.warmStart).toEqual({ cold: "group model-demo is not this project's (its tags are not readable)" });
    expect(sagemaker.commandCalls(DescribeModelPackageCommand)).toHaveLength(0);
  });

  it("skips a parent tuning job IAM refuses (not tagged with the project's id)", async () => {
    registry([{ version: 3, meta: { commit_id: OTHER_COMMIT, tuning_job: 'tune-3' } }], []);
    sagemaker
      .on(DescribeHyperParameterTuningJobCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    const chosen = await chooseWarmStart(client, plan(), facts());
    expect(chosen.warmStart).toHaveProperty('cold');
    expect(chosen.notes).toContain("version 3: tuning job tune-3 is not this project's");
  });

  it('takes the tuning job of the current Approved version: TransferLearning when the commit changed', async () => {
    registry([{ version: 3, meta: { commit_id: OTHER_COMMIT, tuning_job: 'tune-3' } }], [describedJob('tune-3')]);
    const chosen = await chooseWarmStart(client, plan(), facts());
    expect(chosen.warmStart).toEqual({ parents: ['tune-3'], type: 'TransferLearning' });
  });

  it('chooses IdenticalDataAndAlgorithm only for the same commit, window, image and parallelism', async () => {
    registry([{ version: 3, meta: { commit_id: COMMIT, tuning_job: 'tune-3' } }], [describedJob('tune-3')]);
    expect((await chooseWarmStart(client, plan(), facts())).warmStart).toEqual({
      parents: ['tune-3'],
      type: 'IdenticalDataAndAlgorithm',
    });
    // The data depends on a window the parent did not train on.
    const windowed = await chooseWarmStart(
      client,
      plan(),
      facts({ window: { start: '2026-11-01', end: '2026-12-01' } }),
    );
    expect(windowed.warmStart).toMatchObject({ type: 'TransferLearning' });
    // Another image.
    sagemaker.reset();
    registry(
      [{ version: 3, meta: { commit_id: COMMIT, tuning_job: 'tune-3' } }],
      [
        describedJob('tune-3', {
          TrainingJobDefinition: trainingDefinition({
            AlgorithmSpecification: { TrainingImage: `${IMAGE}-old`, TrainingInputMode: 'File' },
          }),
        }),
      ],
    );
    expect((await chooseWarmStart(client, plan(), facts())).warmStart).toMatchObject({ type: 'TransferLearning' });
  });

  it('never takes a test-mode version, and skips versions that were not tuned', async () => {
    registry(
      [
        { version: 5, meta: { commit_id: COMMIT, tuning_job: 'tune-5', test_mode: 'true' } },
        { version: 4, meta: { commit_id: COMMIT } },
        { version: 3, meta: { commit_id: OTHER_COMMIT, tuning_job: 'tune-3' } },
      ],
      [describedJob('tune-5'), describedJob('tune-3')],
    );
    const chosen = await chooseWarmStart(client, plan(), facts());
    expect(chosen.warmStart).toEqual({ parents: ['tune-3'], type: 'TransferLearning' });
    expect(chosen.notes).toEqual([
      'version 5: trained in test mode, never a parent',
      'version 4: records no tuning_job (not tuned)',
    ]);
    expect(
      sagemaker
        .commandCalls(DescribeHyperParameterTuningJobCommand)
        .map((c) => c.args[0].input.HyperParameterTuningJobName),
    ).toEqual(['tune-3']);
  });

  it('takes up to maxParents of the latest Approved versions, newest first', async () => {
    registry(
      [4, 3, 2, 1].map((n) => ({ version: n, meta: { commit_id: OTHER_COMMIT, tuning_job: `tune-${n}` } })),
      [4, 3, 2, 1].map((n) => describedJob(`tune-${n}`)),
    );
    expect((await chooseWarmStart(client, plan(), facts({ maxParents: 3 }))).warmStart).toEqual({
      parents: ['tune-4', 'tune-3', 'tune-2'],
      type: 'TransferLearning',
    });
  });

  it('drops the oldest parents when their training jobs and the new maximum exceed 500', async () => {
    const big = { Completed: 200, InProgress: 0, RetryableError: 0, NonRetryableError: 0, Stopped: 0 };
    registry(
      [3, 2, 1].map((n) => ({ version: n, meta: { commit_id: OTHER_COMMIT, tuning_job: `tune-${n}` } })),
      [3, 2, 1].map((n) => describedJob(`tune-${n}`, { TrainingJobStatusCounters: big })),
    );
    const chosen = await chooseWarmStart(client, plan(), facts({ maxParents: 3 }));
    // 200 + 200 + 20 (the new maximum) fits; a third parent would make 620.
    expect(chosen.warmStart).toEqual({ parents: ['tune-3', 'tune-2'], type: 'TransferLearning' });
  });

  it('runs cold and says why when the only parent is not warm-startable', async () => {
    registry(
      [{ version: 2, meta: { commit_id: OTHER_COMMIT, tuning_job: 'tune-2' } }],
      [describedJob('tune-2', { HyperParameterTuningJobStatus: 'InProgress' })],
    );
    expect((await chooseWarmStart(client, plan(), facts())).warmStart).toEqual({
      cold: 'no warm-startable parent: version 2: tuning job tune-2 is not terminal (InProgress)',
    });
    sagemaker.reset();
    registry([{ version: 2, meta: { commit_id: OTHER_COMMIT, tuning_job: 'gone' } }], []);
    expect((await chooseWarmStart(client, plan(), facts())).warmStart).toEqual({
      cold: 'no warm-startable parent: version 2: tuning job gone does not exist',
    });
    sagemaker.reset();
    registry([{ version: 2, meta: { commit_id: OTHER_COMMIT, tuning_job: '../other/job' } }], []);
    expect((await chooseWarmStart(client, plan(), facts())).warmStart).toEqual({
      cold: 'no warm-startable parent: version 2: records tuning_job "../other/job", not a tuning job name',
    });
    expect(sagemaker.commandCalls(DescribeHyperParameterTuningJobCommand)).toHaveLength(0);
  });

  it('calls only what RETRAIN_PERMISSIONS grants the build role', async () => {
    registry([{ version: 3, meta: { commit_id: OTHER_COMMIT, tuning_job: 'tune-3' } }], [describedJob('tune-3')]);
    await chooseWarmStart(client, plan(), facts());
    const granted = Object.values(RETRAIN_PERMISSIONS).flat();
    const called = [
      ...new Set(sagemaker.calls().map((c) => `sagemaker:${c.args[0].constructor.name.replace(/Command$/, '')}`)),
    ];
    expect(called.sort()).toEqual([...granted].sort());
  });
});

describe('planRun', () => {
  const run = { commit: COMMIT, projectId: PROJECT_ID, pipelineName: 'demo-main' };

  it('builds a push once, with trigger push and no registry call', async () => {
    const contexts: RetrainContext[] = [];
    const planned = await planRun(
      (c) => (contexts.push(c), tunedDefinition()),
      readRetrainSettings({}),
      run,
      () => client,
    );
    expect(contexts).toEqual([{ trigger: 'push', testMode: false }]);
    expect(planned.execution).toBeUndefined();
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it('builds a scheduled run cold, chooses parents, then builds it with warmStart', async () => {
    registry([{ version: 3, meta: { commit_id: OTHER_COMMIT, tuning_job: 'tune-3' } }], [describedJob('tune-3')]);
    const contexts: RetrainContext[] = [];
    const planned = await planRun(
      (c) => (contexts.push(c), tunedDefinition()),
      readRetrainSettings({ ...SLOT, TEST_MODE: 'true' }),
      run,
      () => client,
    );
    const window = { start: '2026-11-01', end: '2026-12-01' };
    expect(contexts).toEqual([
      { trigger: 'schedule', testMode: true, window },
      {
        trigger: 'schedule',
        testMode: true,
        window,
        warmStart: { abalone: { parents: ['tune-3'], type: 'TransferLearning' } },
      },
    ]);
    expect(planned.execution?.displayName).toBe('schedule-20261201T0300Z');
    expect(planned.notes).toEqual(['model abalone: warm start (TransferLearning) from tune-3']);
  });

  it('names the execution by slot even with no tuned model, and asks the registry nothing', async () => {
    const planned = await planRun(
      () => ({ Steps: [] }),
      readRetrainSettings(SLOT),
      run,
      () => client,
    );
    expect(planned.execution?.displayName).toBe('schedule-20261201T0300Z');
    expect(planned.notes).toEqual(['no tuned model: nothing to warm-start']);
    expect(sagemaker.calls()).toHaveLength(0);
  });

  it('treats the data as windowed only when the definition renders the window', () => {
    const window = { start: '2026-11-01', end: '2026-12-01' };
    expect(
      dependsOnWindow(
        { Steps: [{ Arguments: { ContainerArguments: ['--start', '2026-11-01', '--end', '2026-12-01'] } }] },
        window,
      ),
    ).toBe(true);
    expect(dependsOnWindow(tunedDefinition(), window)).toBe(false);
    // The window recorded on the version (every scheduled run records it) is not the data's.
    const recorded = tunedDefinition();
    const register = (
      recorded.Steps[1]?.Arguments as { IfSteps: { Arguments: { CustomerMetadataProperties: object } }[] }
    ).IfSteps[0]!.Arguments;
    register.CustomerMetadataProperties = { window_start: '2026-11-01', window_end: '2026-12-01' };
    expect(JSON.stringify(recorded)).toContain('2026-12-01');
    expect(dependsOnWindow(recorded, window)).toBe(false);
    // The SQL source's extract step as the compiler renders it with the run's window: windowed.
    const extract = sqlExtractStep(
      'sales',
      parseSqlSource({ query: 'queries/sales.sql', window: { start: 'today - 30 days', end: 'today' } }),
      {
        region: 'eu-west-1',
        roleArn: 'arn:aws:iam::123456789012:role/sagemaker-pipeline',
        bucket: 'demo-artifacts',
        pipelineName: 'demo-main',
        codePrefix: `demo-main/code/${COMMIT}`,
        frameworkVersion: '1.2-1',
        instanceType: 'ml.m5.large',
        maxRuntimeSeconds: 3600,
        warehouse: {
          secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:w-AbC123',
          subnetIds: ['subnet-0a1b2c3d'],
          securityGroupIds: ['sg-0123abcd'],
        },
        window,
      },
    );
    expect(dependsOnWindow({ Steps: [extract.step, ...recorded.Steps] }, window)).toBe(true);
    expect(dependsOnWindow(tunedDefinition(), undefined)).toBe(false);
  });
});
