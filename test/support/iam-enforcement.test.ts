/**
 * The run-time IAM harness can fail: with enforcement on, a role session's call outside its policies is denied by
 * moto and counted as denied; the test's admin keeps working.
 */
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { credentialsForRole, enableIamEnforcement, forMoto, RoleSession } from './iam-enforcement';
import { MotoServer, startMoto, useMotoEnvironment } from './moto';

describe('run-time IAM harness (moto IAM enforcement)', () => {
  let moto: MotoServer;
  let session: RoleSession;
  beforeAll(async () => {
    moto = await startMoto();
    useMotoEnvironment(moto.endpoint);
    await enableIamEnforcement(moto);
    session = await credentialsForRole(moto, {
      label: 'lister',
      roleName: 'lister',
      path: '/multibranch-mlops/',
      trustPolicy: {
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      policies: [{ Statement: [{ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }] }],
    });
  });
  afterAll(async () => {
    await session.stop();
    await moto.stop();
  });

  const asRole = () => ({
    endpoint: session.env.AWS_ENDPOINT_URL,
    credentials: {
      accessKeyId: session.env.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: session.env.AWS_SECRET_ACCESS_KEY ?? '',
      sessionToken: session.env.AWS_SESSION_TOKEN,
    },
  });

  it('allows what the role allows and denies the rest, counting both', async () => {
    await new S3Client({ ...asRole(), forcePathStyle: true }).send(new ListBucketsCommand({}));
    // moto answers the JSON protocol's denial in XML, which the SDK cannot parse: the proxy's record shows the 403.
    await expect(new DynamoDBClient({ ...asRole(), maxAttempts: 1 }).send(new ListTablesCommand({}))).rejects.toThrow();
    expect(session.denied()[0]?.error).toMatch(/not authorized to perform: dynamodb:ListTables/);
    expect(session.calls.map((c) => [c.action, c.denied])).toEqual([
      ['s3 GET /', false],
      ['ListTables', true],
    ]);
    // The admin (the test's own clients, from the environment) is not limited.
    await expect(new DynamoDBClient({}).send(new ListTablesCommand({}))).resolves.toBeDefined();
  });

  it('refuses unknown credentials once enforcement is on', async () => {
    const stranger = new DynamoDBClient({
      maxAttempts: 1,
      credentials: { accessKeyId: 'AKIDSTRANGER', secretAccessKey: 'x' },
    });
    await expect(stranger.send(new ListTablesCommand({}))).rejects.toThrow();
  });

  it('widens only what moto cannot evaluate: resources of services it authorizes against "*", conditions', () => {
    expect(
      forMoto([
        {
          Statement: [
            {
              Effect: 'Allow',
              Action: 'sagemaker:DescribePipeline',
              Resource: 'arn:aws:sagemaker:us-east-1:1:pipeline/churn-*',
            },
            {
              Effect: 'Allow',
              Action: 's3:GetObject',
              Resource: 'arn:aws:s3:::bucket/*',
              Condition: { Bool: { 'aws:SecureTransport': 'true' } },
            },
            { Effect: 'Deny', Action: 's3:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
          ],
        },
      ]),
    ).toEqual([
      {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'sagemaker:DescribePipeline', Resource: '*' },
          { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/*' },
        ],
      },
    ]);
  });
});
