/**
 * `node report.js`: prints the pull request report of a branch's head commit as Markdown, the same report the
 * CodeCommit variant keeps as a pull request comment (one renderer, lambda/pr-report/render.ts). The GitHub
 * workflow writes it to the job summary and keeps one sticky pull request comment with it (ci/report.sh).
 *
 * Needs read-only SageMaker and S3 access to the project (the project's CI report role, output CiReportRoleArn).
 */
import { parseArgs } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { collectReport, CollectDeps, ReportTarget } from '../../lambda/pr-report/collect';
import { PrReport, renderReport } from '../../lambda/pr-report/render';
import { COMMIT_ID_PATTERN, S3_BUCKET_NAME_PATTERN as BUCKET } from '../../contracts/patterns';
import { assertBranchName, assertProjectName } from '../../contracts/naming';

export const REPORT_USAGE = `Usage: node report.js [options]

Prints the model report of a branch's head commit as Markdown (training state per model, metrics against the
newest Approved version of each model package group), the report CodeCommit pull requests get as a comment.

Options (each falls back to the environment variable in brackets):
  --project NAME        SageMaker project name [MLOPS_PROJECT_NAME]
  --project-id ID       SageMaker project id (stack output ProjectId) [MLOPS_PROJECT_ID]
  --branch NAME         the pull request's source branch [BRANCH_NAME]
  --commit SHA          its head commit, 40 hex [COMMIT_HASH]
  --bucket NAME         the project's artifact bucket (output CiSourceBucketName) [MLOPS_SOURCE_BUCKET]
  --region REGION       [MLOPS_REGION, AWS_REGION, AWS_DEFAULT_REGION]
  --wait-minutes N      wait up to N minutes while a model is still training or not started (default 0)
  --poll-seconds N      seconds between checks while waiting (default 60)
  --help                this text
`;

export class ReportUsageError extends Error {
  override readonly name = 'ReportUsageError';
}

export interface ReportOptions {
  readonly target: ReportTarget;
  readonly waitMs: number;
  readonly pollMs: number;
}

/** Parses flags and environment; throws ReportUsageError naming every missing or malformed value. */
export function parseReportOptions(argv: readonly string[], env: NodeJS.ProcessEnv): ReportOptions | 'help' {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        project: { type: 'string' },
        'project-id': { type: 'string' },
        branch: { type: 'string' },
        commit: { type: 'string' },
        bucket: { type: 'string' },
        region: { type: 'string' },
        'wait-minutes': { type: 'string' },
        'poll-seconds': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (err) {
    throw new ReportUsageError((err as Error).message);
  }
  if (values.help === true) return 'help';
  const problems: string[] = [];
  const pick = (flag: string | undefined, ...names: string[]) =>
    flag ?? names.map((n) => env[n]).find((v) => v !== undefined && v !== '');
  const need = (value: string | undefined, what: string, check?: (v: string) => string | undefined) => {
    if (value === undefined) {
      problems.push(`${what} is required`);
      return '';
    }
    const problem = check?.(value);
    if (problem !== undefined) problems.push(`${what} ${JSON.stringify(value)} ${problem}`);
    return value;
  };
  const tryAssert = (assert: (v: string) => void) => (v: string) => {
    try {
      assert(v);
      return undefined;
    } catch (err) {
      return `is not valid: ${(err as Error).message}`;
    }
  };
  const minutes = (raw: string | undefined, what: string, fallback: number) => {
    if (raw === undefined) return fallback;
    if (!/^[0-9]+$/.test(raw)) {
      problems.push(`${what} ${JSON.stringify(raw)} must be a whole number`);
      return fallback;
    }
    return Number(raw);
  };
  const target: ReportTarget = {
    projectName: need(
      pick(values.project, 'MLOPS_PROJECT_NAME'),
      '--project (or MLOPS_PROJECT_NAME)',
      tryAssert(assertProjectName),
    ),
    projectId: need(pick(values['project-id'], 'MLOPS_PROJECT_ID'), '--project-id (or MLOPS_PROJECT_ID)'),
    branch: need(pick(values.branch, 'BRANCH_NAME'), '--branch (or BRANCH_NAME)', tryAssert(assertBranchName)),
    headCommit: need(pick(values.commit, 'COMMIT_HASH'), '--commit (or COMMIT_HASH)', (v) =>
      COMMIT_ID_PATTERN.test(v) ? undefined : 'must be a full commit id: 40 lowercase hex digits',
    ),
    artifactBucket: need(pick(values.bucket, 'MLOPS_SOURCE_BUCKET'), '--bucket (or MLOPS_SOURCE_BUCKET)', (v) =>
      BUCKET.test(v) ? undefined : 'is not an S3 bucket name',
    ),
    region: need(pick(values.region, 'MLOPS_REGION', 'AWS_REGION', 'AWS_DEFAULT_REGION'), '--region (or AWS_REGION)'),
  };
  const waitMs = minutes(values['wait-minutes'], '--wait-minutes', 0) * 60_000;
  const pollMs = minutes(values['poll-seconds'], '--poll-seconds', 60) * 1000;
  if (problems.length > 0) throw new ReportUsageError(problems.join('\n'));
  return { target, waitMs, pollMs };
}

/** Whether a model of the report is still to change by itself (training, or its execution not started yet). */
export function stillTraining(report: PrReport): boolean {
  return report.models.some((m) => m.state.kind === 'running' || m.state.kind === 'not-started');
}

export interface ReportIo {
  readonly out: (text: string) => void;
  readonly err: (line: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/** Collects (waiting while asked) and prints the report; returns the exit code. */
export async function runReport(options: ReportOptions, io: ReportIo, deps?: CollectDeps): Promise<number> {
  const clients = deps ?? {
    sagemaker: new SageMakerClient({ region: options.target.region }),
    s3: new S3Client({ region: options.target.region }),
  };
  const now = io.now ?? Date.now;
  const sleep = io.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = now() + options.waitMs;
  let report = await collectReport(clients, options.target);
  while (stillTraining(report) && now() + options.pollMs <= deadline) {
    io.err(`still training; checking again in ${options.pollMs / 1000} s`);
    await sleep(options.pollMs);
    report = await collectReport(clients, options.target);
  }
  io.out(renderReport(report));
  return 0;
}

export async function reportMain(argv: readonly string[], env: NodeJS.ProcessEnv, io: ReportIo): Promise<number> {
  let options;
  try {
    options = parseReportOptions(argv, env);
  } catch (err) {
    if (err instanceof ReportUsageError) {
      io.err(`${err.message}\n\n${REPORT_USAGE}`);
      return 2;
    }
    throw err;
  }
  if (options === 'help') {
    io.out(REPORT_USAGE);
    return 0;
  }
  return runReport(options, io);
}
