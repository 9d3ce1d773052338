/**
 * The real branch handler, with the real AWS SDK, against moto_server: the per-branch template synthesized from
 * lib/branch-pipeline-stack.ts and uploaded to the emulator's S3, stacks created and deleted by CloudFormation,
 * SageMaker pipelines deleted by SageMaker.
 *
 * One stub: moto 5.2 has no CodeCommit branch APIs, so the CodeCommit client's ListBranches and GetBranch (the only
 * CodeCommit calls the function makes) answer from `repositoryBranches` below; GetBranch of a branch that is not
 * there fails with BranchDoesNotExistException, as CodeCommit does. CloudFormation, S3 and SageMaker are moto.
 */
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand, Stack } from '@aws-sdk/client-cloudformation';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateModelPackageGroupCommand,
  CreatePipelineCommand,
  DescribePipelineCommand,
  ListModelPackageGroupsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { synthesizeBranchTemplate } from '../../lib/branch-pipeline-stack';
import { branchStackName, branchTagValue, codePipelineName, sageMakerPipelineName } from '../../contracts/naming';
import { isSageMakerNotFound } from '../../contracts/sdk-errors/sagemaker';
import { MotoServer, startMoto, useMotoEnvironment } from '../support/moto';
import { NO_CREATION_STACKS } from '../support/creation-stacks';
import { ENV, referenceEvent } from '../lambda/branch-pipeline/support';

type HandlerModule = typeof import('../../lambda/branch-pipeline/index');
type CodeCommitModule = typeof import('@aws-sdk/client-codecommit');

const PROJECT = ENV.PROJECT_NAME;
const BUCKET = 'fraud-assets';
const TEMPLATE_KEY = 'templates/branch-pipeline.template.json';

let moto: MotoServer;
let handler: HandlerModule['handler'];
let repositoryBranches: string[] = [];
let cloudformation: CloudFormationClient;
let sagemaker: SageMakerClient;
let s3: S3Client;
let templateFile: string;
const savedEnv = process.env;

beforeAll(async () => {
  moto = await startMoto();
  process.env = { ...savedEnv };
  useMotoEnvironment(moto.endpoint);
  // Without CDK's built-in CloudFormation validation (about 8 CPU-s of WebAssembly), as the other tests synthesize:
  // the template's own checks are test/lib/branch-pipeline-stack.test.ts's and cfn-lint's; here moto deploys it.
  process.env.CDK_VALIDATION = 'false';
  templateFile = synthesizeBranchTemplate(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bp-it-')), 't.json'), {
    context: NO_CREATION_STACKS,
  });
  Object.assign(process.env, ENV, {
    // The virtual-hosted S3 URL form the project template passes; moto reads bucket and key from it.
    PIPELINE_TEMPLATE_URL: `https://${BUCKET}.s3.us-east-1.amazonaws.com/${TEMPLATE_KEY}`,
    LOG_LEVEL: 'ERROR',
  });
  jest.isolateModules(() => {
    const codecommit = jest.requireActual<CodeCommitModule>('@aws-sdk/client-codecommit');
    const stub = mockClient(codecommit.CodeCommitClient);
    stub.on(codecommit.ListBranchesCommand).callsFake(async () => ({ branches: [...repositoryBranches] }));
    stub.on(codecommit.GetBranchCommand).callsFake(async (input: { branchName?: string }) => {
      if (input.branchName === undefined || !repositoryBranches.includes(input.branchName)) {
        throw new codecommit.BranchDoesNotExistException({ $metadata: {}, message: `${input.branchName} not found` });
      }
      return { branch: { branchName: input.branchName, commitId: '0'.repeat(40) } };
    });
    handler = jest.requireActual<HandlerModule>('../../lambda/branch-pipeline/index').handler;
  });
  cloudformation = new CloudFormationClient({});
  sagemaker = new SageMakerClient({});
  s3 = new S3Client({ forcePathStyle: true });
});

afterAll(async () => {
  await moto.stop();
  process.env = savedEnv;
  fs.rmSync(path.dirname(templateFile), { recursive: true, force: true });
});

beforeEach(async () => {
  await moto.reset();
  repositoryBranches = ['main'];
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: TEMPLATE_KEY, Body: fs.readFileSync(templateFile) }));
});

async function stacksNamed(name: string): Promise<Stack[]> {
  const out = await cloudformation.send(new DescribeStacksCommand({}));
  return (out.Stacks ?? []).filter((s) => s.StackName === name && s.StackStatus !== 'DELETE_COMPLETE');
}

async function stackOf(branch: string): Promise<Stack | undefined> {
  const found = await stacksNamed(branchStackName(PROJECT, branch));
  expect(found.length).toBeLessThanOrEqual(1);
  return found[0];
}

const parametersOf = (stack: Stack) =>
  Object.fromEntries((stack.Parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue]));
const tagsOf = (stack: Stack) => Object.fromEntries((stack.Tags ?? []).map((t) => [t.Key, t.Value]));

/** Creates the branch's SageMaker pipeline, tagged as the seed code tags it (or with `tags`). */
async function createSageMakerPipeline(
  branch: string,
  tags = [
    { Key: 'sagemaker:project-name', Value: PROJECT },
    { Key: 'sagemaker:project-id', Value: ENV.PROJECT_ID },
    { Key: 'multibranch-mlops:branch', Value: branchTagValue(branch) },
  ],
): Promise<void> {
  await sagemaker.send(
    new CreatePipelineCommand({
      PipelineName: sageMakerPipelineName(PROJECT, branch),
      PipelineDefinition: JSON.stringify({ Version: '2020-12-01', Steps: [] }),
      RoleArn: 'arn:aws:iam::123456789012:role/sagemaker',
      ClientRequestToken: 'a'.repeat(32),
      Tags: tags,
    }),
  );
}

/** Whether the branch's SageMaker pipeline exists: only SageMaker's not-found answer means absent; any other error fails. */
async function sageMakerPipelineExists(branch: string): Promise<boolean> {
  try {
    await sagemaker.send(new DescribePipelineCommand({ PipelineName: sageMakerPipelineName(PROJECT, branch) }));
    return true;
  } catch (err) {
    if (isSageMakerNotFound(err)) return false;
    throw err;
  }
}

describe('branch function against moto', () => {
  it.each(['experiment/a_b.c', 'experiment/$(whoami)/`id`;x'])(
    'creates the branch stack of %s from the synthesized template with the right name, parameters and tags',
    async (branch) => {
      repositoryBranches.push(branch);
      const result = await handler(referenceEvent('referenceCreated', branch));

      expect(result).toMatchObject({ action: 'create', stack: 'created' });
      const stack = await stackOf(branch);
      expect(stack).toMatchObject({ StackName: branchStackName(PROJECT, branch), StackStatus: 'CREATE_COMPLETE' });
      expect(parametersOf(stack!)).toEqual({
        ...JSON.parse(ENV.PIPELINE_STACK_PARAMETERS),
        BranchName: branch,
        PipelineName: codePipelineName(PROJECT, branch),
      });
      expect(tagsOf(stack!)).toMatchObject({
        'sagemaker:project-name': PROJECT,
        'sagemaker:project-id': ENV.PROJECT_ID,
        'multibranch-mlops:branch': branchTagValue(branch),
      });
      expect(stack!.RoleARN).toBe(ENV.CLOUDFORMATION_ROLE_ARN);
    },
  );

  it('leaves one stack after a duplicate event', async () => {
    repositoryBranches.push('experiment/dup');
    const event = referenceEvent('referenceCreated', 'experiment/dup');
    await expect(handler(event)).resolves.toMatchObject({ stack: 'created' });
    await expect(handler(event)).resolves.toMatchObject({ stack: 'exists' });
    await expect(handler(referenceEvent('referenceUpdated', 'experiment/dup'))).resolves.toMatchObject({
      stack: 'exists',
    });
    expect(await stacksNamed(branchStackName(PROJECT, 'experiment/dup'))).toHaveLength(1);
  });

  it('creates the stack on a push when the create event was lost', async () => {
    repositoryBranches.push('experiment/late');
    await expect(handler(referenceEvent('referenceUpdated', 'experiment/late'))).resolves.toMatchObject({
      action: 'heal',
      stack: 'created',
    });
    expect(await stackOf('experiment/late')).toBeDefined();
  });

  it('deletes the stack and the branch’s SageMaker pipeline, and keeps model packages and artifacts', async () => {
    const branch = 'experiment/gone';
    repositoryBranches.push(branch);
    await handler(referenceEvent('referenceCreated', branch));
    await createSageMakerPipeline(branch);
    repositoryBranches = repositoryBranches.filter((b) => b !== branch);
    await createSageMakerPipeline('experiment/kept');
    await sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: `model-${PROJECT}` }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'artifacts/model.tar.gz', Body: 'model' }));

    await expect(handler(referenceEvent('referenceDeleted', branch))).resolves.toEqual({
      action: 'delete',
      branch,
      stack: 'deleting',
      sageMakerPipeline: 'deleted',
    });

    expect(await stackOf(branch)).toBeUndefined();
    expect(await sageMakerPipelineExists(branch)).toBe(false);
    expect(await sageMakerPipelineExists('experiment/kept')).toBe(true);
    const groups = await sagemaker.send(new ListModelPackageGroupsCommand({}));
    expect(groups.ModelPackageGroupSummaryList?.map((g) => g.ModelPackageGroupName)).toEqual([`model-${PROJECT}`]);
    const objects = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    expect(objects.Contents?.map((o) => o.Key)).toContain('artifacts/model.tar.gz');
  });

  it('keeps a SageMaker pipeline with the branch’s name that lacks the project’s id tag', async () => {
    const branch = 'experiment/untagged';
    repositoryBranches.push(branch);
    await handler(referenceEvent('referenceCreated', branch));
    await createSageMakerPipeline(branch, []);
    repositoryBranches = repositoryBranches.filter((b) => b !== branch);

    await expect(handler(referenceEvent('referenceDeleted', branch))).resolves.toMatchObject({
      stack: 'deleting',
      sageMakerPipeline: 'not-ours',
    });
    expect(await stackOf(branch)).toBeUndefined();
    expect(await sageMakerPipelineExists(branch)).toBe(true);
  });

  it('ignores a late delete event of a branch created again since, keeping its stack and pipeline', async () => {
    const branch = 'experiment/again';
    repositoryBranches.push(branch);
    await handler(referenceEvent('referenceCreated', branch));
    await createSageMakerPipeline(branch);

    await expect(handler(referenceEvent('referenceDeleted', branch))).resolves.toEqual({
      action: 'ignored',
      reason: 'branch exists again',
      branch,
    });
    expect(await stackOf(branch)).toMatchObject({ StackStatus: 'CREATE_COMPLETE' });
    expect(await sageMakerPipelineExists(branch)).toBe(true);
  });

  it('creates nothing for late create and push events of a branch deleted since', async () => {
    const branch = 'experiment/deleted-early';
    repositoryBranches.push(branch);
    await handler(referenceEvent('referenceCreated', branch, { id: 'created-1' }));
    repositoryBranches = repositoryBranches.filter((b) => b !== branch);
    await handler(referenceEvent('referenceDeleted', branch));
    expect(await stackOf(branch)).toBeUndefined();

    const ignored = { action: 'ignored', reason: 'branch no longer exists', branch };
    await expect(handler(referenceEvent('referenceCreated', branch, { id: 'created-1' }))).resolves.toEqual(ignored);
    await expect(handler(referenceEvent('referenceUpdated', branch))).resolves.toEqual(ignored);
    expect(await stackOf(branch)).toBeUndefined();
  });

  it('is fine deleting what is already gone', async () => {
    const event = referenceEvent('referenceDeleted', 'experiment/never');
    await expect(handler(event)).resolves.toMatchObject({ stack: 'absent', sageMakerPipeline: 'absent' });
    await expect(handler(event)).resolves.toMatchObject({ stack: 'absent', sageMakerPipeline: 'absent' });
  });

  it('never deletes a stack with the branch’s name that lacks the project’s tags', async () => {
    const branch = 'experiment/foreign';
    await cloudformation.send(
      new CreateStackCommand({
        StackName: branchStackName(PROJECT, branch),
        TemplateURL: process.env.PIPELINE_TEMPLATE_URL,
        Parameters: Object.entries({
          ...JSON.parse(ENV.PIPELINE_STACK_PARAMETERS),
          BranchName: branch,
          PipelineName: 'x',
        }).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue: String(ParameterValue) })),
      }),
    );
    await createSageMakerPipeline(branch);

    await expect(handler(referenceEvent('referenceDeleted', branch))).rejects.toThrow(/does not carry the tags/);
    expect(await stackOf(branch)).toBeDefined();
    expect(await sageMakerPipelineExists(branch)).toBe(true);
  });

  it('reconciles a lost create and a lost delete, and ignores what is not the project’s', async () => {
    // Stacks for experiment/kept and experiment/deleted exist; then experiment/deleted's delete event is lost.
    repositoryBranches = ['main', 'experiment/kept', 'experiment/deleted'];
    await handler(referenceEvent('referenceCreated', 'experiment/kept'));
    await handler(referenceEvent('referenceCreated', 'experiment/deleted'));
    await createSageMakerPipeline('experiment/deleted');
    // experiment/new's create event is lost: the branch exists, its stack does not.
    repositoryBranches = ['main', 'experiment/kept', 'experiment/new', 'feature/x'];
    const keptId = (await stackOf('experiment/kept'))!.StackId;

    const result = await handler({ action: 'reconcile' });

    expect(result).toEqual({
      action: 'reconcile',
      branches: 2,
      created: ['experiment/new'],
      recreated: [],
      unchanged: ['experiment/kept'],
      deleted: [branchStackName(PROJECT, 'experiment/deleted')],
      refused: [],
      kept: [],
      failed: [],
    });
    expect(await stackOf('experiment/new')).toMatchObject({ StackStatus: 'CREATE_COMPLETE' });
    expect((await stackOf('experiment/kept'))!.StackId).toBe(keptId);
    expect(await stackOf('experiment/deleted')).toBeUndefined();
    expect(await sageMakerPipelineExists('experiment/deleted')).toBe(false);
    expect(await stackOf('feature/x')).toBeUndefined();

    // A second run finds nothing to do.
    await expect(handler({ action: 'reconcile' })).resolves.toMatchObject({
      created: [],
      deleted: [],
      unchanged: ['experiment/kept', 'experiment/new'],
    });
  });

  it('rejects a malformed event and creates nothing', async () => {
    const event = referenceEvent('referenceCreated', 'experiment/bad');
    delete event.detail.commitId;
    await expect(handler(event)).rejects.toThrow(/detail\.commitId/);
    const out = await cloudformation.send(new DescribeStacksCommand({}));
    expect(out.Stacks ?? []).toEqual([]);
  });
});
