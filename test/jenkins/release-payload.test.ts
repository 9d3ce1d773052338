/**
 * The Jenkins (and GitHub Actions) release step end to end against moto_server: ci/release.sh runs on a real
 * merge in a real git repository, and the payload it sends is handed to the real release function handler, whose
 * SageMaker and DynamoDB clients talk to moto. moto runs no Lambda code without Docker, so the invocation itself is
 * the one step played by the test: the recording `aws` wrapper captures the payload, and the test invokes the handler
 * with exactly those bytes (and, where the script reads the answer, runs it again with the handler's answer).
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DescribeModelPackageCommand, ListModelPackagesCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import {
  createReleaseResources,
  registerFromExecution,
  releaseEnvironment,
  ReleaseResources,
  stateChangeEvent,
} from '../support/model-registry';
import { SageMakerStepsStandIn, startSageMakerStepsStandIn } from '../support/sagemaker-steps';
import { MotoServer, startMoto, useMotoEnvironment } from '../support/moto';
import { RELEASE_SCRIPT, seedFile } from './support/ci-files';
import { GitRepo, ScriptSandbox } from './support/run-script';

const PROJECT = 'churn';
const GROUP = `model-${PROJECT}`;
const TABLE = `${PROJECT}-release-intents`;
const RESOURCES: ReleaseResources = {
  projectName: PROJECT,
  projectId: 'p-churn0000001',
  group: GROUP,
  intentTable: TABLE,
  indexTable: `${PROJECT}-commit-index`,
  bucket: `${PROJECT}-artifacts`,
};
let steps: SageMakerStepsStandIn;

type Handler = (event: unknown) => Promise<{ outcome: string; commitId?: string; modelPackageArn?: string }>;

/** The release script file the Jenkinsfile and the workflow run (checked in ci-files.test.ts). */
function releaseScript(): string {
  return seedFile(RELEASE_SCRIPT);
}

/** The release function as Lambda loads it: configuration from the environment at cold start. */
function loadHandler(): Handler {
  let handler: Handler | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handler = (require('../../lambda/release-model/index') as { handler: Handler }).handler;
  });
  if (handler === undefined) throw new Error('release-model/index exports no handler');
  return handler;
}

/** A run of the branch's pipeline registers the version; SageMaker's state change reaches the function (indexes it). */
async function register(
  sagemaker: SageMakerClient,
  commitId: string,
  branch: string,
  options: { deliver?: boolean } = {},
): Promise<string> {
  const { arn } = await registerFromExecution(
    { sagemaker, s3: new S3Client({ forcePathStyle: true }) },
    steps,
    RESOURCES,
    {
      commitId,
      branch,
    },
  );
  if (options.deliver ?? true) await loadHandler()(await stateChangeEvent(sagemaker, arn));
  return arn;
}

async function approvalOf(sagemaker: SageMakerClient, arn: string): Promise<string | undefined> {
  const described = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
  return described.ModelApprovalStatus;
}

describe('the release step with the release function, against moto_server', () => {
  let moto: MotoServer;
  let sandbox: ScriptSandbox;
  let sagemaker: SageMakerClient;
  const saved = { ...process.env };

  beforeAll(async () => {
    moto = await startMoto();
    steps = await startSageMakerStepsStandIn(moto.endpoint);
    sandbox = new ScriptSandbox();
  });
  afterAll(async () => {
    await steps.stop();
    sandbox.remove();
    await moto.stop();
    process.env = saved;
  });
  beforeEach(async () => {
    await moto.reset();
    useMotoEnvironment(moto.endpoint);
    Object.assign(process.env, {
      ...releaseEnvironment(RESOURCES, `model-${PROJECT}-train`),
      // moto has no ListPipelineExecutionSteps: the function's SageMaker client goes through the stand-in.
      AWS_ENDPOINT_URL_SAGEMAKER: steps.endpoint,
      LOG_LEVEL: 'ERROR',
    });
    sagemaker = new SageMakerClient({});
    await createReleaseResources(
      { sagemaker, dynamodb: new DynamoDBClient({}), s3: new S3Client({ forcePathStyle: true }) },
      RESOURCES,
    );
  });

  /** main, and experiment/deeper-trees with two commits whose training is still running, merged by `merge`. */
  function mergedWhileTraining(merge: (repo: GitRepo) => void) {
    const repo = new GitRepo(sandbox.dir);
    repo.git('checkout', '-q', '-b', 'experiment/deeper-trees');
    repo.write('train.py', 'depth = 4\n');
    const first = repo.commit('depth 4');
    repo.write('train.py', 'depth = 8\n');
    const head = repo.commit('depth 8');
    repo.git('checkout', '-q', 'main');
    repo.write('README.md', 'main moved on\n');
    repo.commit('main moved on');
    merge(repo);
    return { repo, first, head };
  }

  /** As mergedWhileTraining, but both commits' models (and another branch's) are registered before the merge runs. */
  async function trainedAndMerged(merge: (repo: GitRepo) => void) {
    const { repo, first, head } = mergedWhileTraining(merge);
    const firstArn = await register(sagemaker, first, 'experiment/deeper-trees');
    const headArn = await register(sagemaker, head, 'experiment/deeper-trees');
    const otherArn = await register(sagemaker, 'c'.repeat(40), 'experiment/other');
    return { repo, head, headArn, firstArn, otherArn };
  }

  it('approves the version of the merged branch head after a merge commit, and only it', async () => {
    const { repo, head, headArn, firstArn, otherArn } = await trainedAndMerged((r) =>
      r.git('merge', '-q', '--no-ff', '-m', 'Merge experiment/deeper-trees', 'experiment/deeper-trees'),
    );
    const run = await sandbox.run(releaseScript(), repo.dir, { MLOPS_PROJECT_NAME: PROJECT });
    expect(run.code).toBe(0);
    expect(run.payloads).toHaveLength(1);

    const result = await loadHandler()(JSON.parse(run.payloads[0] as string));

    expect(result).toMatchObject({ outcome: 'approved', commitId: head, modelPackageArn: headArn });
    expect(await approvalOf(sagemaker, headArn)).toBe('Approved');
    expect(await approvalOf(sagemaker, firstArn)).toBe('PendingManualApproval');
    expect(await approvalOf(sagemaker, otherArn)).toBe('PendingManualApproval');

    // Jenkins replays the build: the same payload changes nothing more.
    const again = await loadHandler()(JSON.parse(run.payloads[0] as string));
    expect(again.outcome).toBe('already-approved');
  });

  it('approves the merged branch head once registered when the merge lands while training still runs', async () => {
    // prepare: the branch build started the SageMaker pipeline and returned; main is merged before it registers.
    const { repo, first, head } = mergedWhileTraining((r) =>
      r.git('merge', '-q', '--no-ff', '-m', 'Merge experiment/deeper-trees', 'experiment/deeper-trees'),
    );
    const run = await sandbox.run(releaseScript(), repo.dir, { MLOPS_PROJECT_NAME: PROJECT });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.payloads[0] as string)).toEqual({ commit_id: head, approve_when_registered: true });

    // act 1: the release function receives the CI payload before any version of the head exists
    const early = await loadHandler()(JSON.parse(run.payloads[0] as string));

    // assert 1: the merge is recorded, nothing approved, and the step reports it without failing
    expect(early).toMatchObject({ outcome: 'intent-recorded', commitId: head });
    const intent = await new DynamoDBClient({}).send(
      new GetItemCommand({ TableName: TABLE, Key: { commitId: { S: head } } }),
    );
    expect(intent.Item).toMatchObject({
      status: { S: 'pending' },
      trigger: { M: { kind: { S: 'direct-invocation' } } },
    });
    expect(Number(intent.Item?.expiresAt?.N)).toBeGreaterThan(Date.now() / 1000 + 13 * 86_400);
    const answered = await sandbox.run(releaseScript(), repo.dir, {
      MLOPS_PROJECT_NAME: PROJECT,
      FAKE_LAMBDA_RESPONSE: JSON.stringify(early),
    });
    expect(answered.code).toBe(0);
    expect(answered.stdout).toContain(`No model version of ${head} is registered yet`);
    expect(answered.stderr).toBe('');

    // act 2: training ends; the pipeline registers both commits' models and SageMaker reports the head's
    const firstArn = await register(sagemaker, first, 'experiment/deeper-trees');
    const headArn = await register(sagemaker, head, 'experiment/deeper-trees', { deliver: false });
    const registered = await loadHandler()(await stateChangeEvent(sagemaker, headArn));

    // assert 2: exactly the head's version is Approved, saying why
    expect(registered).toMatchObject({ outcome: 'approved', commitId: head, modelPackageArn: headArn });
    expect(await approvalOf(sagemaker, headArn)).toBe('Approved');
    expect(await approvalOf(sagemaker, firstArn)).toBe('PendingManualApproval');
    const described = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: headArn }));
    expect(described.ApprovalDescription).toMatch(
      new RegExp(
        `^Approved by direct invocation \\(CI, facts from the payload\\) for commit ${head}\\. The direct invocation .* approved on registration\\.$`,
      ),
    );
    expect(described.CustomerMetadataProperties).toMatchObject({
      commit_id: head,
      release_trigger: 'direct-invocation',
    });
    const done = await new DynamoDBClient({}).send(
      new GetItemCommand({ TableName: TABLE, Key: { commitId: { S: head } } }),
    );
    expect(done.Item).toMatchObject({ status: { S: 'done' }, approvedModelPackageArn: { S: headArn } });

    // Jenkins replays the build: the same payload changes nothing more.
    const again = await loadHandler()(JSON.parse(run.payloads[0] as string));
    expect(again.outcome).toBe('already-approved');
  });

  it('approves nothing after a squash merge without GitHub credentials, and warns that no branch trained HEAD (documented limit)', async () => {
    let squash = '';
    const { repo } = await trainedAndMerged((r) => {
      r.git('merge', '-q', '--squash', 'experiment/deeper-trees');
      squash = r.commit('Squashed experiment/deeper-trees');
    });
    const run = await sandbox.run(releaseScript(), repo.dir, { MLOPS_PROJECT_NAME: PROJECT });
    expect(JSON.parse(run.payloads[0] as string)).toEqual({ commit_id: squash, approve_when_registered: true });

    const result = await loadHandler()(JSON.parse(run.payloads[0] as string));
    expect(result).toMatchObject({ outcome: 'intent-recorded', commitId: squash });
    const listed = await sagemaker.send(new ListModelPackagesCommand({ ModelPackageGroupName: GROUP }));
    expect(listed.ModelPackageSummaryList?.map((p) => p.ModelApprovalStatus)).toEqual([
      'PendingManualApproval',
      'PendingManualApproval',
      'PendingManualApproval',
    ]);
    const answered = await sandbox.run(releaseScript(), repo.dir, {
      MLOPS_PROJECT_NAME: PROJECT,
      FAKE_LAMBDA_RESPONSE: JSON.stringify(result),
    });
    expect(answered.code).toBe(0);
    expect(answered.stderr).toContain(`warning: if ${squash} is a squash or rebase merge, no branch trained it`);
  });
});
