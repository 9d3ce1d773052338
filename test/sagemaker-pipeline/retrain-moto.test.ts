/**
 * Scheduled retraining against moto_server with the real SDK:
 * - a tuning job created with CreateHyperParameterTuningJob and an Approved version carrying it as `tuning_job` in the
 *   project's group: the retraining plan of main names that job as the parent (DescribeHyperParameterTuningJob is
 *   moto's, echoing the request as SageMaker does); a newer test-mode version is passed over;
 * - the bundled run.js, run by the buildspec's command as a scheduled build runs it (no COMMIT_HASH, the commit
 *   CodeBuild checked out): `<project>-main` is created, one execution per schedule slot, a new one for the next slot
 *   of the same commit, and a push of that commit still gets its own once-per-commit execution.
 *
 * Until the pipeline compiler with Tuning steps is merged (issue 12), the seed's pipeline has no tuned model: the
 * first part builds the tuned definition with test/sagemaker-pipeline/support/tuning.ts (a Tuning step as the schema
 * and SDK shapes declare it), the second runs the real run.js on the seed's untuned pipeline.
 * What moto cannot show: tuning jobs are Completed at once, so "not terminal" is covered by the unit tests only.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateHyperParameterTuningJobCommand,
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  DescribeHyperParameterTuningJobCommand,
  DescribeHyperParameterTuningJobResponse,
  ListPipelineExecutionsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mainPipelineName } from '../../lambda/shared/naming';
import { planRun, readRetrainSettings } from '../../sagemaker-pipeline/src/retrain';
import { MotoServer, startMoto, useMotoEnvironment } from '../support/moto';
import { readBuildspec } from './support/buildspec';
import { trainingDefinition, tunedDefinition, tuningConfig } from './support/tuning';

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

  async function register(meta: Record<string, string>): Promise<void> {
    await sagemaker.send(
      new CreateModelPackageCommand({
        ModelPackageGroupName: GROUP,
        ModelApprovalStatus: 'Approved',
        MetadataProperties: { CommitId: meta.commit_id },
        CustomerMetadataProperties: meta,
        InferenceSpecification: {
          Containers: [{ Image: 'img', ModelDataUrl: `s3://${BUCKET}/model.tar.gz` }],
          SupportedContentTypes: ['text/csv'],
          SupportedResponseMIMETypes: ['text/csv'],
        },
      }),
    );
  }

  it('chooses the tuning job recorded on the Approved version as the parent of main', async () => {
    await sagemaker.send(
      new CreateModelPackageGroupCommand({
        ModelPackageGroupName: GROUP,
        Tags: [
          { Key: 'sagemaker:project-name', Value: PROJECT },
          { Key: 'sagemaker:project-id', Value: PROJECT_ID },
        ],
      }),
    );
    for (const name of ['tune-merged', 'tune-test-mode']) {
      await sagemaker.send(
        new CreateHyperParameterTuningJobCommand({
          HyperParameterTuningJobName: name,
          HyperParameterTuningJobConfig: tuningConfig(),
          TrainingJobDefinition: trainingDefinition(),
        }),
      );
    }
    // What moto returns has the SDK's output shape where retrain.ts reads it.
    const described: DescribeHyperParameterTuningJobResponse = await sagemaker.send(
      new DescribeHyperParameterTuningJobCommand({ HyperParameterTuningJobName: 'tune-merged' }),
    );
    expect(described.HyperParameterTuningJobStatus).toBe('Completed');
    expect(described.HyperParameterTuningJobConfig?.HyperParameterTuningJobObjective).toEqual(
      tuningConfig().HyperParameterTuningJobObjective,
    );
    expect(described.TrainingJobDefinition?.StaticHyperParameters).toEqual(trainingDefinition().StaticHyperParameters);

    // The merged branch's version (approved at merge), then a newer test-mode retrain a person approved.
    await register({ commit_id: MERGED, branch: 'experiment/tuned', model_name: 'abalone', tuning_job: 'tune-merged' });
    await register({
      commit_id: MAIN_HEAD,
      branch: 'main',
      model_name: 'abalone',
      tuning_job: 'tune-test-mode',
      trigger: 'schedule',
      test_mode: 'true',
    });

    const planned = await planRun(
      () => tunedDefinition(undefined, 'abalone', GROUP),
      readRetrainSettings({ TRIGGER: 'schedule', SCHEDULED_TIME: '2026-12-01T03:00:00Z' }),
      { commit: MAIN_HEAD, projectId: PROJECT_ID, pipelineName: mainPipelineName(PROJECT) },
      () => sagemaker,
    );
    expect(planned.context.warmStart).toEqual({ abalone: { parents: ['tune-merged'], type: 'TransferLearning' } });
    expect(planned.notes).toContain('model abalone: version 2: trained in test mode, never a parent');

    // Another project's id on the group: nothing of it is trusted.
    const foreign = await planRun(
      () => tunedDefinition(undefined, 'abalone', GROUP),
      readRetrainSettings({ TRIGGER: 'schedule', SCHEDULED_TIME: '2026-12-01T03:00:00Z' }),
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
