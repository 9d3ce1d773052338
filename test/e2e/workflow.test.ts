/**
 * The team's day, end to end: real git, the deployed code (the esbuild bundles and environment of the synthesized
 * project template), events matched against the template's own rules, moto_server as AWS.
 *
 * Where moto falls short the test plays the service on top of it, and says so:
 * - CodeCommit: a bare git repository is the repository; its events come from the git adapter in the documented
 *   shapes; the branch APIs the handlers call (ListBranches, GetBranch) are answered from it by a local stand-in.
 * - CodePipeline / CodeBuild: moto creates the branch stacks but skips their pipelines; the test runs a branch's
 *   build when the deployed stack's trigger rule matches (or the stack was just created), with the buildspec's
 *   commands and the variables of the templates.
 * - SageMaker: moto records pipelines and executions but runs no steps; completing an execution registers the model
 *   version with the request the RegisterModel step of the stored definition describes.
 *
 * The steps share one world and run in order: each `it` is a chapter of the story.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DescribeStacksCommand, CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { callReport } from '../support/iam-enforcement';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeModelPackageCommand,
  DescribePipelineCommand,
  ListModelPackagesCommand,
  ListPipelineExecutionsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { parseDocument } from 'yaml';
import { branchStackName, codePipelineName, sageMakerPipelineName } from '../../contracts/naming';
import { BuildRun } from './support/branch-pipelines';
import { EventBus } from './support/event-bus';
import { matchesEventPattern } from './support/event-pattern';
import { AwsEvent, WorkClone } from './support/git-events';
import { DeliveryReport, PROJECT_NAME, World } from './support/world';

jest.setTimeout(180_000);

const DEEPER = 'experiment/deeper-trees';
const MORE_DATA = 'experiment/more-data';
const EARLY = 'experiment/early-merge';
const TWICE = 'experiment/twice';
const GROUP = `model-${PROJECT_NAME}`;
/** The reviewer the approval rule needs (the CodeCommit stand-in: one approval by someone other than the author). */
const LEAD = 'arn:aws:iam::123456789012:user/lead';
const EXECUTION_ARN = /^arn:aws:sagemaker:[a-z0-9-]+:\d{12}:pipeline\/[^/]+\/execution\/\S+$/;

let world: World;
const cloudformation = () => new CloudFormationClient({});
const sagemaker = () => new SageMakerClient({});

/** Changes a value of the seed's pipeline.yaml the way a data scientist would (comments kept), and commits. */
function tweak(clone: WorkClone, at: (string | number)[], value: unknown, message: string): string {
  const doc = parseDocument(clone.read('pipeline.yaml'));
  if (!doc.hasIn(at)) throw new Error(`pipeline.yaml has no ${at.join('.')}`);
  doc.setIn(at, value);
  return clone.commit({ 'pipeline.yaml': doc.toString() }, message);
}

/** Function logical ids → how often each was invoked by these reports, and every invocation's error. */
function summary(reports: DeliveryReport[]) {
  const invoked: Record<string, string[]> = {};
  const errors: string[] = [];
  for (const report of reports) {
    for (const d of report.deliveries) {
      (invoked[d.invocation.functionLogicalId] ??= []).push(d.rule);
      if (!d.invocation.ok) {
        errors.push(`${d.rule}: ${d.invocation.error?.name}: ${d.invocation.error?.message}\n${d.invocation.logTail}`);
      }
    }
  }
  return { invoked, errors };
}

function resultsOf(reports: DeliveryReport[], functionLogicalId: string): unknown[] {
  return reports.flatMap((r) =>
    r.deliveries.filter((d) => d.invocation.functionLogicalId === functionLogicalId).map((d) => d.invocation.result),
  );
}

/** The execution ARN a build's run.js printed; fails with the build's output if it did not succeed. */
function executionOf(build: BuildRun | undefined): string {
  if (!build) throw new Error('no build ran');
  if (build.exitCode !== 0) {
    throw new Error(`build of ${build.branch} exited ${build.exitCode}:\n${build.stderr}\n${build.stdout}`);
  }
  const arn = build.stdout.trim().split('\n').pop() ?? '';
  expect(arn).toMatch(EXECUTION_ARN);
  return arn;
}

async function stackStatus(branch: string): Promise<string> {
  try {
    const out = await cloudformation().send(
      new DescribeStacksCommand({ StackName: branchStackName(PROJECT_NAME, branch) }),
    );
    return out.Stacks?.[0]?.StackStatus ?? 'ABSENT';
  } catch (err) {
    if (/does not exist/.test((err as Error).message)) return 'ABSENT';
    throw err;
  }
}

async function pipelineExists(branch: string): Promise<boolean> {
  try {
    await sagemaker().send(new DescribePipelineCommand({ PipelineName: sageMakerPipelineName(PROJECT_NAME, branch) }));
    return true;
  } catch (err) {
    if (/ResourceNotFound|could not find|does not exist/i.test(`${(err as Error).name} ${(err as Error).message}`)) {
      return false;
    }
    throw err;
  }
}

interface Version {
  readonly arn: string;
  readonly version: number;
  readonly commit: string;
  readonly branch: string;
  readonly status: string;
}

/** Every version in the project's group, oldest first, with the metadata contract's commit and branch. */
async function versions(): Promise<Version[]> {
  const list = await sagemaker().send(
    new ListModelPackagesCommand({ ModelPackageGroupName: GROUP, SortBy: 'CreationTime', SortOrder: 'Ascending' }),
  );
  const out: Version[] = [];
  for (const summary of list.ModelPackageSummaryList ?? []) {
    const described = await sagemaker().send(
      new DescribeModelPackageCommand({ ModelPackageName: summary.ModelPackageArn }),
    );
    out.push({
      arn: described.ModelPackageArn ?? '',
      version: described.ModelPackageVersion ?? 0,
      commit: described.MetadataProperties?.CommitId ?? '',
      branch: described.CustomerMetadataProperties?.branch ?? '',
      status: described.ModelApprovalStatus ?? '',
    });
  }
  return out;
}

/** Everything the story's steps change: stacks, SageMaker pipelines and executions, versions, intents. */
async function snapshot() {
  const stacks = await world.pipelines.stacks();
  const pipelines: Record<string, number> = {};
  for (const branch of [DEEPER, MORE_DATA, EARLY, TWICE]) {
    if (!(await pipelineExists(branch))) continue;
    const executions = await sagemaker().send(
      new ListPipelineExecutionsCommand({ PipelineName: sageMakerPipelineName(PROJECT_NAME, branch) }),
    );
    pipelines[branch] = executions.PipelineExecutionSummaries?.length ?? 0;
  }
  const table = world.functionWith('INTENT_TABLE_NAME').environment.INTENT_TABLE_NAME;
  const intents = await new DynamoDBClient({}).send(new ScanCommand({ TableName: table }));
  return {
    stacks: [...stacks.values()].map((s) => `${s.stackName}:${s.branch}`).sort(),
    pipelines,
    versions: await versions(),
    intents: (intents.Items ?? []).map((item) => JSON.stringify(item)).sort(),
  };
}

beforeAll(async () => {
  world = await World.create();
}, 120_000);

afterAll(async () => {
  await world?.dispose();
});

describe('the team day, end to end', () => {
  let branchFn: string;
  let releaseFn: string;
  let reportFn: string;
  const alice = { tips: [] as string[], executions: [] as string[], events: [] as AwsEvent[] };
  const bob = { tips: [] as string[], executions: [] as string[], events: [] as AwsEvent[] };
  let aliceClone: WorkClone;
  let bobClone: WorkClone;

  beforeAll(() => {
    branchFn = world.functionWith('PIPELINE_TEMPLATE_URL').logicalId;
    releaseFn = world.functionWith('INTENT_TABLE_NAME').logicalId;
    reportFn = world.functionWith('ARTIFACT_BUCKET').logicalId;
  });

  it('1. two data scientists push experiment branches: each gets a branch stack and a SageMaker pipeline', async () => {
    aliceClone = world.repository.clone('alice');
    aliceClone.newBranch(DEEPER);
    alice.tips.push(tweak(aliceClone, ['models', 0, 'hyperparameters', 'max_depth'], 6, 'deeper'));
    alice.events = aliceClone.push(DEEPER);

    bobClone = world.repository.clone('bob');
    bobClone.newBranch(MORE_DATA);
    bob.tips.push(
      tweak(bobClone, ['steps', 'PreprocessData', 'arguments', 'test-fraction'], 0.1, 'more training data'),
    );
    bob.events = bobClone.push(MORE_DATA);

    const reports = await world.deliver([...alice.events, ...bob.events]);
    const { invoked, errors } = summary(reports);
    expect(errors).toEqual([]);
    // Each referenceCreated reaches the branch Lambda through the template's branch rule, and nothing else.
    expect(invoked).toEqual({ [branchFn]: [expect.any(String), expect.any(String)] });

    const stacks = await world.pipelines.stacks();
    expect([...stacks.keys()].sort()).toEqual([DEEPER, MORE_DATA]);
    for (const [branch, tips] of [
      [DEEPER, alice.tips],
      [MORE_DATA, bob.tips],
    ] as const) {
      const stack = stacks.get(branch);
      expect(stack?.stackName).toBe(branchStackName(PROJECT_NAME, branch));
      expect(stack?.parameters).toEqual(
        expect.objectContaining({ BranchName: branch, PipelineName: codePipelineName(PROJECT_NAME, branch) }),
      );
      // The new pipeline ran once, on the pushed commit, with the variables the templates give the build.
      const builds = reports.flatMap((r) => r.builds).filter((b) => b.branch === branch);
      expect(builds.map((b) => [b.trigger, b.commit])).toEqual([['pipeline-created', tips[0]]]);
      expect(builds[0]?.environment).toEqual(
        expect.objectContaining({
          BRANCH_NAME: branch,
          COMMIT_HASH: tips[0],
          PROJECT_NAME,
          MODEL_PACKAGE_GROUP_NAME: GROUP,
        }),
      );
      expect(await pipelineExists(branch)).toBe(true);
    }
    alice.executions.push(executionOf(reports.flatMap((r) => r.builds).find((b) => b.branch === DEEPER)));
    bob.executions.push(executionOf(reports.flatMap((r) => r.builds).find((b) => b.branch === MORE_DATA)));
  });

  it("1a. delivery follows the template: with the branch rule's prefix changed, the same push reaches nothing", async () => {
    const template = JSON.parse(JSON.stringify(world.app.productTemplate)) as typeof world.app.productTemplate;
    const [ruleId] = Object.entries(template.Resources)
      .filter(([, r]) => JSON.stringify(r.Properties?.EventPattern ?? null).includes('referenceDeleted'))
      .map(([id]) => id);
    const pattern = template.Resources[ruleId ?? '']?.Properties?.EventPattern as { detail: Record<string, unknown> };
    expect(pattern.detail.referenceName).toEqual([{ prefix: 'experiment/' }]);
    pattern.detail.referenceName = [{ prefix: 'experiments/' }];
    const wrong = await EventBus.fromTemplate(template, world.resources, world.functions);
    expect(await wrong.put(alice.events[0])).toEqual([]);
    expect(matchesEventPattern(world.bus.pattern(ruleId ?? '') ?? {}, alice.events[0])).toBe(true);
  });

  it('1b. a branch outside the prefix matches no rule: no stack, no pipeline, no invocation', async () => {
    const clone = world.repository.clone('carol');
    clone.newBranch('hotfix/typo');
    clone.commit({ 'NOTES.md': 'typo\n' }, 'typo');
    const reports = await world.deliver(clone.push('hotfix/typo'));
    expect(reports.flatMap((r) => r.deliveries)).toEqual([]);
    expect(reports.flatMap((r) => r.builds)).toEqual([]);
    expect([...(await world.pipelines.stacks()).keys()].sort()).toEqual([DEEPER, MORE_DATA]);
  });

  it('2. each pushes twice: the push runs the branch pipeline, and each branch has two model versions', async () => {
    alice.tips.push(tweak(aliceClone, ['models', 0, 'hyperparameters', 'n_estimators'], 400, 'more trees'));
    bob.tips.push(
      tweak(bobClone, ['steps', 'PreprocessData', 'arguments', 'validation-fraction'], 0.1, 'even more data'),
    );
    const reports = await world.deliver([...aliceClone.push(DEEPER), ...bobClone.push(MORE_DATA)]);
    const { invoked, errors } = summary(reports);
    expect(errors).toEqual([]);
    expect(invoked).toEqual({ [branchFn]: [expect.any(String), expect.any(String)] });
    expect(resultsOf(reports, branchFn)).toEqual([
      expect.objectContaining({ action: 'heal', stack: 'exists' }),
      expect.objectContaining({ action: 'heal', stack: 'exists' }),
    ]);
    // The deployed stack's own trigger rule started each branch's pipeline on the new commit.
    const builds = reports.flatMap((r) => r.builds);
    expect(builds.map((b) => [b.branch, b.trigger, b.commit])).toEqual([
      [DEEPER, 'event', alice.tips[1]],
      [MORE_DATA, 'event', bob.tips[1]],
    ]);
    alice.executions.push(executionOf(builds[0]));
    bob.executions.push(executionOf(builds[1]));

    // SageMaker finishes the four executions; each registration event reaches the release Lambda, approves nothing.
    const runs = [
      [alice.executions[0], DEEPER, alice.tips[0]],
      [bob.executions[0], MORE_DATA, bob.tips[0]],
      [alice.executions[1], DEEPER, alice.tips[1]],
      [bob.executions[1], MORE_DATA, bob.tips[1]],
    ] as const;
    for (const [arn = '', branch, commit = ''] of runs) {
      const registration = await world.sagemaker.completeExecution(arn);
      // The version carries the metadata contract (docs/design.md) the release Lambda reads.
      const described = await sagemaker().send(
        new DescribeModelPackageCommand({ ModelPackageName: registration.modelPackageArn }),
      );
      expect(described).toEqual(
        expect.objectContaining({
          ModelPackageGroupName: GROUP,
          ModelPackageDescription: expect.stringMatching(new RegExp(`^commit ${commit}`)),
          MetadataProperties: expect.objectContaining({ CommitId: commit }),
          CustomerMetadataProperties: {
            commit_id: commit,
            branch,
            pipeline_execution_id: arn.split('/').pop(),
            pipeline_execution_arn: arn,
            model_name: 'abalone',
            trigger: 'push',
            test_mode: 'false',
          },
        }),
      );
      const [report] = await world.deliver([registration.event]);
      expect(summary([report!]).errors).toEqual([]);
      // The release function, and the pull request report (no pull request is open yet: it reports nothing).
      expect(summary([report!]).invoked).toEqual({
        [releaseFn]: [expect.any(String)],
        [reportFn]: [expect.any(String)],
      });
    }
    expect((await versions()).map((v) => [v.branch, v.commit, v.status])).toEqual([
      [DEEPER, alice.tips[0], 'PendingManualApproval'],
      [MORE_DATA, bob.tips[0], 'PendingManualApproval'],
      [DEEPER, alice.tips[1], 'PendingManualApproval'],
      [MORE_DATA, bob.tips[1], 'PendingManualApproval'],
    ]);
  });

  it("3. a pull request squash-merged into main approves exactly that branch's newest version", async () => {
    const before = await snapshot();
    const pullRequest = world.repository.openPullRequest(MORE_DATA, 'Train on more data');
    const opened = await world.deliver(pullRequest.events);
    // Only the pull request report reacts to an opened pull request: one comment with the branch's newest version.
    expect(summary(opened).errors).toEqual([]);
    expect(summary(opened).invoked).toEqual({ [reportFn]: [expect.any(String)] });
    const comments = world.pullRequests.liveComments(pullRequest.pullRequestId);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.content).toContain(`Branch \`${MORE_DATA}\` at \`${bob.tips[1]}\``);
    expect(comments[0]!.content).toContain('registered as version 4 (PendingManualApproval)');

    world.repository.approvePullRequest(pullRequest, LEAD);
    const merge = world.repository.mergePullRequest(pullRequest, 'SQUASH_MERGE');
    const reports = await world.deliver(merge.events);
    const { invoked, errors } = summary(reports);
    expect(errors).toEqual([]);
    // main updated (a squash commit, which trained nothing) and the merge: both reach only the release Lambda.
    expect(invoked).toEqual({ [releaseFn]: [expect.any(String), expect.any(String)] });
    expect(reports.flatMap((r) => r.builds)).toEqual([]);

    const after = await snapshot();
    expect(after.versions.map((v) => [v.branch, v.commit, v.status])).toEqual([
      [DEEPER, alice.tips[0], 'PendingManualApproval'],
      [MORE_DATA, bob.tips[0], 'PendingManualApproval'],
      [DEEPER, alice.tips[1], 'PendingManualApproval'],
      [MORE_DATA, bob.tips[1], 'Approved'],
    ]);
    expect({ ...after, versions: [] }).toEqual({ ...before, versions: [] });
    // the approved artifact: an immutable copy under approved-artifacts/, its S3 version and sha256 on the version
    const approved = after.versions.find((v) => v.status === 'Approved');
    const metadata =
      (await sagemaker().send(new DescribeModelPackageCommand({ ModelPackageName: approved?.arn })))
        .CustomerMetadataProperties ?? {};
    expect(metadata).toMatchObject({
      approved_artifact_uri: expect.stringMatching(/^s3:\/\/[^/]+\/approved-artifacts\/model-churn\/4\/[^/]+$/),
      approved_artifact_version_id: expect.any(String),
      approved_artifact_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      release_facts: 'codecommit',
    });
  });

  it('3a. a pull request merged without review approves nothing: CodeCommit, not the event, decides', async () => {
    const before = await snapshot();
    const pullRequest = world.repository.openPullRequest(DEEPER, 'Deeper trees, unreviewed');
    const merge = world.repository.mergePullRequest(pullRequest, 'THREE_WAY_MERGE');
    const reports = await world.deliver(merge.events);
    const { errors } = summary(reports);
    expect(errors).toEqual([]);
    expect(resultsOf(reports, releaseFn)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ outcome: 'ignored', message: expect.stringContaining('approveOnPushToMain is off') }),
        expect.objectContaining({
          outcome: 'refused',
          message: expect.stringContaining('approval rules are not satisfied'),
        }),
      ]),
    );
    expect(world.codecommit.calls).toEqual(
      expect.arrayContaining(['GetPullRequest', 'EvaluatePullRequestApprovalRules']),
    );
    expect(await snapshot()).toEqual(before);
  });

  it('4. a deleted branch loses its stack and SageMaker pipeline, and keeps its model versions', async () => {
    const reports = await world.deliver(aliceClone.deleteRemoteBranch(DEEPER));
    const { invoked, errors } = summary(reports);
    expect(errors).toEqual([]);
    expect(invoked).toEqual({ [branchFn]: [expect.any(String)] });
    expect(reports.flatMap((r) => r.builds)).toEqual([]);
    expect(['ABSENT', 'DELETE_COMPLETE']).toContain(await stackStatus(DEEPER));
    expect(await pipelineExists(DEEPER)).toBe(false);
    expect(await stackStatus(MORE_DATA)).toBe('CREATE_COMPLETE');
    expect(await pipelineExists(MORE_DATA)).toBe(true);
    expect((await versions()).filter((v) => v.branch === DEEPER).map((v) => [v.commit, v.status])).toEqual([
      [alice.tips[0], 'PendingManualApproval'],
      [alice.tips[1], 'PendingManualApproval'],
    ]);
  });

  it('5. a merge that happens before its model is registered: Approved once registered', async () => {
    const clone = world.repository.clone('dana');
    clone.newBranch(EARLY);
    const tip = clone.commit({ 'NOTES.md': 'a quick experiment\n' }, 'quick experiment');
    const pushed = await world.deliver(clone.push(EARLY));
    expect(summary(pushed).errors).toEqual([]);
    const execution = executionOf(pushed.flatMap((r) => r.builds).find((b) => b.branch === EARLY));

    const pullRequest = world.repository.openPullRequest(EARLY, 'Quick experiment');
    world.repository.approvePullRequest(pullRequest, LEAD);
    const merge = world.repository.mergePullRequest(pullRequest, 'FAST_FORWARD_MERGE');
    expect(merge.mergeCommit).toBe(tip);
    const merged = await world.deliver(merge.events);
    expect(summary(merged).errors).toEqual([]);
    expect(resultsOf(merged, releaseFn)).toContainEqual(expect.objectContaining({ outcome: 'intent-recorded' }));
    expect((await versions()).filter((v) => v.commit === tip)).toEqual([]);

    const registration = await world.sagemaker.completeExecution(execution);
    const registered = await world.deliver([registration.event]);
    expect(summary(registered).errors).toEqual([]);
    expect(resultsOf(registered, releaseFn)).toEqual([expect.objectContaining({ outcome: 'approved' })]);
    expect((await versions()).map((v) => [v.branch, v.commit, v.status])).toEqual([
      [DEEPER, alice.tips[0], 'PendingManualApproval'],
      [MORE_DATA, bob.tips[0], 'PendingManualApproval'],
      [DEEPER, alice.tips[1], 'PendingManualApproval'],
      [MORE_DATA, bob.tips[1], 'Approved'],
      [EARLY, tip, 'Approved'],
    ]);
  });

  it('6. every event delivered twice (EventBridge delivers at least once) leaves the same end state', async () => {
    const twice = async (events: AwsEvent[]) => {
      const first = await world.deliver(events);
      const once = await snapshot();
      const second = await world.deliver(events);
      expect(summary([...first, ...second]).errors).toEqual([]);
      expect(await snapshot()).toEqual(once);
      return first;
    };
    const clone = world.repository.clone('erin');
    clone.newBranch(TWICE);
    const tip = clone.commit({ 'NOTES.md': 'twice\n' }, 'an experiment whose events all come twice');
    const created = await twice(clone.push(TWICE));
    // The duplicate also matched the new stack's trigger rule; run.js starts no second execution for a commit.
    const execution = executionOf(created.flatMap((r) => r.builds).find((b) => b.branch === TWICE));
    const registration = await world.sagemaker.completeExecution(execution);
    await twice([registration.event]);
    const pullRequest = world.repository.openPullRequest(TWICE, 'Twice');
    world.repository.approvePullRequest(pullRequest, LEAD);
    await twice(world.repository.mergePullRequest(pullRequest, 'THREE_WAY_MERGE').events);
    expect((await versions()).filter((v) => v.commit === tip).map((v) => v.status)).toEqual(['Approved']);
    await twice(clone.deleteRemoteBranch(TWICE));
    expect(['ABSENT', 'DELETE_COMPLETE']).toContain(await stackStatus(TWICE));
    expect(await pipelineExists(TWICE)).toBe(false);
  });

  it("7. a late duplicate of a deleted branch's create event creates nothing, and the reconcile agrees", async () => {
    const before = await snapshot();
    const callsBefore = world.codecommit.calls.length;
    // CodeCommit delivers events at least once and out of order: Alice's referenceCreated arrives again, after step 4.
    const stale = await world.deliver(alice.events);
    const { invoked, errors } = summary(stale);
    expect(errors).toEqual([]);
    expect(invoked).toEqual({ [branchFn]: [expect.any(String)] });
    // The branch Lambda found no stack, asked the real repository (GetBranch, through the stand-in) whether the branch
    // still exists, and, as it does not, created nothing at all: no stack, no pipeline, no build.
    expect(resultsOf(stale, branchFn)).toEqual([
      { action: 'ignored', reason: 'branch no longer exists', branch: DEEPER },
    ]);
    expect(world.codecommit.calls.slice(callsBefore)).toEqual(['GetBranch']);
    expect(stale.flatMap((r) => r.builds)).toEqual([]);
    expect(['ABSENT', 'DELETE_COMPLETE']).toContain(await stackStatus(DEEPER));
    expect(await pipelineExists(DEEPER)).toBe(false);
    expect(await snapshot()).toEqual(before);

    const [rule] = world.bus.scheduledRules();
    const deliveries = await world.bus.fireSchedule(rule ?? '');
    expect(deliveries.map((d) => [d.invocation.functionLogicalId, d.invocation.ok, d.invocation.error])).toEqual([
      [branchFn, true, undefined],
    ]);
    // The reconcile listed the branches of the real repository through the CodeCommit stand-in, and had nothing to
    // undo: the state is the one before the late event.
    expect(world.codecommit.calls.slice(callsBefore)).toContain('ListBranches');
    expect(deliveries[0]?.invocation.result).toMatchObject({
      action: 'reconcile',
      created: [],
      deleted: [],
      failed: [],
    });
    expect(await snapshot()).toEqual(before);
    expect(['ABSENT', 'DELETE_COMPLETE']).toContain(await stackStatus(DEEPER));
  });

  it('8. no call of the functions or the run command was denied by their synthesized roles (moto enforces IAM)', () => {
    // What moto checks: the actions of the roles' identity policies (resources for some services); it ignores
    // most conditions and does not play CodeCommit (the stand-in) or CodePipeline/CodeBuild. See iam-enforcement.ts.
    const lines = callReport(world.sessions);
    fs.writeFileSync(
      process.env.IAM_RUNTIME_REPORT ?? path.join(os.tmpdir(), 'e2e-iam-calls.txt'),
      lines.join('\n') + '\n',
    );
    const denied = world.sessions.flatMap((s) => s.denied().map((c) => `${s.label}: ${c.action} ${c.error ?? ''}`));
    expect(denied).toEqual([]);
    // Nor refused for another reason (a signature moto could not verify is a broken harness, not a proof).
    const refused = world.sessions.flatMap((s) =>
      s.calls.filter((c) => c.status === 403).map((c) => `${s.label}: ${c.action} ${c.error ?? ''}`),
    );
    expect(refused).toEqual([]);
    for (const session of world.sessions) expect(session.calls.length).toBeGreaterThan(0);
    // The functions' SageMaker calls, sent through the steps stand-in, are counted too: the release function's
    // DescribeModelPackage (moto authorizes it) and ListPipelineExecutionSteps (answered by the stand-in, so counted
    // but not authorized by moto: its action is checked by the template tests only).
    const release = world.sessions.find((s) => s.label === `function ${releaseFn}`);
    const actions = new Set(release?.calls.map((c) => c.action));
    expect(actions).toContain('DescribeModelPackage');
    expect(actions).toContain('ListPipelineExecutionSteps');
  });
});
