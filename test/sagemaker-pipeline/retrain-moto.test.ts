/**
 * Scheduled retraining against moto_server with the real SDK and the real compiler:
 * - a previous run's tuning job (the Tuning step the compiler renders for the seed's examples/xgboost-tuning.yaml,
 *   created with CreateHyperParameterTuningJob) and an Approved version carrying it as `tuning_job` in the project's
 *   group (registered with the request the compiler's RegisterModel step makes); a newer test-mode version too. Then
 *   the bundled `run.js --dry-run --config examples/xgboost-tuning.yaml` for `main` with TRIGGER=schedule names that
 *   job, not the test-mode one, in the WarmStartConfig; the version the scheduled execution would register (its
 *   RegisterModel request, created in moto) records `trigger: schedule`, the window and `warm_start`;
 * - the bundled run.js, run by the buildspec's command as a scheduled build runs it (no COMMIT_HASH, the commit
 *   CodeBuild checked out): `<project>-main` is created, one execution per schedule slot, a new one for the next slot
 *   of the same commit, and a push of that commit still gets its own once-per-commit execution.
 * What moto cannot show: tuning jobs are Completed at once (so "not terminal" is covered by the unit tests only), it
 * does not check that a warm start is acceptable to SageMaker, and it runs no pipeline: the registration is the
 * RegisterModel step's request resolved here, as SageMaker would resolve it.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateHyperParameterTuningJobCommand,
  CreateHyperParameterTuningJobRequest,
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  CreateModelPackageInput,
  DescribeHyperParameterTuningJobCommand,
  DescribeModelPackageCommand,
  ListPipelineExecutionsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mainPipelineName } from '../../contracts/naming';
import {
  PipelineDefinition,
  RunContext,
  STEP,
  TuningStep,
  buildDefinition,
} from '../../sagemaker-pipeline/src/definition';
import { collectGets } from '../../sagemaker-pipeline/src/expressions';
import { ExecutionValues, evaluate } from './support/evaluate';
import { modelPackageRequest } from './support/model-package';
import { planRun, readRetrainSettings } from '../../sagemaker-pipeline/src/retrain';
import { MotoServer, startMoto, useMotoEnvironment } from '../support/moto';
import { readBuildspec } from './support/buildspec';
import { seedConfig } from './support/seed';

const PROJECT = 'abalone';
const PROJECT_ID = 'p-retrain01';
const GROUP = `model-${PROJECT}`;
const BUCKET = 'abalone-artifacts';
const MAIN_HEAD = '3333333333333333333333333333333333333333';
const MERGED = '4444444444444444444444444444444444444444';
const ROLE = 'arn:aws:iam::123456789012:role/sagemaker-pipeline';

describe('scheduled retraining against moto_server', () => {
  let moto: MotoServer;
  let seed: string;
  let sagemaker: SageMakerClient;

  beforeAll(async () => {
    moto = await startMoto();
    useMotoEnvironment(moto.endpoint);
    sagemaker = new SageMakerClient({});
    seed = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { stageSeedCode } = require('../../lib/seed-code') as typeof import('../../lib/seed-code');
    stageSeedCode(seed);
    await new S3Client({ forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: BUCKET }));
  });
  afterAll(async () => {
    await moto.stop();
    fs.rmSync(seed, { recursive: true, force: true });
  });

  const EXAMPLE = 'examples/xgboost-tuning.yaml';
  const MAIN: RunContext = {
    projectName: PROJECT,
    branch: 'main',
    commit: MAIN_HEAD,
    region: 'us-east-1',
    roleArn: ROLE,
    bucket: BUCKET,
    pipelineName: mainPipelineName(PROJECT),
    modelPackageGroupName: GROUP,
    projectId: PROJECT_ID,
  };
  const compile = (extra: Partial<RunContext>) => buildDefinition(seedConfig(EXAMPLE), { ...MAIN, ...extra });
  const SLOT = { TRIGGER: 'schedule', SCHEDULED_TIME: '2026-12-01T03:00:00Z' };

  /** An execution's values for every reference of `value`: its id, and an S3 URI or name per step property. */
  function executionValues(value: unknown, executionId: string, tuningJob: string): ExecutionValues {
    const properties = Object.fromEntries(
      collectGets(value)
        .filter((p) => p.startsWith('Steps.'))
        .map((p) => [p, p.endsWith('HyperParameterTuningJobName') ? tuningJob : `s3://${BUCKET}/${executionId}/x`]),
    );
    return {
      parameters: {},
      execution: {
        PipelineExecutionId: executionId,
        PipelineExecutionArn: `arn:aws:sagemaker:us-east-1:123456789012:pipeline/${MAIN.pipelineName}/execution/${executionId}`,
      },
      properties,
    };
  }
  const resolved = <T>(value: T, executionId: string, tuningJob: string): T =>
    evaluate(value, executionValues(value, executionId, tuningJob)) as T;

  const tuningArgs = (definition: PipelineDefinition) =>
    definition.Steps.find((s): s is TuningStep => s.Name === STEP.tune)!.Arguments;

  /** What an execution of `definition` does in SageMaker: its tuning job, then its registration (approved or not). */
  async function runOf(definition: PipelineDefinition, executionId: string, tuningJob: string, status: string) {
    await sagemaker.send(
      new CreateHyperParameterTuningJobCommand({
        ...resolved(tuningArgs(definition), executionId, tuningJob),
        HyperParameterTuningJobName: tuningJob,
      } as CreateHyperParameterTuningJobRequest),
    );
    const request = modelPackageRequest(definition, executionValues(definition, executionId, tuningJob));
    return register({ ...request, ModelApprovalStatus: status as CreateModelPackageInput['ModelApprovalStatus'] });
  }

  async function register(request: CreateModelPackageInput): Promise<string> {
    const created = await sagemaker.send(new CreateModelPackageCommand(request));
    return created.ModelPackageArn!;
  }

  it('run.js --dry-run of main, scheduled, names the tuning job recorded on the Approved version as parent', async () => {
    await sagemaker.send(
      new CreateModelPackageGroupCommand({
        ModelPackageGroupName: GROUP,
        Tags: [
          { Key: 'sagemaker:project-name', Value: PROJECT },
          { Key: 'sagemaker:project-id', Value: PROJECT_ID },
        ],
      }),
    );
    // The merged branch's run (approved at merge), then a newer test-mode retrain a person approved.
    const merged = compile({ branch: 'experiment/tuned', commit: MERGED, pipelineName: 'abalone-experiment--tuned' });
    const mergedArn = await runOf(merged, 'exec00000001', 'tune-merged', 'Approved');
    const testMode = compile({
      trigger: 'schedule',
      testMode: true,
      window: { start: '2026-10-02', end: '2026-11-01' },
    });
    await runOf(testMode, 'exec00000002', 'tune-test-mode', 'Approved');

    // What moto stored is what retrain.ts reads: the registered tuning_job, and the job as the compiler rendered it.
    const version = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: mergedArn }));
    expect(version.CustomerMetadataProperties).toMatchObject({
      tuning_job: 'tune-merged',
      trigger: 'push',
      test_mode: 'false',
    });
    const described = await sagemaker.send(
      new DescribeHyperParameterTuningJobCommand({ HyperParameterTuningJobName: 'tune-merged' }),
    );
    expect(described.HyperParameterTuningJobStatus).toBe('Completed');
    expect(described.HyperParameterTuningJobConfig?.HyperParameterTuningJobObjective).toEqual({
      Type: 'Minimize',
      MetricName: 'validation:rmse',
    });
    expect(described.TrainingJobDefinition?.StaticHyperParameters).toEqual(
      tuningArgs(merged).TrainingJobDefinition?.StaticHyperParameters,
    );

    // The bundled run.js, as a scheduled build of main runs it (dry run: it prints the definition it would submit).
    const dry = spawnSync(
      'node',
      ['run.js', '--dry-run', '--config', EXAMPLE, '--branch', 'main', '--commit', MAIN_HEAD],
      {
        cwd: seed,
        env: {
          ...process.env,
          PROJECT_NAME: PROJECT,
          PROJECT_ID,
          MODEL_PACKAGE_GROUP_NAME: GROUP,
          ...SLOT,
          TEST_MODE: 'false',
          RETRAIN_MAX_PARENTS: '1',
        },
        encoding: 'utf8',
      },
    );
    expect(dry.stderr).toContain('retrain: model abalone: version 2: trained in test mode, never a parent');
    expect(dry.stderr).toContain('retrain: model abalone: warm start (TransferLearning) from tune-merged');
    expect(dry.status).toBe(0);
    const definition = JSON.parse(dry.stdout) as PipelineDefinition;
    expect(tuningArgs(definition).WarmStartConfig).toEqual({
      ParentHyperParameterTuningJobs: [{ HyperParameterTuningJobName: 'tune-merged' }],
      WarmStartType: 'TransferLearning',
    });
    expect(tuningArgs(definition).HyperParameterTuningJobConfig?.ResourceLimits?.MaxNumberOfTrainingJobs).toBe(12);

    // The version that scheduled execution registers, as SageMaker stores it.
    const request = modelPackageRequest(definition, executionValues(definition, 'exec00000003', 'tune-retrain'));
    const retrained = await sagemaker.send(
      new DescribeModelPackageCommand({ ModelPackageName: await register(request) }),
    );
    expect(retrained.ModelApprovalStatus).toBe('PendingManualApproval');
    expect(retrained.CustomerMetadataProperties).toMatchObject({
      commit_id: MAIN_HEAD,
      branch: 'main',
      trigger: 'schedule',
      test_mode: 'false',
      window_start: '2026-11-01',
      window_end: '2026-12-01',
      tuning_job: 'tune-retrain',
      warm_start: 'tune-merged',
    });

    // Another project's id on the group: nothing of it is trusted.
    const foreign = await planRun(
      compile,
      readRetrainSettings(SLOT),
      { commit: MAIN_HEAD, projectId: 'p-intruder', pipelineName: mainPipelineName(PROJECT) },
      () => sagemaker,
    );
    expect(foreign.context.warmStart?.abalone).toEqual({
      cold: `group ${GROUP} is not this project's (sagemaker:project-id "${PROJECT_ID}")`,
    });
  });

  const buildspecCommand = () => readBuildspec(seed).phases.build.commands.join('\n');

  /** The build as CodeBuild runs it: the project's variables, plus the schedule's overrides or the push's. */
  function build(extra: NodeJS.ProcessEnv) {
    const env = {
      ...process.env,
      PROJECT_NAME: PROJECT,
      PROJECT_ID,
      ARTIFACT_BUCKET: BUCKET,
      MODEL_PACKAGE_GROUP_NAME: GROUP,
      SAGEMAKER_PIPELINE_ROLE_ARN: ROLE,
      CODEBUILD_RESOLVED_SOURCE_VERSION: MAIN_HEAD,
      COMMIT_HASH: '',
      ...extra,
    };
    const result = spawnSync('bash', ['-e', '-c', buildspecCommand()], { cwd: seed, env, encoding: 'utf8' });
    return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr };
  }

  const scheduled = (slot: string) => ({
    BRANCH_NAME: 'main',
    TRIGGER: 'schedule',
    TEST_MODE: 'false',
    SCHEDULED_TIME: slot,
    RETRAIN_TIME_ZONE: 'Europe/Paris',
    RETRAIN_MAX_PARENTS: '1',
    RETRAIN_WINDOW_DAYS: '30',
  });

  it('dry-runs main as a scheduled build: the seed pipeline has no tuned model yet', () => {
    const dry = spawnSync('node', ['run.js', '--dry-run', '--branch', 'main', '--commit', MAIN_HEAD], {
      cwd: seed,
      env: { ...process.env, PROJECT_NAME: PROJECT, ...scheduled('2026-12-01T03:00:00Z') },
      encoding: 'utf8',
    });
    expect(dry.stderr).toContain('retrain: no tuned model: nothing to warm-start');
    expect(dry.status).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ Version: '2020-12-01' });
  });

  it('starts one execution of <project>-main per schedule slot, and keeps pushes once per commit', async () => {
    const pipeline = mainPipelineName(PROJECT);
    const first = build(scheduled('2026-12-01T03:00:00Z'));
    expect(first.stderr).toContain(`pipeline ${pipeline} created`);
    expect(first.stderr).toContain(`started execution schedule-20261201T0300Z (commit ${MAIN_HEAD})`);
    expect(first.status).toBe(0);

    // The scheduler retries the same slot: nothing new.
    const retry = build(scheduled('2026-12-01T03:00:00Z'));
    expect(retry.status).toBe(0);
    expect(retry.stdout).toBe(first.stdout);
    expect(retry.stderr).toContain('not starting another');

    // The next slot retrains the unchanged commit: a new execution.
    const next = build(scheduled('2027-01-01T03:00:00Z'));
    expect(next.stderr).toContain('started execution schedule-20270101T0300Z');
    expect(next.stdout).not.toBe(first.stdout);

    // A push build of the same commit (COMMIT_HASH set by the pipeline action) runs once per commit.
    const push = build({ BRANCH_NAME: 'main', COMMIT_HASH: MAIN_HEAD });
    expect(push.stderr).toContain(`started execution for commit ${MAIN_HEAD}`);
    expect(build({ BRANCH_NAME: 'main', COMMIT_HASH: MAIN_HEAD }).stderr).toContain('not starting another');

    const executions = await sagemaker.send(new ListPipelineExecutionsCommand({ PipelineName: pipeline }));
    expect(executions.PipelineExecutionSummaries?.map((e) => e.PipelineExecutionDisplayName).sort()).toEqual([
      `commit-${MAIN_HEAD}`,
      'schedule-20261201T0300Z',
      'schedule-20270101T0300Z',
    ]);
  });

  it('refuses a scheduled build without its slot, before any AWS call', () => {
    const withoutSlot = Object.fromEntries(Object.entries(scheduled('x')).filter(([k]) => k !== 'SCHEDULED_TIME'));
    const result = build(withoutSlot);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('SCHEDULED_TIME must be the schedule slot');
  });
});
