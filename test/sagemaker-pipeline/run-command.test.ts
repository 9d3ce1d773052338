/**
 * The run command against moto_server with the real AWS SDK: uploads the code, creates then updates the branch's
 * pipeline, starts one execution per commit with the commit and branch as parameters, and starts nothing for a
 * commit that already ran. Then plays SageMaker's RegisterModel step from the stored definition and the execution's
 * parameters. Any branch git accepts trains; one SageMaker cannot store is recorded as `branchTagValue(branch)`.
 */
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import {
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  DescribePipelineCommand,
  ListPipelineExecutionsCommand,
  ListPipelineParametersForExecutionCommand,
  ListPipelinesCommand,
  ListTagsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SEED_SOURCE_DIR } from '../../lib/seed-code';
import { TAG_VALUE_PATTERN, branchTagValue, sageMakerPipelineName } from '../../contracts/naming';
import { main } from '../../sagemaker-pipeline/src/cli';
import { STEP } from '../../sagemaker-pipeline/src/definition';
import { modelPackageRequest, registerModelStep } from './support/model-package';
import { MotoServer, startMoto, useMotoEnvironment } from '../support/moto';
import { readBuildspec } from './support/buildspec';

const BUCKET = 'abalone-artifacts';
const BRANCH = 'experiment/deeper-trees';
const PIPELINE = sageMakerPipelineName('abalone', BRANCH);
const FIRST = '1111111111111111111111111111111111111111';
const SECOND = '2222222222222222222222222222222222222222';

function buildEnv(commit: string, branch = BRANCH): NodeJS.ProcessEnv {
  return {
    ...process.env,
    BRANCH_NAME: branch,
    COMMIT_HASH: commit,
    PROJECT_NAME: 'abalone',
    PROJECT_ID: 'p-abc123xyz',
    ARTIFACT_BUCKET: BUCKET,
    MODEL_PACKAGE_GROUP_NAME: 'model-abalone',
    SAGEMAKER_PIPELINE_ROLE_ARN: 'arn:aws:iam::123456789012:role/sagemaker-pipeline',
  };
}

async function runCommand(argv: string[], env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, env, SEED_SOURCE_DIR, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err: err.join('\n') };
}

// One moto_server for the file: each describe starts from an empty moto (reset), as with a server of its own.
let moto: MotoServer;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => moto.stop());

describe('run command against moto', () => {
  let sagemaker: SageMakerClient;
  let s3: S3Client;

  beforeAll(async () => {
    useMotoEnvironment(moto.endpoint);
    sagemaker = new SageMakerClient({});
    s3 = new S3Client({ forcePathStyle: true });
  });
  beforeEach(async () => {
    await moto.reset();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });

  const executions = async () =>
    (await sagemaker.send(new ListPipelineExecutionsCommand({ PipelineName: PIPELINE }))).PipelineExecutionSummaries ??
    [];

  it('creates the pipeline, uploads the code under the commit and starts an execution with the run parameters', async () => {
    const result = await runCommand([], buildEnv(FIRST));
    expect(result).toMatchObject({ code: 0 });
    expect(result.err).toContain(`pipeline ${PIPELINE} created`);

    const pipeline = await sagemaker.send(new DescribePipelineCommand({ PipelineName: PIPELINE }));
    const definition = JSON.parse(pipeline.PipelineDefinition ?? '{}');
    expect(definition.Parameters).toEqual([]);
    expect(registerModelStep(definition).Arguments.MetadataProperties).toEqual({ CommitId: FIRST });
    expect(pipeline.RoleArn).toBe('arn:aws:iam::123456789012:role/sagemaker-pipeline');
    const tags = await sagemaker.send(new ListTagsCommand({ ResourceArn: pipeline.PipelineArn }));
    expect(tags.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'sagemaker:project-name', Value: 'abalone' },
        { Key: 'sagemaker:project-id', Value: 'p-abc123xyz' },
        { Key: 'multibranch-mlops:branch', Value: BRANCH },
      ]),
    );

    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual([
      `${PIPELINE}/code/${FIRST}/evaluate.py`,
      `${PIPELINE}/code/${FIRST}/preprocess.py`,
      `${PIPELINE}/code/${FIRST}/sourcedir.tar.gz`,
    ]);
    const tarball = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: `${PIPELINE}/code/${FIRST}/sourcedir.tar.gz` }),
    );
    // Opened by a real tar reader, Python's tarfile, as SageMaker's training toolkit opens sourcedir.tar.gz.
    const members = readTarWithPython(Buffer.from(await tarball.Body!.transformToByteArray()));
    // Every .py of scripts/ (the entry and the modules it may import).
    expect(members.map((m) => m.name).sort()).toEqual([
      'evaluate.py',
      'inference.py',
      'preprocess.py',
      'train.py',
      'train_forest.py',
    ]);
    expect(members.find((m) => m.name === 'train.py')).toEqual({
      name: 'train.py',
      file: true,
      text: fs.readFileSync(path.join(SEED_SOURCE_DIR, 'scripts', 'train.py'), 'utf8'),
    });

    const [execution, ...others] = await executions();
    expect(others).toEqual([]);
    expect(result.out).toEqual([execution?.PipelineExecutionArn]);
    expect(execution?.PipelineExecutionDisplayName).toBe(`commit-${FIRST}`);
    const parameters = await sagemaker.send(
      new ListPipelineParametersForExecutionCommand({ PipelineExecutionArn: execution?.PipelineExecutionArn }),
    );
    expect(parameters.PipelineParameters ?? []).toEqual([]);
    expect(result.err).toContain(
      'console: https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/pipelines/',
    );
  });

  it('starts nothing new when the same commit runs again (a retried build)', async () => {
    const first = await runCommand([], buildEnv(FIRST));
    const retry = await runCommand([], buildEnv(FIRST));
    expect(retry.code).toBe(0);
    expect(retry.err).toContain(`an execution for commit ${FIRST} exists`);
    expect(retry.out).toEqual(first.out);
    expect(await executions()).toHaveLength(1);
  });

  it('updates the pipeline for the next commit and starts a second execution', async () => {
    await runCommand([], buildEnv(FIRST));
    const next = await runCommand([], buildEnv(SECOND));
    expect(next.code).toBe(0);
    expect(next.err).toContain(`pipeline ${PIPELINE} updated`);
    const pipeline = await sagemaker.send(new DescribePipelineCommand({ PipelineName: PIPELINE }));
    expect(registerModelStep(JSON.parse(pipeline.PipelineDefinition ?? '{}')).Arguments.MetadataProperties).toEqual({
      CommitId: SECOND,
    });
    expect((await executions()).map((e) => e.PipelineExecutionDisplayName).sort()).toEqual([
      `commit-${FIRST}`,
      `commit-${SECOND}`,
    ]);
  });

  it('waits for the execution with --wait and exits 0 when it succeeded', async () => {
    const result = await runCommand(['--wait'], buildEnv(FIRST));
    expect(result.code).toBe(0);
    expect(result.err).toContain('execution status: Succeeded');
  });

  it.each([
    ['a full ref', ['--branch', 'refs/heads/experiment/x'], 'must be the short name, not a full ref'],
    ['an empty branch', ['--branch', ''], 'branch name must be a non-empty string'],
  ])('rejects %s (not a branch name) and a short commit id, and creates nothing', async (_what, argv, message) => {
    const result = await runCommand(argv, buildEnv('abc1234'));
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
    expect(result.err).toContain('commit "abc1234" is not a full 40-hex commit id');
    expect((await sagemaker.send(new ListPipelinesCommand({}))).PipelineSummaries ?? []).toEqual([]);
    expect((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? []).toEqual([]);
  });

  /** Plays SageMaker's RegisterModel step for the branch's only execution, with the parameters it was started with. */
  async function registerModelOf(branch: string) {
    const pipelineName = sageMakerPipelineName('abalone', branch);
    const pipeline = await sagemaker.send(new DescribePipelineCommand({ PipelineName: pipelineName }));
    const listed = await sagemaker.send(new ListPipelineExecutionsCommand({ PipelineName: pipelineName }));
    expect(listed.PipelineExecutionSummaries).toHaveLength(1);
    const executionArn = listed.PipelineExecutionSummaries?.[0]?.PipelineExecutionArn ?? '';
    const parameters = await sagemaker.send(
      new ListPipelineParametersForExecutionCommand({ PipelineExecutionArn: executionArn }),
    );
    const request = modelPackageRequest(JSON.parse(pipeline.PipelineDefinition ?? '{}'), {
      parameters: Object.fromEntries((parameters.PipelineParameters ?? []).map((p) => [p.Name, p.Value])),
      execution: { PipelineExecutionArn: executionArn, PipelineExecutionId: executionArn.split('/').pop() ?? '' },
      properties: {
        [`Steps.${STEP.train}.ModelArtifacts.S3ModelArtifacts`]: `s3://${BUCKET}/model.tar.gz`,
        [`Steps.${STEP.evaluate}.ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri`]: `s3://${BUCKET}/evaluation`,
      },
    });
    await sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'model-abalone' }));
    const created = await sagemaker.send(new CreateModelPackageCommand(request));
    const described = await sagemaker.send(
      new DescribeModelPackageCommand({ ModelPackageName: created.ModelPackageArn }),
    );
    return { executionArn, described };
  }

  it('registers, playing SageMaker, the model package that the stored definition describes, with a valid branch unchanged', async () => {
    const result = await runCommand([], buildEnv(FIRST));
    expect(result.err).not.toContain('note:');
    const { executionArn, described } = await registerModelOf(BRANCH);
    expect(described.MetadataProperties?.CommitId).toBe(FIRST);
    expect(described.CustomerMetadataProperties).toEqual({
      commit_id: FIRST,
      branch: BRANCH,
      pipeline_execution_id: executionArn.split('/').pop(),
      pipeline_execution_arn: executionArn,
      model_name: 'abalone',
      trigger: 'push',
      test_mode: 'false',
    });
    expect(described.ModelPackageDescription).toBe(`commit ${FIRST} on branch ${BRANCH}`);
    expect(described.ModelApprovalStatus).toBe('PendingManualApproval');
  });

  it('trains experiment/issue#12 and records it as its allowed characters, --- and the branch hash', async () => {
    const branch = 'experiment/issue#12';
    const recorded = branchTagValue(branch);
    expect(recorded).toMatch(/^experiment\/issue-12---[0-9a-f]{16}$/);

    const result = await runCommand([], buildEnv(FIRST, branch));
    expect(result.code).toBe(0);
    expect(result.err).toContain(`note: branch "${branch}" is recorded on the model package and tags as "${recorded}"`);
    expect(result.err).toContain(`pipeline ${sageMakerPipelineName('abalone', branch)} created`);

    const { executionArn, described } = await registerModelOf(branch);
    expect(described.CustomerMetadataProperties).toMatchObject({
      commit_id: FIRST,
      branch: recorded,
      pipeline_execution_arn: executionArn,
    });
    expect(described.ModelPackageDescription).toBe(`commit ${FIRST} on branch ${recorded}`);
    const pipeline = await sagemaker.send(
      new DescribePipelineCommand({ PipelineName: sageMakerPipelineName('abalone', branch) }),
    );
    const tags = await sagemaker.send(new ListTagsCommand({ ResourceArn: pipeline.PipelineArn }));
    expect(tags.Tags).toContainEqual({ Key: 'multibranch-mlops:branch', Value: recorded });
  });

  it.each(["experiment/bob's-idea", 'experiment/a,b', 'experiment/x(1)', `experiment/${'long-'.repeat(60)}end`])(
    'trains %s, recording a branch SageMaker can store as metadata',
    async (branch) => {
      const result = await runCommand([], buildEnv(FIRST, branch));
      expect(result.code).toBe(0);
      const executionArn = result.out[0];
      expect(executionArn).toContain(`:pipeline/${sageMakerPipelineName('abalone', branch)}/execution/`);
      const pipeline = await sagemaker.send(
        new DescribePipelineCommand({ PipelineName: sageMakerPipelineName('abalone', branch) }),
      );
      const recorded = registerModelStep(JSON.parse(pipeline.PipelineDefinition ?? '{}')).Arguments
        .CustomerMetadataProperties?.branch as string;
      expect(recorded).toBe(branchTagValue(branch));
      expect(recorded).not.toBe(branch);
      expect(recorded).toMatch(TAG_VALUE_PATTERN);
      expect(recorded.length).toBeLessThanOrEqual(256);
    },
  );

  it('with several models, creates the missing groups of the models after the first, tagged with the project', async () => {
    const result = await runCommand(
      ['--config', path.join(SEED_SOURCE_DIR, 'examples', 'two-models.yaml')],
      buildEnv(FIRST),
    );
    expect(result.code).toBe(0);
    expect(result.err).toContain('model package group model-abalone-forest created');
    const group = await sagemaker.send(
      new DescribeModelPackageGroupCommand({ ModelPackageGroupName: 'model-abalone-forest' }),
    );
    const tags = await sagemaker.send(new ListTagsCommand({ ResourceArn: group.ModelPackageGroupArn }));
    expect(tags.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'sagemaker:project-name', Value: 'abalone' },
        { Key: 'sagemaker:project-id', Value: 'p-abc123xyz' },
      ]),
    );
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual([
      `${PIPELINE}/code/${FIRST}/evaluate.py`,
      `${PIPELINE}/code/${FIRST}/preprocess.py`,
      `${PIPELINE}/code/${FIRST}/sourcedir-forest.tar.gz`,
      `${PIPELINE}/code/${FIRST}/sourcedir.tar.gz`,
    ]);
    // A second build finds the group and creates nothing.
    const again = await runCommand(
      ['--config', path.join(SEED_SOURCE_DIR, 'examples', 'two-models.yaml')],
      buildEnv(SECOND),
    );
    expect(again.err).toContain('model package group model-abalone-forest found');
  });

  it("refuses a group of another project that has the model's group name (project abalone-forest), starting nothing", async () => {
    await sagemaker.send(
      new CreateModelPackageGroupCommand({
        ModelPackageGroupName: 'model-abalone-forest',
        Tags: [
          { Key: 'sagemaker:project-name', Value: 'abalone-forest' },
          { Key: 'sagemaker:project-id', Value: 'p-other000000' },
        ],
      }),
    );
    const result = await runCommand(
      ['--config', path.join(SEED_SOURCE_DIR, 'examples', 'two-models.yaml')],
      buildEnv(FIRST),
    );
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      'model package group model-abalone-forest exists but belongs to project id p-other000000, not this project (p-abc123xyz)',
    );
    expect((await sagemaker.send(new ListPipelinesCommand({}))).PipelineSummaries ?? []).toEqual([]);
  });
});

/** Names of the members of an uncompressed tar archive. */

describe('bundled run command (the seed repository as staged)', () => {
  let seed: string;

  beforeAll(async () => {
    await moto.reset();
    useMotoEnvironment(moto.endpoint);
    seed = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { stageSeedCode } = require('../../lib/seed-code') as typeof import('../../lib/seed-code');
    stageSeedCode(seed);
    await new S3Client({ forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: BUCKET }));
  });
  afterAll(() => fs.rmSync(seed, { recursive: true, force: true }));

  it('runs the buildspec commands as CodeBuild would, passing a hostile branch name only as data', async () => {
    const buildspec = readBuildspec(seed);
    expect(buildspec.phases.install).toEqual({ 'runtime-versions': { nodejs: 20 } });
    const commands: string[] = buildspec.phases.build.commands;
    expect(commands).toEqual([
      'node run.js --branch "$BRANCH_NAME" --commit "${COMMIT_HASH:-$CODEBUILD_RESOLVED_SOURCE_VERSION}"',
    ]);

    // Run from the seed directory, `$(touch pwned)` would create seed/pwned if bash ever executed the name.
    const hostileBranch = 'feature/$(touch pwned)';
    const hostile = execFileSyncStatus('bash', ['-c', commands.join('\n')], {
      cwd: seed,
      env: buildEnv(FIRST, hostileBranch),
    });
    expect(fs.existsSync(path.join(seed, 'pwned'))).toBe(false);
    expect(hostile.stderr).toContain(`pipeline ${sageMakerPipelineName('abalone', hostileBranch)} created`);
    expect(hostile.status).toBe(0);
    const sagemaker = new SageMakerClient({});
    const hashed = await sagemaker.send(
      new DescribePipelineCommand({ PipelineName: sageMakerPipelineName('abalone', hostileBranch) }),
    );
    expect(hashed.PipelineName).toMatch(/^abalone-feature-touch-pwned---[0-9a-f]{16}$/);
    expect(
      registerModelStep(JSON.parse(hashed.PipelineDefinition ?? '{}')).Arguments.CustomerMetadataProperties,
    ).toMatchObject({
      commit_id: FIRST,
      branch: branchTagValue(hostileBranch),
    });
    expect(branchTagValue(hostileBranch)).toMatch(/^feature\/-touch pwned----[0-9a-f]{16}$/);

    const ok = execFileSyncStatus('bash', ['-c', commands.join('\n')], { cwd: seed, env: buildEnv(FIRST) });
    expect(ok.stderr).toContain(`pipeline ${PIPELINE} created`);
    expect(ok.status).toBe(0);
    expect(ok.stdout.trim()).toMatch(
      new RegExp(`^arn:aws:sagemaker:us-east-1:\\d{12}:pipeline/${PIPELINE}/execution/\\w+$`),
    );
  });
});

function execFileSyncStatus(file: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
  const result = spawnSync(file, args, { ...options, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The members of a .tar.gz as Python's tarfile reads them (name, regular file, text). */
function readTarWithPython(archive: Buffer): { name: string; file: boolean; text: string }[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tar-'));
  try {
    const file = path.join(dir, 'sourcedir.tar.gz');
    fs.writeFileSync(file, archive);
    const script =
      'import json, sys, tarfile\n' +
      'with tarfile.open(sys.argv[1], "r:gz") as t:\n' +
      '    print(json.dumps([{"name": m.name, "file": m.isfile(), "text": t.extractfile(m).read().decode() if m.isfile() else ""} for m in t.getmembers()]))\n';
    return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' })) as {
      name: string;
      file: boolean;
      text: string;
    }[];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
