/**
 * The Jenkins (and GitHub Actions) release step end to end against moto_server: the release script runs on a real
 * merge in a real git repository, and the payload it sends is handed to the real release function handler, whose
 * SageMaker and DynamoDB clients talk to moto. moto runs no Lambda code without Docker, so the invocation itself is
 * the one step played by the test: the recording `aws` wrapper captures the payload, and the test invokes the handler
 * with exactly those bytes.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  DescribeModelPackageCommand,
  ListModelPackagesCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { MotoServer, startMoto, useMotoEnvironment } from '../support/moto';
import { jenkinsShellSteps, readJenkinsfile } from './support/ci-files';
import { GitRepo, ScriptSandbox } from './support/run-script';

const PROJECT = 'churn';
const GROUP = `model-${PROJECT}`;
const TABLE = `${PROJECT}-release-intents`;

type Handler = (event: unknown) => Promise<{ outcome: string; commitId?: string; modelPackageArn?: string }>;

function releaseScript(): string {
  const step = jenkinsShellSteps(readJenkinsfile()).find((s) => s.label === 'Release the merged branch model');
  if (step === undefined) throw new Error('Jenkinsfile has no release step');
  return step.script;
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

/** Registers a version per the metadata contract in docs/design.md, as the pipeline's RegisterModel step does. */
async function register(sagemaker: SageMakerClient, commitId: string, branch: string): Promise<string> {
  const created = await sagemaker.send(
    new CreateModelPackageCommand({
      ModelPackageGroupName: GROUP,
      ModelPackageDescription: `commit ${commitId} trained on ${branch}`,
      ModelApprovalStatus: 'PendingManualApproval',
      MetadataProperties: { CommitId: commitId },
      CustomerMetadataProperties: {
        commit_id: commitId,
        branch,
        pipeline_execution_arn: `arn:aws:sagemaker:us-east-1:123456789012:pipeline/${PROJECT}-x/execution/${commitId.slice(0, 12)}`,
      },
      InferenceSpecification: {
        Containers: [
          { Image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/sklearn:1.2-1', ModelDataUrl: 's3://b/m.tar.gz' },
        ],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['text/csv'],
      },
    }),
  );
  return created.ModelPackageArn as string;
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
    sandbox = new ScriptSandbox();
  });
  afterAll(async () => {
    sandbox.remove();
    await moto.stop();
    process.env = saved;
  });
  beforeEach(async () => {
    await moto.reset();
    useMotoEnvironment(moto.endpoint);
    Object.assign(process.env, {
      PROJECT_NAME: PROJECT,
      REPOSITORY_NAME: `model-${PROJECT}-train`,
      MAIN_BRANCH: 'main',
      MODEL_PACKAGE_GROUP_NAME: GROUP,
      INTENT_TABLE_NAME: TABLE,
      LOG_LEVEL: 'ERROR',
    });
    sagemaker = new SageMakerClient({});
    await sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: GROUP }));
    await new DynamoDBClient({}).send(
      new CreateTableCommand({
        TableName: TABLE,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'commitId', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'commitId', KeyType: 'HASH' }],
      }),
    );
  });

  /** main, and experiment/deeper-trees with two trained commits, merged with a merge commit. */
  async function trainedAndMerged(merge: (repo: GitRepo) => void) {
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

  it('approves nothing after a squash merge without GitHub credentials, and says no version exists (documented limit)', async () => {
    let squash = '';
    const { repo } = await trainedAndMerged((r) => {
      r.git('merge', '-q', '--squash', 'experiment/deeper-trees');
      squash = r.commit('Squashed experiment/deeper-trees');
    });
    const run = await sandbox.run(releaseScript(), repo.dir, { MLOPS_PROJECT_NAME: PROJECT });
    expect(JSON.parse(run.payloads[0] as string)).toEqual({ commit_id: squash });

    await expect(loadHandler()(JSON.parse(run.payloads[0] as string))).rejects.toThrow(squash);
    const listed = await sagemaker.send(new ListModelPackagesCommand({ ModelPackageGroupName: GROUP }));
    expect(listed.ModelPackageSummaryList?.map((p) => p.ModelApprovalStatus)).toEqual([
      'PendingManualApproval',
      'PendingManualApproval',
      'PendingManualApproval',
    ]);
  });
});
