/**
 * Benchmark of the release function's lookup, `npm run bench`: SageMaker API calls and wall time to approve a
 * commit among N = 10, 100, 1,000 model versions, with the version at the newest, middle and oldest position, for
 *
 * - ours: the release function as deployed, through `handleReleaseEvent` with a reviewed pull request merge event
 *   (CodeCommit stand-in), every version registered by a pipeline execution in moto and indexed by its state change
 *   event; the merge reads the commit index (DynamoDB) and describes the version once before the update;
 * - reference: the reference sample's algorithm, implemented here: list every version, describe each one, approve
 *   the version whose MetadataProperties.CommitId matches.
 *
 * Both run in the same process against the same moto_server and the same groups (registered per the metadata
 * contract); each version is reset to PendingManualApproval between runs. Prints a Markdown table of medians.
 *
 *   npm run bench                # 3 runs per cell
 *   npm run bench -- --runs 1
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeModelPackageCommand,
  ListModelPackagesCommand,
  ModelApprovalStatus,
  SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { performance } from 'node:perf_hooks';
import { handleReleaseEvent } from '../lambda/release-model/release';
import { createLogger } from '../lambda/shared/logger';
import { CodeCommitClient } from '@aws-sdk/client-codecommit';
import { S3Client } from '@aws-sdk/client-s3';
import { loadReleaseConfig } from '../lambda/release-model/config';
import { ReleaseDeps } from '../lambda/release-model/release';
import { reviewedMergeRecord, startCodeCommitStandIn } from '../test/e2e/support/codecommit-standin';
import type { PullRequestRecord } from '../test/e2e/support/git-events';
import { awsEvent } from '../test/support/fixtures';
import * as registry from '../test/support/model-registry';
import { startMoto, useMotoEnvironment } from '../test/support/moto';
import { startSageMakerStepsStandIn } from '../test/support/sagemaker-steps';

const SIZES = [10, 100, 1000] as const;
const POSITIONS = ['newest', 'middle', 'oldest'] as const;
type Position = (typeof POSITIONS)[number];

interface Measure {
  readonly calls: number;
  readonly ms: number;
  readonly arn: string;
}

function runsFromArgs(): number {
  const index = process.argv.indexOf('--runs');
  if (index === -1) return 3;
  const runs = Number(process.argv[index + 1]);
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`--runs must be a whole number >= 1, got ${process.argv[index + 1]}`);
  return runs;
}

/** 1-based version (oldest = 1) at a position in a group of `size`. */
function versionAt(position: Position, size: number): number {
  if (position === 'newest') return size;
  if (position === 'oldest') return 1;
  return Math.ceil(size / 2);
}

/** The reference sample's algorithm: list every version, describe each, approve the match. */
async function referenceApprove(sagemaker: SageMakerClient, group: string, commitId: string): Promise<string> {
  const arns: string[] = [];
  let token: string | undefined;
  do {
    const page = await sagemaker.send(
      new ListModelPackagesCommand({ ModelPackageGroupName: group, MaxResults: 100, NextToken: token }),
    );
    for (const summary of page.ModelPackageSummaryList ?? []) arns.push(summary.ModelPackageArn ?? '');
    token = page.NextToken;
  } while (token);
  let match: string | undefined;
  for (const arn of arns) {
    const described = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
    if (described.MetadataProperties?.CommitId === commitId) match = arn;
  }
  if (match === undefined) throw new Error(`reference: no version for ${commitId}`);
  await sagemaker.send(
    new UpdateModelPackageCommand({ ModelPackageArn: match, ModelApprovalStatus: ModelApprovalStatus.APPROVED }),
  );
  return match;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

/** SageMaker calls before the first UpdateModelPackage (all of them when there is none). */
const beforeUpdate = (names: string[]): number => {
  const index = names.indexOf('UpdateModelPackageCommand');
  return index === -1 ? names.length : index;
};

async function main(): Promise<void> {
  const runs = runsFromArgs();
  const moto = await startMoto();
  const steps = await startSageMakerStepsStandIn(moto.endpoint);
  const pullRequestRecords = new Map<string, PullRequestRecord>();
  const codecommitStandIn = await startCodeCommitStandIn({
    repositoryName: 'model-bench-train',
    branches: () => new Map(),
    pullRequestRecords,
  });
  try {
    useMotoEnvironment(moto.endpoint);
    // Through the stand-in: moto has no ListPipelineExecutionSteps (test/support/sagemaker-steps.ts).
    const sagemaker = new SageMakerClient({ endpoint: steps.endpoint });
    const s3 = new S3Client({ forcePathStyle: true });
    const dynamodb = new DynamoDBClient({});
    const sent = registry.recordCommands(sagemaker);
    const codecommit = new CodeCommitClient({ endpoint: codecommitStandIn.endpoint });
    const deps = (r: registry.ReleaseResources): ReleaseDeps => ({
      config: loadReleaseConfig(registry.releaseEnvironment(r, 'model-bench-train')),
      sagemaker,
      dynamodb,
      s3,
      codecommit,
      logger: createLogger({}, { write: () => undefined }),
    });

    /** Puts a version back to PendingManualApproval with the pipeline's metadata (moto replaces the metadata). */
    const reset = async (arn: string) => {
      const described = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
      const metadata = Object.fromEntries(
        Object.entries(described.CustomerMetadataProperties ?? {}).filter(
          ([key]) => !key.startsWith('release_') && !key.startsWith('approved_artifact_'),
        ),
      );
      await sagemaker.send(
        new UpdateModelPackageCommand({
          ModelPackageArn: arn,
          ModelApprovalStatus: ModelApprovalStatus.PENDING_MANUAL_APPROVAL,
          CustomerMetadataProperties: metadata,
        }),
      );
    };

    const measure = async (action: () => Promise<string>): Promise<Measure & { before: number }> => {
      sent.length = 0;
      const start = performance.now();
      const arn = await action();
      return { ms: performance.now() - start, calls: sent.length, before: beforeUpdate(sent), arn };
    };

    const rows: string[] = [];
    const fallbackRows: string[] = [];
    let pullRequestId = 0;
    for (const size of SIZES) {
      const r: registry.ReleaseResources = {
        projectName: `bench${size}`,
        projectId: `p-bench${size}`,
        group: `model-bench${size}`,
        intentTable: `bench${size}-release-intents`,
        indexTable: `bench${size}-commit-index`,
        bucket: `bench${size}-artifacts`,
      };
      const registerStart = performance.now();
      await registry.createReleaseResources({ sagemaker, dynamodb, s3 }, r);
      const commits = Array.from({ length: size }, (_, i) => registry.fakeCommitId(`${r.group}-${i + 1}`));
      const arns: string[] = [];
      for (const commitId of commits) {
        const { arn } = await registry.registerFromExecution({ sagemaker, s3 }, steps, r, { commitId, branch: BRANCH });
        arns.push(arn);
        // SageMaker's state change: the release function verifies the version and indexes its commit.
        await handleReleaseEvent(await registry.stateChangeEvent(sagemaker, arn), deps(r));
      }
      process.stderr.write(
        `registered and indexed ${size} versions in ${Math.round(performance.now() - registerStart)} ms\n`,
      );

      for (const position of POSITIONS) {
        const version = versionAt(position, size);
        const commitId = commits[version - 1] ?? '';
        const expected = arns[version - 1] ?? '';
        const ours: (Measure & { before: number })[] = [];
        const reference: Measure[] = [];
        for (let run = 0; run < runs; run += 1) {
          const id = String((pullRequestId += 1));
          pullRequestRecords.set(
            id,
            reviewedMergeRecord({
              pullRequestId: id,
              source: BRANCH,
              sourceCommit: commitId,
              mergeOption: 'SQUASH_MERGE',
              destinationCommit: registry.fakeCommitId('main'),
              mergeCommitId: registry.fakeCommitId(`merge-${id}`),
            }),
          );
          ours.push(
            await measure(async () => {
              const result = await handleReleaseEvent(mergeEvent(id, commitId), deps(r));
              if (result.outcome !== 'approved') throw new Error(`ours: ${result.outcome}: ${result.message}`);
              return result.modelPackageArn ?? '';
            }),
          );
          await reset(expected);
          reference.push(await measure(() => referenceApprove(sagemaker, r.group, commitId)));
          await reset(expected);
        }
        for (const m of [...ours, ...reference]) {
          if (m.arn !== expected) throw new Error(`approved ${m.arn}, expected ${expected} (N=${size}, ${position})`);
        }
        const oursMs = median(ours.map((m) => m.ms));
        const refMs = median(reference.map((m) => m.ms));
        rows.push(
          `| ${size} | ${position} (v${version}) | ${median(ours.map((m) => m.before))} | ` +
            `${median(ours.map((m) => m.calls))} | ${oursMs.toFixed(0)} | ` +
            `${median(reference.map((m) => m.calls))} | ${refMs.toFixed(0)} | ${(refMs / oursMs).toFixed(1)}x |`,
        );
        process.stderr.write(`N=${size} ${position} done\n`);
      }

      // A commit the index does not hold (older than the index, or its registration event was lost): the bounded
      // fallback lists ONE page of the 100 newest versions, whatever N.
      const unindexed = registry.fakeCommitId(`${r.group}-unindexed`);
      const miss = await measure(async () => {
        await handleReleaseEvent({ commit_id: unindexed }, deps(r)).catch((err: Error) => {
          if (err.name !== 'NotFoundError') throw err;
        });
        return '';
      });
      fallbackRows.push(
        `| ${size} | ${sent.filter((name) => name === 'ListModelPackagesCommand').length} | ${miss.calls} | ${miss.ms.toFixed(0)} |`,
      );
    }

    process.stdout.write(
      [
        '',
        `Approve the commit of a reviewed pull request merge among N model versions (moto_server, median of ${runs} ` +
          'run(s); SageMaker API calls: before the update, and in all including the update)',
        '',
        '| N | position | ours: SageMaker calls before update | ours: SageMaker calls | ours: ms | reference: calls | reference: ms | reference / ours (time) |',
        '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
        ...rows,
        '',
        'A commit with no indexed version (the bounded fallback; nothing to approve)',
        '',
        '| N | ListModelPackages calls | SageMaker calls | ms |',
        '| ---: | ---: | ---: | ---: |',
        ...fallbackRows,
        '',
      ].join('\n'),
    );
  } finally {
    await steps.stop();
    await codecommitStandIn.stop();
    await moto.stop();
  }
}

const BRANCH = 'experiment/bench';

/** The documented merge event for pull request `id`. */
function mergeEvent(id: string, sourceCommit: string): unknown {
  const event = awsEvent<{ detail: Record<string, unknown> }>('codecommit-pullRequestMergeStatusUpdated.json');
  event.detail = {
    ...event.detail,
    repositoryNames: ['model-bench-train'],
    pullRequestId: id,
    sourceCommit,
    sourceReference: `refs/heads/${BRANCH}`,
    destinationCommit: registry.fakeCommitId('main'),
  };
  return event;
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
