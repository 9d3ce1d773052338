import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { enableIamEnforcement } from './iam-enforcement';
import { MOTO_BROKER_VARIABLE, MotoServer, startMoto, useMotoEnvironment } from './moto';
import { startMotoBroker } from './moto-broker';

describe('moto harness', () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMoto();
    useMotoEnvironment(moto.endpoint);
  });
  afterAll(async () => moto.stop());

  it('serves the real SDK through AWS_ENDPOINT_URL and resets', async () => {
    const s3 = new S3Client({ forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'harness-check' }));
    const before = await s3.send(new ListBucketsCommand({}));
    expect(before.Buckets?.map((b) => b.Name)).toEqual(['harness-check']);
    await moto.reset();
    const after = await s3.send(new ListBucketsCommand({}));
    expect(after.Buckets ?? []).toEqual([]);
  });
});

/**
 * The worker's shared server: a later suite gets the same server, emptied. A later suite is played by a fresh copy
 * of the harness module (jest.isolateModules), as jest loads it for every test file: it knows the server only from the
 * run's record. What this cannot prove: that moto's reset and reset-auth undo every setting a suite can change (the
 * harness undoes what the suites change: resources and IAM enforcement).
 */
describe('moto server shared by the suites of a worker', () => {
  const freshHarness = (): typeof import('./moto') => {
    let harness: typeof import('./moto') | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      harness = require('./moto') as typeof import('./moto');
    });
    if (!harness) throw new Error('the harness did not load');
    return harness;
  };

  it("is kept by the run's broker in jest's main process", () => {
    expect(process.env[MOTO_BROKER_VARIABLE]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('hands a later suite the same server with nothing an earlier suite left (buckets, queues)', async () => {
    const first = await freshHarness().startMoto();
    useMotoEnvironment(first.endpoint);
    const s3 = new S3Client({ forcePathStyle: true });
    const sqs = new SQSClient({});
    await s3.send(new CreateBucketCommand({ Bucket: 'left-by-the-first-suite' }));
    await sqs.send(new CreateQueueCommand({ QueueName: 'left-by-the-first-suite' }));
    expect((await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual([
      'left-by-the-first-suite',
    ]);
    await first.stop();

    const second = await freshHarness().startMoto();

    expect(second.shared).toBe(true);
    expect(second.endpoint).toBe(first.endpoint);
    expect((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).toEqual([]);
    expect((await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []).toEqual([]);
    await second.stop();
  });

  it('never resets the lease a suite still holds: a second server there is its own, stopped with it', async () => {
    const harness = freshHarness();
    const held = await harness.startMoto();
    useMotoEnvironment(held.endpoint);
    const s3 = new S3Client({ forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'still-in-use' }));

    const other = await harness.startMoto();

    expect(other.shared).toBe(false);
    expect(other.endpoint).not.toBe(held.endpoint);
    expect((await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual(['still-in-use']);
    await other.stop();
    await expect(fetch(`${other.endpoint}/moto-api/`)).rejects.toThrow();
    await held.stop();
  });

  it('hands a later suite the server without the IAM enforcement an earlier suite turned on', async () => {
    const first = await freshHarness().startMoto();
    useMotoEnvironment(first.endpoint);
    await enableIamEnforcement(first); // it proves enforcement is on: an unknown key is refused
    await first.stop();

    const second = await freshHarness().startMoto();
    useMotoEnvironment(second.endpoint); // moto's default keys, unknown to an enforcing server

    expect(second.endpoint).toBe(first.endpoint);
    expect((await new S3Client({ forcePathStyle: true }).send(new ListBucketsCommand({}))).Buckets ?? []).toEqual([]);
    await second.stop();
  });
});

describe('moto broker', () => {
  it('keeps one server per worker, refuses what it does not know, and stops every server it started', async () => {
    const broker = await startMotoBroker();
    try {
      const lease = async (worker: string) => {
        const res = await fetch(`${broker.url}/shared/${worker}`, { method: 'POST' });
        expect(res.status).toBe(200);
        // Closed after each answer: no pooled connection for a later lease to race the keep-alive timeout with.
        expect(res.headers.get('connection')).toBe('close');
        return ((await res.json()) as { port: number }).port;
      };
      const port = await lease('7');
      expect(await lease('7')).toBe(port);
      expect((await fetch(`${broker.url}/shared/7`)).status).toBe(404);
      expect((await fetch(`${broker.url}/other`, { method: 'POST' })).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${port}/moto-api/`)).status).toBe(200);

      await broker.stop();

      await expect(fetch(`http://127.0.0.1:${port}/moto-api/`)).rejects.toThrow();
    } finally {
      await broker.stop();
    }
  });
});
