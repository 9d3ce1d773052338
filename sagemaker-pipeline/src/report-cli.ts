/**
 * `node report.js`: prints the pull request report of a branch's head commit as Markdown, the same report the
 * CodeCommit variant keeps as a pull request comment (one renderer, lambda/pr-report/render.ts). The GitHub
 * workflow writes it to the job summary and keeps one sticky pull request comment with it (ci/report.sh).
 *
 * Needs read-only SageMaker and S3 access to the project (the project's CI report role, output CiReportRoleArn).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { collectReport, CollectDeps, ReportTarget } from '../../lambda/pr-report/collect';
import { PrReport, renderReport } from '../../lambda/pr-report/render';
import * as z from 'zod/mini';
import {
  bucketField,
  branchNameField,
  commitField,
  fromEnv,
  matching,
  parseFlags,
  projectNameField,
  requiredString,
} from './command/flags';

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

/** `<what> "<value>" <problem>`: the form of every malformed-value message of report.js. */
const quoted = (what: string, problem: string) => (value: string) => `${what} ${JSON.stringify(value)} ${problem}`;
const whole = (what: string) =>
  z.optional(
    z.pipe(
      matching(what, /^[0-9]+$/, quoted(what, 'must be a whole number')),
      z.transform((raw: string) => Number(raw)),
    ),
  );

const PROJECT = '--project (or MLOPS_PROJECT_NAME)';
const BRANCH = '--branch (or BRANCH_NAME)';
const COMMIT = '--commit (or COMMIT_HASH)';
const BUCKET = '--bucket (or MLOPS_SOURCE_BUCKET)';

/** The options of report.js, in the order their problems are reported. */
const reportOptionsSchema = z.object({
  projectName: projectNameField(
    PROJECT,
    (value, message) => `${PROJECT} ${JSON.stringify(value)} is not valid: ${message}`,
  ),
  projectId: requiredString('--project-id (or MLOPS_PROJECT_ID)'),
  branch: branchNameField(BRANCH, (value, message) => `${BRANCH} ${JSON.stringify(value)} is not valid: ${message}`),
  headCommit: commitField(COMMIT, quoted(COMMIT, 'must be a full commit id: 40 lowercase hex digits')),
  artifactBucket: bucketField(BUCKET, quoted(BUCKET, 'is not an S3 bucket name')),
  region: requiredString('--region (or AWS_REGION)'),
  waitMinutes: whole('--wait-minutes'),
  pollSeconds: whole('--poll-seconds'),
});

/** Parses flags and environment; throws ReportUsageError naming every missing or malformed value. */
export function parseReportOptions(argv: readonly string[], env: NodeJS.ProcessEnv): ReportOptions | 'help' {
  const values = parseFlags(
    argv,
    {
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
    ReportUsageError,
  );
  if (values.help === true) return 'help';
  const parsed = reportOptionsSchema.safeParse({
    projectName: fromEnv(values.project, env, 'MLOPS_PROJECT_NAME'),
    projectId: fromEnv(values['project-id'], env, 'MLOPS_PROJECT_ID'),
    branch: fromEnv(values.branch, env, 'BRANCH_NAME'),
    headCommit: fromEnv(values.commit, env, 'COMMIT_HASH'),
    artifactBucket: fromEnv(values.bucket, env, 'MLOPS_SOURCE_BUCKET'),
    region: fromEnv(values.region, env, 'MLOPS_REGION', 'AWS_REGION', 'AWS_DEFAULT_REGION'),
    waitMinutes: values['wait-minutes'],
    pollSeconds: values['poll-seconds'],
  });
  if (!parsed.success) throw new ReportUsageError(parsed.error.issues.map((issue) => issue.message).join('\n'));
  const { waitMinutes = 0, pollSeconds = 60, ...target } = parsed.data;
  return { target, waitMs: waitMinutes * 60_000, pollMs: pollSeconds * 1000 };
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
