/**
 * Figures of the deploy function, `npm run bench:serving`: handler time (median of 20 runs against moto_server) and
 * AWS API calls per event, for a group with A = 1, 10 and 50 Approved versions, in three cases:
 *
 * - promote: a new version was approved (copy its artifact, point the parameter at it);
 * - repeat:  the same event again (nothing to do: the state already converged);
 * - rollback: the current version was rejected (point the parameter back; its artifact is already served).
 *
 * The calls are recorded per client (SageMaker, S3, SSM) with a middleware; the times include moto's own latency
 * (local HTTP), so they are an upper bound of the function's work, not of the network in AWS. Also prints the calls
 * the seed's refresh makes per promotion (a new endpoint config and UpdateEndpoint), counted from its steps: moto has
 * no UpdateEndpoint, so its provisioning time cannot be measured here.
 *
 *   npm run bench:serving
 */
import { performance } from 'node:perf_hooks';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SSMClient } from '@aws-sdk/client-ssm';
import { handleDeployEvent } from '../lambda/deploy-model/deploy';
import { createLogger } from '../lambda/shared/logger';
import { startMoto, useMotoEnvironment } from '../test/support/moto';
import * as serving from '../test/support/serving';
import { median } from './support';

const RUNS = 20;
const APPROVED = [1, 10, 50] as const;

type Recordable = SageMakerClient | S3Client | SSMClient;

function record(clients: Record<string, Recordable>): string[] {
  const calls: string[] = [];
  for (const [service, client] of Object.entries(clients)) {
    (client as SageMakerClient).middlewareStack.add(
      (next, context) => async (args) => {
        calls.push(`${service}:${String(context.commandName).replace(/Command$/, '')}`);
        return next(args);
      },
      { step: 'initialize', name: `bench-${service}` },
    );
  }
  return calls;
}

function summary(calls: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const c of calls) counts.set(c, (counts.get(c) ?? 0) + 1);
  return [...counts].map(([name, n]) => `${name}×${n}`).join(', ');
}

async function main(): Promise<void> {
  const moto = await startMoto();
  useMotoEnvironment(moto.endpoint);
  const sagemaker = new SageMakerClient({});
  const s3 = new S3Client({ forcePathStyle: true });
  const ssm = new SSMClient({});
  const project = { name: 'bench', id: 'p-bench0001' };
  await serving.createVersionedBucket(s3, 'registry-artifacts');
  await serving.createVersionedBucket(s3, 'serving');
  const config = serving.sandboxStage([project], { retainArtifacts: 100 });
  const calls = record({ sagemaker, s3, ssm });
  const deps = { config, sagemaker, s3, ssm, logger: createLogger({}, { write: () => undefined }) };
  const body = Buffer.alloc(64 * 1024, 7); // a 64 KiB tarball stand-in: copy is server-side, size barely matters

  const rows: string[] = [];
  try {
    for (const approvedCount of APPROVED) {
      const group = `model-bench-a${approvedCount}`;
      await serving.createTaggedGroup(sagemaker, group, project);
      const versions: serving.RegisteredArtifact[] = [];
      for (let i = 0; i < approvedCount - 1; i += 1) {
        const v = await serving.registerWithArtifact(sagemaker, s3, {
          group,
          bucket: 'registry-artifacts',
          label: `${i}`,
          body,
        });
        await serving.approve(sagemaker, s3, v, { bucket: 'registry-artifacts' });
        versions.push(v);
      }
      if (versions.length > 0) {
        const last = versions[versions.length - 1] as serving.RegisteredArtifact;
        await handleDeployEvent(serving.stateChangeEvent(group, last, 'Approved'), deps);
      }
      const promoteTimes: number[] = [];
      const repeatTimes: number[] = [];
      const rollbackTimes: number[] = [];
      let promoteCalls: string[] = [];
      let repeatCalls: string[] = [];
      let rollbackCalls: string[] = [];
      for (let run = 0; run < RUNS; run += 1) {
        // A fresh version each run, approved, then the event: the promote case.
        const v = await serving.registerWithArtifact(sagemaker, s3, {
          group,
          bucket: 'registry-artifacts',
          label: `n${run}`,
          body,
        });
        await serving.approve(sagemaker, s3, v, { bucket: 'registry-artifacts' });
        calls.length = 0;
        let t = performance.now();
        const promoted = await handleDeployEvent(serving.stateChangeEvent(group, v, 'Approved'), deps);
        promoteTimes.push(performance.now() - t);
        if (promoted.outcome !== 'promoted') throw new Error(`expected a promotion, got ${JSON.stringify(promoted)}`);
        promoteCalls = [...calls];

        calls.length = 0;
        t = performance.now();
        const repeated = await handleDeployEvent(serving.stateChangeEvent(group, v, 'Approved'), deps);
        repeatTimes.push(performance.now() - t);
        if (repeated.outcome !== 'unchanged') throw new Error(`expected no change, got ${JSON.stringify(repeated)}`);
        repeatCalls = [...calls];

        await serving.reject(sagemaker, v);
        calls.length = 0;
        t = performance.now();
        const rolled = await handleDeployEvent(serving.stateChangeEvent(group, v, 'Rejected'), deps);
        rollbackTimes.push(performance.now() - t);
        if (approvedCount > 1 && rolled.outcome !== 'promoted') {
          throw new Error(`expected a rollback, got ${JSON.stringify(rolled)}`);
        }
        rollbackCalls = [...calls];
      }
      const line = (name: string, times: number[], c: string[]) =>
        `| ${approvedCount} | ${name} | ${median(times).toFixed(1)} | ${c.length} | ${summary(c)} |`;
      rows.push(line('promote', promoteTimes, promoteCalls));
      rows.push(line('repeat', repeatTimes, repeatCalls));
      rows.push(line('rollback', rollbackTimes, rollbackCalls));
    }
  } finally {
    await moto.stop();
  }
  process.stdout.write(
    [
      `Deploy function against moto_server, median of ${RUNS} runs per cell (Node ${process.version}).`,
      '',
      '| Approved versions in group | event | handler ms (median) | API calls | calls |',
      '| --- | --- | --- | --- | --- |',
      ...rows,
      '',
      'Seed refresh per promotion (counted from its steps, not run: moto has no UpdateEndpoint): the registry',
      'reads (ListModelPackages + DescribeModelPackage per model), then CreateEndpointConfig 1, UpdateEndpoint 1 and',
      'DescribeEndpoint polled until InService (boto3 waiter endpoint_in_service: every 30 s, up to 120 times), i.e.',
      '2 + ceil(update time / 30 s) endpoint calls on top of the reads, and a new instance fleet per refresh',
      '(blue/green) that serves only once InService.',
      '',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
