import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { MotoServer, startMoto, useMotoEnvironment } from './moto';

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
