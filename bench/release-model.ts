/**
 * Benchmark of the release function's lookup, `npm run bench`: SageMaker API calls and wall time to approve a
 * commit among N = 10, 100, 1,000 model versions, with the version at the newest, middle and oldest position, for
 *
 * - ours: the release function's logic (list newest first, match the description, confirm with one describe), run
 *   through `handleReleaseEvent` with a direct invocation `{"commit_id": ...}`;
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
import {
  createModelPackageGroup,
  fakeCommitId,
  recordCommands,
  registerVersions,
} from '../test/support/model-registry';
import { startMoto, useMotoEnvironment } from '../test/support/moto';

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

async function main(): Promise<void> {
  const runs = runsFromArgs();
  const moto = await startMoto();
  try {
    useMotoEnvironment(moto.endpoint);
    const sagemaker = new SageMakerClient({});
    const sent = recordCommands(sagemaker);
    const deps = (group: string) => ({
      config: {
        projectName: 'bench',
        repositoryName: 'model-bench-train',
        mainBranch: 'main',
        modelPackageGroupName: group,
        intentTableName: 'bench-release-intents',
        intentTtlDays: 14,
      },
      sagemaker,
      dynamodb: new DynamoDBClient({}),
      logger: createLogger({}, { write: () => undefined }),
    });

    /** Puts a version back to PendingManualApproval with the pipeline's metadata (moto replaces the metadata). */
    const reset = async (arn: string, commitId: string) => {
      const described = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
      await sagemaker.send(
        new UpdateModelPackageCommand({
          ModelPackageArn: arn,
          ModelApprovalStatus: ModelApprovalStatus.PENDING_MANUAL_APPROVAL,
          CustomerMetadataProperties: {
            commit_id: commitId,
            branch: described.CustomerMetadataProperties?.branch ?? 'experiment/bench',
            pipeline_execution_arn: described.CustomerMetadataProperties?.pipeline_execution_arn ?? 'unknown',
          },
        }),
      );
    };

    const measure = async (action: () => Promise<string>): Promise<Measure> => {
      sent.length = 0;
      const start = performance.now();
      const arn = await action();
      return { ms: performance.now() - start, calls: sent.length, arn };
    };

    const rows: string[] = [];
    for (const size of SIZES) {
      const group = `bench-${size}`;
      const registerStart = performance.now();
      await createModelPackageGroup(sagemaker, group);
      const commits = Array.from({ length: size }, (_, i) => fakeCommitId(`${group}-${i + 1}`));
      const arns = await registerVersions(
        sagemaker,
        group,
        commits.map((commitId) => ({ commitId })),
      );
      process.stderr.write(`registered ${size} versions in ${Math.round(performance.now() - registerStart)} ms\n`);

      for (const position of POSITIONS) {
        const version = versionAt(position, size);
        const commitId = commits[version - 1] ?? '';
        const expected = arns[version - 1] ?? '';
        const ours: Measure[] = [];
        const reference: Measure[] = [];
        for (let run = 0; run < runs; run += 1) {
          ours.push(
            await measure(async () => {
              const result = await handleReleaseEvent({ commit_id: commitId }, deps(group));
              if (result.outcome !== 'approved') throw new Error(`ours: ${result.outcome}: ${result.message}`);
              return result.modelPackageArn ?? '';
            }),
          );
          await reset(expected, commitId);
          reference.push(await measure(() => referenceApprove(sagemaker, group, commitId)));
          await reset(expected, commitId);
        }
        for (const m of [...ours, ...reference]) {
          if (m.arn !== expected) throw new Error(`approved ${m.arn}, expected ${expected} (N=${size}, ${position})`);
        }
        const oursMs = median(ours.map((m) => m.ms));
        const refMs = median(reference.map((m) => m.ms));
        rows.push(
          `| ${size} | ${position} (v${version}) | ${median(ours.map((m) => m.calls))} | ${oursMs.toFixed(0)} | ` +
            `${median(reference.map((m) => m.calls))} | ${refMs.toFixed(0)} | ${(refMs / oursMs).toFixed(1)}x |`,
        );
        process.stderr.write(`N=${size} ${position} done\n`);
      }
    }

    process.stdout.write(
      [
        '',
        `Approve one commit among N model versions (moto_server, median of ${runs} run(s); calls = SageMaker API calls including the update)`,
        '',
        '| N | position | ours: calls | ours: ms | reference: calls | reference: ms | reference / ours (time) |',
        '| ---: | --- | ---: | ---: | ---: | ---: | ---: |',
        ...rows,
        '',
      ].join('\n'),
    );
  } finally {
    await moto.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
