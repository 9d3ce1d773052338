/**
 * The deploy function against moto_server: the real SDK, a tagged model registry, a versioned artifact bucket and a
 * stage's serving bucket and SSM parameters. What moto cannot prove: IAM (the stage role's and the resource policies'
 * permissions are checked on the templates, test/lib/serving-stack.test.ts), SageMaker's real LastModifiedTime
 * (moto sets it on every update, as SageMaker does), and the endpoint loading the key (test_inference.py loads it).
 */
import { GetObjectCommand, ListObjectVersionsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { DeployConfig } from '../../lambda/deploy-model/config';
import { DeployDeps, DeployResult, handleDeployEvent } from '../../lambda/deploy-model/deploy';
import { COMMAND_ACTIONS, DEPLOY_PERMISSIONS } from '../../lambda/deploy-model/permissions';
import { ConflictError } from '../../contracts/errors';
import { createLogger } from '../../lambda/shared/logger';
import { MotoServer, startMoto, useMotoEnvironment } from '../support/moto';
import {
  approve,
  createTaggedGroup,
  createVersionedBucket,
  registerWithArtifact,
  RegisteredArtifact,
  reject,
  sandboxStage,
  sha256Hex,
  stateChangeEvent,
} from '../support/serving';

const PROJECT = { name: 'demo', id: 'p-demo0001' };
const OTHER = { name: 'demo-v2', id: 'p-other0002' };
const ARTIFACTS = 'registry-artifacts';
const SERVING = 'serving-bucket';
const FIRST = 'model-demo';
const SECOND = 'model-demo-churn';

let moto: MotoServer;
let sagemaker: SageMakerClient;
let s3: S3Client;
let ssm: SSMClient;
/** Every command the function's clients sent during the suite, as `<client>:<command>`. */
const sent = new Set<string>();
let recording = false;

function record(service: string, client: SageMakerClient | S3Client | SSMClient): void {
  (client as SageMakerClient).middlewareStack.add(
    (next, context) => async (args) => {
      if (recording) sent.add(`${service}:${String(context.commandName).replace(/Command$/, '')}`);
      return next(args);
    },
    { step: 'initialize', name: `record-${service}` },
  );
}

function stage(overrides: Partial<DeployConfig> = {}): DeployConfig {
  return sandboxStage([PROJECT, OTHER], { servingBucket: SERVING, ...overrides });
}

function deps(config: DeployConfig, now?: () => Date): DeployDeps {
  return { config, sagemaker, s3, ssm, logger: createLogger({}, { write: () => undefined }), now };
}

async function current(config: DeployConfig, group: string): Promise<string | undefined> {
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: `${config.parameterPrefix}${PROJECT.name}/${group}` }));
    return out.Parameter?.Value;
  } catch (err) {
    if (err instanceof ParameterNotFound) return undefined;
    throw err;
  }
}

async function served(key: string): Promise<Buffer> {
  const out = await s3.send(new GetObjectCommand({ Bucket: SERVING, Key: key }));
  return Buffer.from(await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
}

/** Every object version in the serving bucket, per key: more than one would mean a key was written twice. */
async function versionsPerKey(prefix: string): Promise<Record<string, number>> {
  const out = await s3.send(new ListObjectVersionsCommand({ Bucket: SERVING, Prefix: prefix }));
  const counts: Record<string, number> = {};
  for (const v of out.Versions ?? []) counts[v.Key ?? ''] = (counts[v.Key ?? ''] ?? 0) + 1;
  return counts;
}

const tarball = (label: string) => Buffer.from(`model tarball ${label} ${'x'.repeat(64)}`);
async function run(event: unknown, config = stage(), now?: () => Date): Promise<DeployResult> {
  recording = true;
  try {
    return await handleDeployEvent(event, deps(config, now));
  } finally {
    recording = false;
  }
}

let v1: RegisteredArtifact;
let v2: RegisteredArtifact;

beforeAll(async () => {
  moto = await startMoto();
  useMotoEnvironment(moto.endpoint);
  sagemaker = new SageMakerClient({});
  s3 = new S3Client({ forcePathStyle: true });
  ssm = new SSMClient({});
  record('sagemaker', sagemaker);
  record('s3', s3);
  record('ssm', ssm);
  await createVersionedBucket(s3, ARTIFACTS);
  await createVersionedBucket(s3, SERVING);
  await createTaggedGroup(sagemaker, FIRST, PROJECT);
  await createTaggedGroup(sagemaker, SECOND, PROJECT);
  v1 = await registerWithArtifact(sagemaker, s3, { group: FIRST, bucket: ARTIFACTS, label: 'v1', body: tarball('v1') });
  v2 = await registerWithArtifact(sagemaker, s3, { group: FIRST, bucket: ARTIFACTS, label: 'v2', body: tarball('v2') });
}, 60_000);

afterAll(async () => moto?.stop());

describe('deploy function against moto_server: one model', () => {
  it('ignores a version registered PendingManualApproval', async () => {
    const result = await run(stateChangeEvent(FIRST, v1, 'PendingManualApproval'));
    expect(result.outcome).toBe('ignored');
    expect(await current(stage(), FIRST)).toBeUndefined();
  });

  it('approve v1 → current v1: its approved artifact is copied to a key of its own', async () => {
    await approve(sagemaker, s3, v1, { bucket: ARTIFACTS });
    const result = await run(stateChangeEvent(FIRST, v1, 'Approved'));
    expect(result).toMatchObject({ outcome: 'promoted', modelPackageVersion: 1, artifact: 'copied' });
    expect(await current(stage(), FIRST)).toBe('demo/model-demo/v1.tar.gz');
    expect(await served('models/demo/model-demo/v1.tar.gz')).toEqual(v1.body);
  });

  it('approve v2 → current v2, v1 untouched', async () => {
    await approve(sagemaker, s3, v2, { bucket: ARTIFACTS });
    const result = await run(stateChangeEvent(FIRST, v2, 'Approved'));
    expect(result).toMatchObject({ outcome: 'promoted', modelPackageVersion: 2 });
    expect(await current(stage(), FIRST)).toBe('demo/model-demo/v2.tar.gz');
    expect(await served('models/demo/model-demo/v1.tar.gz')).toEqual(v1.body);
    expect(await served('models/demo/model-demo/v2.tar.gz')).toEqual(v2.body);
  });

  it('reject v2 → current v1 (rollback), v2 kept for clients still pointed at it', async () => {
    await reject(sagemaker, v2);
    const result = await run(stateChangeEvent(FIRST, v2, 'Rejected'));
    expect(result).toMatchObject({ outcome: 'promoted', modelPackageVersion: 1, artifact: 'already-served' });
    expect(await current(stage(), FIRST)).toBe('demo/model-demo/v1.tar.gz');
    expect(await served('models/demo/model-demo/v2.tar.gz')).toEqual(v2.body);
  });

  it('duplicates and reordering of the three events give the same state, and nothing is written twice', async () => {
    const events = [
      stateChangeEvent(FIRST, v1, 'Approved'),
      stateChangeEvent(FIRST, v2, 'Approved'),
      stateChangeEvent(FIRST, v2, 'Rejected'),
    ];
    const orders = [
      [2, 1, 0],
      [1, 1, 2, 0, 0],
      [0, 2, 1, 2],
    ];
    for (const order of orders) {
      for (const index of order) {
        const result = await run(events[index]);
        expect(result).toMatchObject({ modelPackageVersion: 1, targetModel: 'demo/model-demo/v1.tar.gz' });
      }
      expect(await current(stage(), FIRST)).toBe('demo/model-demo/v1.tar.gz');
    }
    expect(await versionsPerKey('models/demo/model-demo/')).toEqual({
      'models/demo/model-demo/v1.tar.gz': 1,
      'models/demo/model-demo/v2.tar.gz': 1,
    });
  });

  it('re-approving v2 makes it current again (the latest approval decides, not the version number)', async () => {
    await new Promise((r) => setTimeout(r, 1100));
    await approve(sagemaker, s3, v2, { bucket: ARTIFACTS });
    expect(await run(stateChangeEvent(FIRST, v2, 'Approved'))).toMatchObject({ modelPackageVersion: 2 });
    // Re-approve v1 after v2: v1 becomes current though v2 is newer and still Approved.
    await new Promise((r) => setTimeout(r, 1100));
    await approve(sagemaker, s3, v1, { bucket: ARTIFACTS });
    expect(await run(stateChangeEvent(FIRST, v1, 'Approved'))).toMatchObject({
      outcome: 'promoted',
      modelPackageVersion: 1,
      artifact: 'already-served',
    });
    expect(await current(stage(), FIRST)).toBe('demo/model-demo/v1.tar.gz');
    expect((await versionsPerKey('models/demo/model-demo/'))['models/demo/model-demo/v1.tar.gz']).toBe(1);
  });
});

describe('deploy function against moto_server: two models, membership, integrity', () => {
  let churn: RegisteredArtifact;

  it('serves two models in two groups side by side', async () => {
    churn = await registerWithArtifact(sagemaker, s3, {
      group: SECOND,
      bucket: ARTIFACTS,
      label: 'c1',
      body: tarball('churn-1'),
    });
    // The ModelDataUrl fallback: this approval records no approved artifact.
    await approve(sagemaker, s3, churn, { bucket: ARTIFACTS, record: false });
    const before = await current(stage(), FIRST);
    const result = await run(stateChangeEvent(SECOND, churn, 'Approved'));
    expect(result).toMatchObject({ outcome: 'promoted', project: 'demo', modelPackageVersion: 1 });
    expect(await current(stage(), SECOND)).toBe('demo/model-demo-churn/v1.tar.gz');
    expect(await current(stage(), FIRST)).toBe(before);
    expect(await served('models/demo/model-demo-churn/v1.tar.gz')).toEqual(churn.body);
  });

  it('withdraws the parameter when the only approved version is rejected, and keeps its artifact', async () => {
    const group = 'model-demo-withdrawn';
    await createTaggedGroup(sagemaker, group, PROJECT);
    const only = await registerWithArtifact(sagemaker, s3, {
      group,
      bucket: ARTIFACTS,
      label: 'w1',
      body: tarball('w1'),
    });
    await approve(sagemaker, s3, only, { bucket: ARTIFACTS });
    expect(await run(stateChangeEvent(group, only, 'Approved'))).toMatchObject({ outcome: 'promoted' });
    await reject(sagemaker, only);
    expect(await run(stateChangeEvent(group, only, 'Rejected'))).toMatchObject({ outcome: 'withdrawn' });
    expect(await current(stage(), group)).toBeUndefined();
    expect(await served(`models/demo/${group}/v1.tar.gz`)).toEqual(only.body);
    expect(await run(stateChangeEvent(group, only, 'Rejected'))).toMatchObject({ outcome: 'nothing-approved' });
  });

  it("ignores a group named after a served project but tagged with another project's id", async () => {
    // Project demo-v2's first group is model-demo-v2: by name it could be model "v2" of project demo.
    const group = 'model-demo-v2';
    await createTaggedGroup(sagemaker, group, { name: 'demo-v2', id: 'p-not-served' });
    const forged = await registerWithArtifact(sagemaker, s3, {
      group,
      bucket: ARTIFACTS,
      label: 'f',
      body: tarball('f'),
    });
    await approve(sagemaker, s3, forged, { bucket: ARTIFACTS });
    const result = await run(stateChangeEvent(group, forged, 'Approved'));
    expect(result.outcome).toBe('ignored');
    expect(await versionsPerKey(`models/demo/${group}/`)).toEqual({});
  });

  it('accepts that group for the project whose id it carries', async () => {
    const group = 'model-demo-v2-x';
    await createTaggedGroup(sagemaker, group, OTHER);
    const own = await registerWithArtifact(sagemaker, s3, { group, bucket: ARTIFACTS, label: 'o', body: tarball('o') });
    await approve(sagemaker, s3, own, { bucket: ARTIFACTS });
    const result = await run(stateChangeEvent(group, own, 'Approved'));
    expect(result).toMatchObject({
      outcome: 'promoted',
      project: 'demo-v2',
      targetModel: `demo-v2/${group}/v1.tar.gz`,
    });
  });

  it('in a stage of another account, accepts only the group the registry template shares (model-<project>)', async () => {
    // ListTags cannot cross accounts: the stage accepts the group the registry's project template created, tagged and
    // shares, and no other group of the project (docs/serving.md, trust boundaries).
    const crossAccount = stage({ ownAccount: '222222222222', parameterPrefix: '/multibranch-mlops/serving/qa/' });
    const first = await run(stateChangeEvent(FIRST, v1, 'Approved'), crossAccount);
    expect(first).toMatchObject({ outcome: 'promoted', project: 'demo', modelPackageVersion: 1 });
    const churn = await registerWithArtifact(sagemaker, s3, {
      group: SECOND,
      bucket: ARTIFACTS,
      label: 'c2',
      body: tarball('churn-2'),
    });
    expect((await run(stateChangeEvent(SECOND, churn, 'Approved'), crossAccount)).outcome).toBe('ignored');
  });

  it('ignores an event from an account that is not the registry', async () => {
    const event = { ...stateChangeEvent(FIRST, v2, 'Rejected'), account: '999999999999' };
    expect((await run(event)).outcome).toBe('ignored');
    expect(await current(stage(), FIRST)).toBe('demo/model-demo/v1.tar.gz');
  });

  it('refuses an artifact whose SHA-256 is not the approved one, and serves nothing of it', async () => {
    const group = 'model-demo-tampered';
    await createTaggedGroup(sagemaker, group, PROJECT);
    const bad = await registerWithArtifact(sagemaker, s3, { group, bucket: ARTIFACTS, label: 't', body: tarball('t') });
    await approve(sagemaker, s3, bad, { bucket: ARTIFACTS, sha256: sha256Hex(Buffer.from('something else')) });
    await expect(run(stateChangeEvent(group, bad, 'Approved'))).rejects.toThrow(ConflictError);
    await expect(current(stage(), group)).resolves.toBeUndefined();
    await expect(served(`models/demo/${group}/v1.tar.gz`)).rejects.toThrow();
  });

  it('never overwrites a served key that holds something else', async () => {
    const group = 'model-demo-occupied';
    await createTaggedGroup(sagemaker, group, PROJECT);
    const v = await registerWithArtifact(sagemaker, s3, { group, bucket: ARTIFACTS, label: 'y', body: tarball('y') });
    await s3.send(new PutObjectCommand({ Bucket: SERVING, Key: `models/demo/${group}/v1.tar.gz`, Body: 'by hand' }));
    await approve(sagemaker, s3, v, { bucket: ARTIFACTS });
    await expect(run(stateChangeEvent(group, v, 'Approved'))).rejects.toThrow(/never overwritten/);
    expect((await served(`models/demo/${group}/v1.tar.gz`)).toString()).toBe('by hand');
  });
});

describe('deploy function against moto_server: stage delay and pruning', () => {
  const HOUR = 3600;
  const qa = stage({
    stageName: 'qa',
    delaySeconds: HOUR,
    servingPrefix: 'qa/',
    parameterPrefix: '/multibranch-mlops/serving/qa/',
  });
  const later = (seconds: number) => () => new Date(Date.now() + seconds * 1000);

  it('does not promote before the delay and promotes after it (injected clock, delay of 1 h)', async () => {
    const group = 'model-demo-delayed';
    await createTaggedGroup(sagemaker, group, PROJECT);
    const d1 = await registerWithArtifact(sagemaker, s3, {
      group,
      bucket: ARTIFACTS,
      label: 'd1',
      body: tarball('d1'),
    });
    await approve(sagemaker, s3, d1, { bucket: ARTIFACTS });
    const early = await run(stateChangeEvent(group, d1, 'Approved'), qa, later(HOUR - 60));
    expect(early).toMatchObject({ outcome: 'nothing-approved', waiting: [1] });
    expect(await current(qa, group)).toBeUndefined();
    expect(await versionsPerKey(`qa/demo/${group}/`)).toEqual({});

    expect(await run(stateChangeEvent(group, d1, 'Approved'), qa, later(HOUR + 60))).toMatchObject({
      outcome: 'promoted',
      modelPackageVersion: 1,
    });
    expect(Object.keys(await versionsPerKey(`qa/demo/${group}/`))).toEqual([`qa/demo/${group}/v1.tar.gz`]);
  });

  it('skips a version rejected before its delay ran out (real clock, delay of 2 s)', async () => {
    const group = 'model-demo-delayed2';
    const short = { ...qa, delaySeconds: 2 };
    const wait = () => new Promise((r) => setTimeout(r, 2100));
    await createTaggedGroup(sagemaker, group, PROJECT);
    const d1 = await registerWithArtifact(sagemaker, s3, {
      group,
      bucket: ARTIFACTS,
      label: 'e1',
      body: tarball('e1'),
    });
    const d2 = await registerWithArtifact(sagemaker, s3, {
      group,
      bucket: ARTIFACTS,
      label: 'e2',
      body: tarball('e2'),
    });
    await approve(sagemaker, s3, d1, { bucket: ARTIFACTS });
    await wait();
    expect(await run(stateChangeEvent(group, d1, 'Approved'), short)).toMatchObject({ modelPackageVersion: 1 });
    await approve(sagemaker, s3, d2, { bucket: ARTIFACTS });
    // The event reaches the function at once (as a Rejected one does) and again after the state machine's Wait.
    expect(await run(stateChangeEvent(group, d2, 'Approved'), short)).toMatchObject({
      outcome: 'unchanged',
      modelPackageVersion: 1,
      waiting: [2],
    });
    await reject(sagemaker, d2);
    await wait();
    expect(await run(stateChangeEvent(group, d2, 'Approved'), short)).toMatchObject({
      outcome: 'unchanged',
      modelPackageVersion: 1,
      waiting: [],
    });
    expect(await current(short, group)).toBe(`demo/${group}/v1.tar.gz`);
    expect(Object.keys(await versionsPerKey(`qa/demo/${group}/`))).toEqual([`qa/demo/${group}/v1.tar.gz`]);
  });

  it('prunes beyond the retained count, never the current nor the previous one', async () => {
    const group = 'model-demo-many';
    const config = stage({ retainArtifacts: 2 });
    await createTaggedGroup(sagemaker, group, PROJECT);
    const all: RegisteredArtifact[] = [];
    for (let i = 1; i <= 4; i += 1) {
      const v = await registerWithArtifact(sagemaker, s3, {
        group,
        bucket: ARTIFACTS,
        label: `m${i}`,
        body: tarball(`m${i}`),
      });
      all.push(v);
      await approve(sagemaker, s3, v, { bucket: ARTIFACTS });
      await run(stateChangeEvent(group, v, 'Approved'), config);
    }
    const folder = `models/demo/${group}/`;
    expect(Object.keys(await versionsPerKey(folder)).sort()).toEqual(
      [`${folder}v1.tar.gz`, `${folder}v2.tar.gz`, `${folder}v3.tar.gz`, `${folder}v4.tar.gz`].sort(),
    );
    const listing = await s3.send(new ListObjectVersionsCommand({ Bucket: SERVING, Prefix: folder }));
    const live = (listing.Versions ?? []).filter((v) => v.IsLatest).map((v) => v.Key);
    const deleted = (listing.DeleteMarkers ?? []).filter((m) => m.IsLatest).map((m) => m.Key);
    expect(live.sort()).toEqual([`${folder}v3.tar.gz`, `${folder}v4.tar.gz`]);
    expect(deleted.sort()).toEqual([`${folder}v1.tar.gz`, `${folder}v2.tar.gz`]);
    // Reject v4: rollback to v3, and v4 (what clients were pointed at) is kept.
    await reject(sagemaker, all[3] as RegisteredArtifact);
    expect(await run(stateChangeEvent(group, all[3] as RegisteredArtifact, 'Rejected'), config)).toMatchObject({
      modelPackageVersion: 3,
      pruned: [],
    });
  });
});

describe('permissions of the deploy function', () => {
  // Runs last (jest runs describe blocks in order): by then the suite has made every command the function makes.
  it('needs nothing beyond DEPLOY_PERMISSIONS, which the construct grants', () => {
    const granted = new Set<string>(Object.values(DEPLOY_PERMISSIONS).flat());
    expect([...sent].sort()).toEqual(Object.keys(COMMAND_ACTIONS).sort());
    for (const command of sent) {
      expect({
        command,
        missing: (COMMAND_ACTIONS[command] ?? ['(unknown command)']).filter((a) => !granted.has(a)),
      }).toEqual({ command, missing: [] });
    }
  });
});
