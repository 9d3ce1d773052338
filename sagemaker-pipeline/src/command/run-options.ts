/**
 * The options of `node run.js`: flags, each falling back to an environment variable (USAGE in cli.ts), validated
 * with zod. Every missing or malformed value is named at once, before anything is read or sent (UsageError, exit 2).
 * `--dry-run` and `--local` touch no AWS: they take placeholders for what only a real run needs.
 */
import * as path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import * as z from 'zod/mini';
import { IAM_ROLE_ARN_PATTERN } from '../../../contracts/patterns';
import { sageMakerPipelineName } from '../../../contracts/naming';
import { COMMIT_PATTERN, RunContext } from '../definition';
import { FORK_ENV, parseForkSetting } from '../local-steps';
import { PipelineConfig, loadPipelineFile } from '../pipeline-file';
import { RetrainSettings, RetrainSettingsError, readRetrainSettings } from '../retrain';
import { LOCAL_CONNECTION_ENV, LOCAL_CONNECTION_FLAG } from '../sql-local';
import { WAREHOUSE_ENV, Warehouse, WarehouseError, warehouseFromEnv } from '../sql-source';
import { branchNameField, bucketField, fromEnv, matching, parseFlags, projectNameField, requiredString } from './flags';

/** `--sql-url`, as parseArgs names it. */
const SQL_URL_OPTION = LOCAL_CONNECTION_FLAG.slice(2) as 'sql-url';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface RunOptions {
  readonly context: RunContext;
  readonly projectId?: string;
  readonly configFile: string;
  readonly config: PipelineConfig;
  readonly wait: boolean;
  readonly waitTimeoutMs: number;
  readonly dryRun: boolean;
  readonly local?: {
    readonly inputs: Readonly<Record<string, string>>;
    readonly python: string;
    /** The local database of `sql:` sources (--sql-url, else SQL_CONNECTION_URL). */
    readonly sqlUrl?: string;
    /** LOCAL_RUN_FORK=1/0: the steps through the fork server, or one Python process each (src/local-steps.ts). */
    readonly fork?: boolean;
  };
  /** The repository root (where run.js is): scripts and .local-run/ are relative to it. */
  readonly seedRoot: string;
  /** Scheduled retraining (TRIGGER, TEST_MODE, SCHEDULED_TIME, RETRAIN_*); a push when unset. */
  readonly retrain?: RetrainSettings;
  /** Printed on stderr before the dry run's definition (e.g. the warehouse placeholders it used). */
  readonly notes?: readonly string[];
}

export interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

export interface Clients {
  readonly s3: S3Client;
  readonly sagemaker: SageMakerClient;
}

/**
 * The values of the flags and environment, in the order their problems are reported. `commitRaw` is the commit as
 * given (it is validated lower-cased, and named as given).
 */
function valuesSchema(dryRun: boolean, commitRaw: string | undefined) {
  return z.object({
    // Any branch git accepts runs; only input that is not a branch name (empty, a full ref) is refused here.
    branch: branchNameField('--branch (or BRANCH_NAME)'),
    commit: matching(
      '--commit (or COMMIT_HASH)',
      COMMIT_PATTERN,
      () => `commit ${JSON.stringify(commitRaw)} is not a full 40-hex commit id`,
    ),
    projectName: projectNameField('--project (or PROJECT_NAME)'),
    projectId: dryRun ? z.optional(z.string()) : requiredString('--project-id (or PROJECT_ID)'),
    bucket: bucketField(
      '--bucket (or ARTIFACT_BUCKET)',
      (value) => `bucket ${JSON.stringify(value)} is not an S3 bucket name`,
    ),
    roleArn: matching(
      '--role-arn (or SAGEMAKER_PIPELINE_ROLE_ARN)',
      IAM_ROLE_ARN_PATTERN,
      (value) => `role ARN ${JSON.stringify(value)} is not an IAM role ARN`,
    ),
    region: requiredString('--region (or AWS_REGION)'),
    waitTimeoutMinutes: z.optional(
      z
        .pipe(
          z.string(),
          z.transform((raw: string) => Number(raw)),
        )
        .check(
          z.refine((minutes) => Number.isFinite(minutes) && minutes > 0, {
            error: '--wait-timeout-minutes must be a positive number',
          }),
        ),
    ),
  });
}

/** What `read` returns; when it throws a `kind` error, undefined and the error's message added to `problems`. */
function orProblem<T>(problems: string[], kind: new (message: string) => Error, read: () => T): T | undefined {
  try {
    return read();
  } catch (err) {
    if (!(err instanceof kind)) throw err;
    problems.push(err.message);
    return undefined;
  }
}

/** Parses flags and environment; throws UsageError naming every missing or malformed value. */
export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv, seedRoot: string): RunOptions | 'help' {
  const v = parseFlags(
    argv,
    {
      branch: { type: 'string' },
      commit: { type: 'string' },
      project: { type: 'string' },
      'project-id': { type: 'string' },
      bucket: { type: 'string' },
      'role-arn': { type: 'string' },
      'model-package-group': { type: 'string' },
      region: { type: 'string' },
      config: { type: 'string' },
      wait: { type: 'boolean', default: false },
      'wait-timeout-minutes': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      local: { type: 'boolean', default: false },
      input: { type: 'string', multiple: true },
      python: { type: 'string' },
      [SQL_URL_OPTION]: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    UsageError,
  );
  if (v.help) return 'help';
  const local = v.local === true;
  if (local && v['dry-run'] === true) throw new UsageError('--local and --dry-run exclude each other');
  const sqlUrlFlag = v[SQL_URL_OPTION];
  if (!local && (v.input !== undefined || v.python !== undefined || sqlUrlFlag !== undefined)) {
    throw new UsageError(`--input, --python and ${LOCAL_CONNECTION_FLAG} go with --local`);
  }
  const fork = local ? parseForkSetting(env[FORK_ENV]) : undefined;
  if (typeof fork === 'string') throw new UsageError(fork);
  // --local touches no AWS either: it needs what --dry-run needs, nothing more.
  const dryRun = v['dry-run'] === true || local;
  // Without AWS a placeholder stands in for what only a real run needs; a real run requires the value.
  const orPlaceholder = (value: string | undefined, placeholder: string) => value ?? (dryRun ? placeholder : undefined);
  const commitRaw = fromEnv(v.commit, env, 'COMMIT_HASH') ?? (local ? '0'.repeat(40) : undefined);
  const parsed = valuesSchema(dryRun, commitRaw).safeParse({
    branch: fromEnv(v.branch, env, 'BRANCH_NAME') ?? (local ? 'local' : undefined),
    commit: commitRaw?.toLowerCase(),
    projectName: orPlaceholder(fromEnv(v.project, env, 'PROJECT_NAME'), local ? 'project' : 'dry-run'),
    projectId: fromEnv(v['project-id'], env, 'PROJECT_ID'),
    bucket: orPlaceholder(fromEnv(v.bucket, env, 'ARTIFACT_BUCKET'), 'artifact-bucket'),
    roleArn: orPlaceholder(
      fromEnv(v['role-arn'], env, 'SAGEMAKER_PIPELINE_ROLE_ARN'),
      'arn:aws:iam::000000000000:role/sagemaker-pipeline-role',
    ),
    region: orPlaceholder(fromEnv(v.region, env, 'AWS_REGION', 'AWS_DEFAULT_REGION'), 'us-east-1'),
    waitTimeoutMinutes: v['wait-timeout-minutes'],
  });
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => issue.message);
  const retrain = orProblem(problems, RetrainSettingsError, () => readRetrainSettings(env));
  let warehouse = orProblem(problems, WarehouseError, () => warehouseFromEnv(env));
  if (!parsed.success || problems.length > 0) throw new UsageError(problems.join('\n'));
  const { branch, commit, projectName, projectId, bucket, roleArn, region } = parsed.data;
  const waitTimeoutMs = (parsed.data.waitTimeoutMinutes ?? 120) * 60_000;

  const configFile = path.resolve(v.config ?? path.join(seedRoot, 'pipeline.yaml'));
  // Named relative to the repository root in messages (pipeline.yaml:12:5: ...), as the data scientist sees it.
  const relative = path.relative(seedRoot, configFile);
  const shown = relative.startsWith('..') || path.isAbsolute(relative) ? configFile : relative;
  const config = loadPipelineFile(configFile, seedRoot, shown);
  const modelPackageGroupName =
    v['model-package-group'] ?? fromEnv(undefined, env, 'MODEL_PACKAGE_GROUP_NAME') ?? `model-${projectName}`;
  const inputs: Record<string, string> = {};
  for (const given of v.input ?? []) {
    const eq = given.indexOf('=');
    const dataNames = Object.keys(config.spec.data);
    const [name, file] = eq > 0 ? [given.slice(0, eq), given.slice(eq + 1)] : [dataNames[0] ?? '', given];
    if (eq <= 0 && dataNames.length !== 1) {
      throw new UsageError(
        `--input ${given}: name the data entry (--input <name>=<file>); entries: ${dataNames.join(', ')}`,
      );
    }
    if (!dataNames.includes(name))
      throw new UsageError(`--input ${given}: no data entry ${name} (${dataNames.join(', ')})`);
    inputs[name] = path.resolve(file);
  }
  const notes: string[] = [];
  const sqlNames = Object.entries(config.spec.data)
    .filter(([, entry]) => entry.sql !== undefined)
    .map(([name]) => name);
  // --local queries the database it is given, never the project's warehouse: it needs none.
  if (sqlNames.length > 0 && warehouse === undefined && !local) {
    const vars = Object.values(WAREHOUSE_ENV).join(', ');
    if (!dryRun) {
      throw new UsageError(
        `data ${sqlNames.join(', ')}: a sql source needs the project's warehouse, but ${vars} are not set. ` +
          `Set CDK context "warehouse" ({ secretArn, subnetIds, securityGroupIds }, see docs/sql-source.md) and ` +
          `redeploy, so the build gets them (or export them to run by hand); nothing was sent to AWS`,
      );
    }
    warehouse = dryRunWarehouse(region);
    notes.push(
      `note: ${vars} are not set: this dry run uses placeholders for the extract step of ${sqlNames.join(', ')} ` +
        `(secret ${warehouse.secretArn}, subnet ${warehouse.subnetIds[0]}, security group ${warehouse.securityGroupIds[0]}); ` +
        'a real run refuses to start without them',
    );
  }
  return {
    context: {
      projectName,
      branch,
      commit,
      region,
      roleArn,
      bucket,
      pipelineName: sageMakerPipelineName(projectName, branch),
      modelPackageGroupName,
      projectId,
      ...(warehouse ? { warehouse } : {}),
    },
    projectId,
    configFile,
    config,
    wait: v.wait === true,
    waitTimeoutMs,
    dryRun: v['dry-run'] === true,
    ...(local
      ? {
          local: {
            inputs,
            python: v.python ?? fromEnv(undefined, env, 'PYTHON') ?? 'python3',
            sqlUrl: sqlUrlFlag ?? fromEnv(undefined, env, LOCAL_CONNECTION_ENV),
            ...(fork !== undefined ? { fork } : {}),
          },
        }
      : {}),
    seedRoot,
    retrain,
    notes,
  };
}

/** What a dry run without WAREHOUSE_* puts in an extract step: shaped like the real values, pointing nowhere. */
export function dryRunWarehouse(region: string): Warehouse {
  return {
    secretArn: `arn:aws:secretsmanager:${region}:000000000000:secret:dry-run-warehouse-000000`,
    subnetIds: ['subnet-00000000000000000'],
    securityGroupIds: ['sg-00000000000000000'],
  };
}
