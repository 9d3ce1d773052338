/**
 * Serves one model tarball through the deploy function against a running moto_server, and writes what the endpoint
 * would load (the object at the TargetModel the model's SSM parameter names) to a file. Used by the Python test of
 * the inference code (test/sagemaker-pipeline/test_inference.py):
 *
 *   npx tsx test/support/serve-tarball.ts <moto endpoint> <model.tar.gz> <output file>
 *
 * Prints the deploy function's result as JSON.
 */
import * as fs from 'node:fs';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { handleDeployEvent } from '../../lambda/deploy-model/deploy';
import { createLogger } from '../../lambda/shared/logger';
import { useMotoEnvironment } from './moto';
import {
  approve,
  createTaggedGroup,
  createVersionedBucket,
  registerWithArtifact,
  sandboxStage,
  stateChangeEvent,
} from './serving';

async function main(): Promise<void> {
  const [endpoint, tarball, output] = process.argv.slice(2);
  if (endpoint === undefined || tarball === undefined || output === undefined) {
    throw new Error('usage: serve-tarball.ts <moto endpoint> <model.tar.gz> <output file>');
  }
  useMotoEnvironment(endpoint);
  const sagemaker = new SageMakerClient({});
  const s3 = new S3Client({ forcePathStyle: true });
  const ssm = new SSMClient({});
  const project = { name: 'abalone', id: 'p-abalone0001' };
  const group = `model-${project.name}`;
  await createVersionedBucket(s3, 'registry-artifacts');
  await createVersionedBucket(s3, 'serving');
  await createTaggedGroup(sagemaker, group, project);
  const version = await registerWithArtifact(sagemaker, s3, {
    group,
    bucket: 'registry-artifacts',
    label: 'trained',
    body: fs.readFileSync(tarball),
  });
  await approve(sagemaker, s3, version, { bucket: 'registry-artifacts' });
  const config = sandboxStage([project]);
  const result = await handleDeployEvent(stateChangeEvent(group, version, 'Approved'), {
    config,
    sagemaker,
    s3,
    ssm,
    logger: createLogger({}, { write: () => undefined }),
  });
  // What a client does: read the TargetModel, which the endpoint resolves under its ModelDataUrl prefix.
  const parameter = await ssm.send(new GetParameterCommand({ Name: `${config.parameterPrefix}abalone/${group}` }));
  const target = parameter.Parameter?.Value ?? '';
  const object = await s3.send(new GetObjectCommand({ Bucket: 'serving', Key: `${config.servingPrefix}${target}` }));
  fs.writeFileSync(
    output,
    await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
  );
  process.stdout.write(`${JSON.stringify({ ...result, parameterValue: target })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
