/**
 * The SDK error classification against moto_server: the real SDK clients, deserializing real error responses, produce
 * the exception classes contracts/sdk-errors matches (and, where AWS gives no code, the names and messages its
 * documented message checks expect).
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreatePipelineCommand,
  DescribeModelPackageGroupCommand,
  DescribePipelineCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { isStackNotFound } from '../../contracts/sdk-errors/cloudformation';
import { isConditionalCheckFailed } from '../../contracts/sdk-errors/dynamodb';
import { isS3ObjectNotFound } from '../../contracts/sdk-errors/s3';
import { isSageMakerAlreadyExists, isSageMakerNotFound } from '../../contracts/sdk-errors/sagemaker';
import { isParameterNotFound } from '../../contracts/sdk-errors/ssm';
import { MotoServer, startMoto, useMotoEnvironment } from '../support/moto';

/** The error a call throws (fails the test if it does not throw). */
async function thrown(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (err) {
    return err;
  }
  throw new Error('the call was expected to fail');
}

describe('SDK errors from moto_server', () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMoto();
    useMotoEnvironment(moto.endpoint);
  });
  afterAll(async () => moto.stop());

  it("arrive as the client's exception classes, which the classifiers recognise", async () => {
    const dynamodb = new DynamoDBClient({});
    await dynamodb.send(
      new CreateTableCommand({
        TableName: 'kinds',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    const put = () =>
      dynamodb.send(
        new PutItemCommand({
          TableName: 'kinds',
          Item: { id: { S: 'a' } },
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
    await put();
    const conditional = await thrown(put());
    expect(conditional).toBeInstanceOf(ConditionalCheckFailedException);
    expect(isConditionalCheckFailed(conditional)).toBe(true);

    const s3 = new S3Client({ forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'sdk-error-kinds' }));
    const noKey = await thrown(s3.send(new GetObjectCommand({ Bucket: 'sdk-error-kinds', Key: 'missing' })));
    expect(noKey).toBeInstanceOf(NoSuchKey);
    const noHead = await thrown(s3.send(new HeadObjectCommand({ Bucket: 'sdk-error-kinds', Key: 'missing' })));
    expect(noHead).toBeInstanceOf(NotFound);
    expect([noKey, noHead].map(isS3ObjectNotFound)).toEqual([true, true]);

    const noParameter = await thrown(new SSMClient({}).send(new GetParameterCommand({ Name: '/missing' })));
    expect(noParameter).toBeInstanceOf(ParameterNotFound);
    expect(isParameterNotFound(noParameter)).toBe(true);
    // Another service's "not found" is not this one's.
    expect(isParameterNotFound(noKey)).toBe(false);
    expect(isS3ObjectNotFound(noParameter)).toBe(false);
  });

  it('where AWS gives no code, carry the names and messages the documented checks read', async () => {
    const noStack = await thrown(
      new CloudFormationClient({}).send(new DescribeStacksCommand({ StackName: 'missing' })),
    );
    expect(isStackNotFound(noStack)).toBe(true);

    const sagemaker = new SageMakerClient({});
    const noGroup = await thrown(
      sagemaker.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: 'missing' })),
    );
    const noPipeline = await thrown(sagemaker.send(new DescribePipelineCommand({ PipelineName: 'missing' })));
    expect([noGroup, noPipeline].map(isSageMakerNotFound)).toEqual([true, true]);

    const pipeline = {
      PipelineName: 'twice',
      PipelineDefinition: JSON.stringify({ Version: '2020-12-01', Steps: [] }),
      RoleArn: 'arn:aws:iam::123456789012:role/pipeline',
    };
    await sagemaker.send(new CreatePipelineCommand(pipeline));
    const duplicate = await thrown(sagemaker.send(new CreatePipelineCommand(pipeline)));
    expect(isSageMakerAlreadyExists(duplicate)).toBe(true);
    expect(isSageMakerNotFound(duplicate)).toBe(false);
  });
});
