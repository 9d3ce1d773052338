/**
 * `node run.js`: builds the branch's pipeline definition, uploads the step code, upserts the SageMaker pipeline
 * and starts one execution per commit, then returns (unless `--wait`). `--dry-run` prints the definition only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import {
  TAG_BRANCH,
  TAG_PROJECT_ID,
  TAG_PROJECT_NAME,
  assertBranchName,
  assertProjectName,
  branchTagValue,
  sageMakerPipelineName,
} from '../../contracts/naming';
import {
  conditionOutcomes,
  consoleLink,
  defaultClients,
  ensureModelPackageGroup,
  startExecutionOnce,
  uploadObjects,
  upsertPipeline,
  waitForExecution,
} from './aws';
import { IAM_ROLE_ARN_PATTERN as ROLE_ARN, S3_BUCKET_NAME_PATTERN as BUCKET } from '../../contracts/patterns';
import { assertReferences } from './check';
import {
  COMMIT_PATTERN,
  PipelineDefinition,
  RunContext,
  buildDefinition,
  codeLocation,
  modelPlans,
  recordedBranch,
} from './definition';
import { runLocal } from './local';
import { PipelineConfig, PipelineFileError, loadPipelineFile, scriptPaths } from './pipeline-file';
import { RetrainSettings, RetrainSettingsError, planRun, readRetrainSettings } from './retrain';
import { sourceCodeObjects } from './sources';
import { LOCAL_CONNECTION_ENV, LOCAL_CONNECTION_FLAG } from './sql-local';
import { EXTRACT_SCRIPT, WAREHOUSE_ENV, Warehouse, WarehouseError, warehouseFromEnv } from './sql-source';
import { tarGz } from './tarball';

export const USAGE = `Usage: node run.js [options]

Builds this branch's SageMaker pipeline from pipeline.yaml, uploads the step scripts, creates or updates the
pipeline (and the model package groups of models after the first) and starts one execution for the commit (a
second run for the same commit starts nothing), prints the execution ARN and a console link, and returns.
Mistakes in pipeline.yaml are reported as <file>:<line>:<column>: ... before any AWS call (exit status 2).

  node run.js --local      runs the pipeline here, with your Python, on the sample data (no AWS)
  node run.js --dry-run    prints the SageMaker pipeline definition (no AWS)

Options (each falls back to the environment variable in brackets):
  --branch NAME               git branch [BRANCH_NAME]
  --commit SHA                full 40-hex commit id [COMMIT_HASH]
  --project NAME              SageMaker project name [PROJECT_NAME]
  --project-id ID             SageMaker project id, for tags [PROJECT_ID]
  --bucket NAME               artifact bucket for code, data and models [ARTIFACT_BUCKET]
  --role-arn ARN              role the pipeline runs as [SAGEMAKER_PIPELINE_ROLE_ARN]
  --model-package-group NAME  the first model's group [MODEL_PACKAGE_GROUP_NAME], else model-<project>
  --region REGION             [AWS_REGION, AWS_DEFAULT_REGION]
  --config FILE               the pipeline file (default: pipeline.yaml beside run.js)
  --wait                      wait for the execution to end; exit 1 unless it succeeded and every gate passed
  --wait-timeout-minutes N    give up waiting after N minutes (default 120)
  --dry-run                   print the pipeline definition and touch nothing
  --local                     run every step here with your Python, writing under .local-run/<step>/; prints a
                              table per model; exit 0 only when every gate passes
  --input [DATA=]FILE         with --local: read this file for the data entry (default: each entry's sample)
  --python EXE                with --local: the Python to run the scripts with [PYTHON], default python3
  --sql-url URL               with --local: the database sql: sources query, postgresql://user:pw@host:5432/db
                              [SQL_CONNECTION_URL; prefer the variable: a command line shows in ps]

A sql: data source needs the project's warehouse [WAREHOUSE_SECRET_ARN, WAREHOUSE_SUBNET_IDS,
WAREHOUSE_SECURITY_GROUP_IDS]; --dry-run uses placeholders when they are unset and says so.
  --help                      this text
`;

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

function pick(flag: string | undefined, env: NodeJS.ProcessEnv, name: string): string | undefined {
  if (flag !== undefined) return flag;
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** Parses flags and environment; throws UsageError naming every missing or malformed value. */
export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv, seedRoot: string): RunOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
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
        [LOCAL_CONNECTION_FLAG.slice(2)]: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const local = v.local === true;
  if (local && v['dry-run'] === true) throw new UsageError('--local and --dry-run exclude each other');
  const sqlUrlFlag = v[LOCAL_CONNECTION_FLAG.slice(2) as 'sql-url'] as string | undefined;
  if (!local && (v.input !== undefined || v.python !== undefined || sqlUrlFlag !== undefined)) {
    throw new UsageError(`--input, --python and ${LOCAL_CONNECTION_FLAG} go with --local`);
  }
  // --local touches no AWS either: it needs what --dry-run needs, nothing more.
  const dryRun = v['dry-run'] === true || local;
  const problems: string[] = [];
  const required = (value: string | undefined, what: string, placeholder: string): string => {
    if (value !== undefined) return value;
    if (!dryRun) problems.push(`${what} is required`);
    return placeholder;
  };

  const branch = pick(v.branch, env, 'BRANCH_NAME') ?? (local ? 'local' : undefined);
  const commitRaw = pick(v.commit, env, 'COMMIT_HASH') ?? (local ? '0'.repeat(40) : undefined);
  if (branch === undefined) problems.push('--branch (or BRANCH_NAME) is required');
  else {
    // Any branch git accepts runs; only input that is not a branch name (empty, a full ref) is refused here.
    try {
      assertBranchName(branch);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  const commit = commitRaw?.toLowerCase();
  if (commit === undefined) problems.push('--commit (or COMMIT_HASH) is required');
  else if (!COMMIT_PATTERN.test(commit))
    problems.push(`commit ${JSON.stringify(commitRaw)} is not a full 40-hex commit id`);

  const projectName = required(
    pick(v.project, env, 'PROJECT_NAME'),
    '--project (or PROJECT_NAME)',
    local ? 'project' : 'dry-run',
  );
  try {
    assertProjectName(projectName);
  } catch (err) {
    problems.push((err as Error).message);
  }
  const projectId = pick(v['project-id'], env, 'PROJECT_ID');
  if (!dryRun && projectId === undefined) problems.push('--project-id (or PROJECT_ID) is required');
  const bucket = required(pick(v.bucket, env, 'ARTIFACT_BUCKET'), '--bucket (or ARTIFACT_BUCKET)', 'artifact-bucket');
  if (!BUCKET.test(bucket)) problems.push(`bucket ${JSON.stringify(bucket)} is not an S3 bucket name`);
  const roleArn = required(
    pick(v['role-arn'], env, 'SAGEMAKER_PIPELINE_ROLE_ARN'),
    '--role-arn (or SAGEMAKER_PIPELINE_ROLE_ARN)',
    'arn:aws:iam::000000000000:role/sagemaker-pipeline-role',
  );
  if (!ROLE_ARN.test(roleArn)) problems.push(`role ARN ${JSON.stringify(roleArn)} is not an IAM role ARN`);
  const region = required(
    v.region ?? pick(undefined, env, 'AWS_REGION') ?? pick(undefined, env, 'AWS_DEFAULT_REGION'),
    '--region (or AWS_REGION)',
    'us-east-1',
  );
  let waitTimeoutMs = 120 * 60_000;
  if (v['wait-timeout-minutes'] !== undefined) {
    const minutes = Number(v['wait-timeout-minutes']);
    if (!Number.isFinite(minutes) || minutes <= 0) problems.push('--wait-timeout-minutes must be a positive number');
    else waitTimeoutMs = minutes * 60_000;
  }
  let retrain: RetrainSettings | undefined;
  try {
    retrain = readRetrainSettings(env);
  } catch (err) {
    if (!(err instanceof RetrainSettingsError)) throw err;
    problems.push(err.message);
  }
  let warehouse: Warehouse | undefined;
  try {
    warehouse = warehouseFromEnv(env);
  } catch (err) {
    if (!(err instanceof WarehouseError)) throw err;
    problems.push(err.message);
  }
  if (problems.length > 0 || branch === undefined || commit === undefined) {
    throw new UsageError(problems.join('\n'));
  }

  const configFile = path.resolve(v.config ?? path.join(seedRoot, 'pipeline.yaml'));
  // Named relative to the repository root in messages (pipeline.yaml:12:5: ...), as the data scientist sees it.
  const relative = path.relative(seedRoot, configFile);
  const shown = relative.startsWith('..') || path.isAbsolute(relative) ? configFile : relative;
  const config = loadPipelineFile(configFile, seedRoot, shown);
  const modelPackageGroupName =
    v['model-package-group'] ?? pick(undefined, env, 'MODEL_PACKAGE_GROUP_NAME') ?? `model-${projectName}`;
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
            python: v.python ?? pick(undefined, env, 'PYTHON') ?? 'python3',
            sqlUrl: sqlUrlFlag ?? pick(undefined, env, LOCAL_CONNECTION_ENV),
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

/** The definition for the options, checked for broken references. */
export function definitionFor(options: RunOptions): PipelineDefinition {
  const definition = buildDefinition(options.config, options.context);
  assertReferences(definition);
  return definition;
}

function readScript(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch {
    throw new UsageError(`step script ${file} is missing`);
  }
}

/**
 * The objects to upload: each processing and evaluation script as it is (by file name), and per script-mode model
 * its entry's directory (every .py in it, so helper modules come along) packed as the framework containers expect.
 */
export function codeObjects(options: RunOptions): { key: string; body: Buffer; contentType: string }[] {
  const { spec } = options.config;
  const code = codeLocation(options.context);
  const objects = new Map<string, { key: string; body: Buffer; contentType: string }>();
  const trainingEntries = new Set(spec.models.map((m) => m.training.entry).filter((e) => e !== undefined));
  for (const script of scriptPaths(spec)) {
    if (trainingEntries.has(script) && !spec.models.some((m) => m.evaluation.script === script)) continue;
    const key = code.key(code.script(script));
    const existing = objects.get(key);
    const body = readScript(path.resolve(options.seedRoot, script));
    if (existing !== undefined && !existing.body.equals(body)) {
      throw new UsageError(`two different scripts are named ${code.script(script)}: give them different file names`);
    }
    objects.set(key, { key, body, contentType: 'text/x-python' });
  }
  spec.models.forEach((model, index) => {
    if (model.training.entry === undefined) return;
    const dir = path.dirname(path.resolve(options.seedRoot, model.training.entry));
    const files = fs
      .readdirSync(dir)
      // extract.py is the sql extract step's script (uploaded under extract/ with its driver), never a training module.
      .filter((f) => f.endsWith('.py') && f !== EXTRACT_SCRIPT)
      .sort()
      .map((name) => ({ name, content: readScript(path.join(dir, name)) }));
    const key = code.key(code.sourceDir(index, model.name));
    objects.set(key, { key, body: tarGz(files), contentType: 'application/gzip' });
  });
  // Data sources' code (a sql source: extract.py with its vendored driver, once, and each query).
  for (const [name, entry] of Object.entries(spec.data)) {
    try {
      for (const object of sourceCodeObjects(name, entry as Record<string, unknown>, options.seedRoot, code.prefix)) {
        objects.set(object.key, object);
      }
    } catch (err) {
      throw err instanceof WarehouseError ? new UsageError(err.message) : err;
    }
  }
  return [...objects.values()];
}

/** Runs the command; returns the process exit code. */
export async function run(options: RunOptions, io: Io, clients?: Clients): Promise<number> {
  const { context } = options;
  // A scheduled run (TRIGGER=schedule) reads the registry for warm-start parents, also in a dry run.
  const planned = await planRun(
    (extra) => definitionFor({ ...options, context: { ...context, ...extra } }),
    options.retrain ?? readRetrainSettings({}),
    { commit: context.commit, projectId: options.projectId, pipelineName: context.pipelineName },
    () => (clients ?? defaultClients(context.region)).sagemaker,
  );
  for (const note of planned.notes) io.err(`retrain: ${note}`);
  const definition = planned.definition;
  const branchRecord = recordedBranch(context.branch);
  if (branchRecord !== context.branch) {
    io.err(
      `note: branch ${JSON.stringify(context.branch)} is recorded on the model package and tags as ` +
        `${JSON.stringify(branchRecord)} (SageMaker metadata and tag values allow only letters, digits, spaces and ` +
        '_.:/=+-@, at most 256 characters)',
    );
  }
  if (options.dryRun) {
    for (const note of options.notes ?? []) io.err(note);
    io.out(JSON.stringify(definition, null, 2));
    return 0;
  }
  const objects = codeObjects(options);
  const { s3, sagemaker } = clients ?? defaultClients(context.region);
  await uploadObjects(s3, context.bucket, objects);
  io.err(`uploaded ${objects.length} code objects to s3://${context.bucket}/${codeLocation(context).prefix}/`);

  // Contract 1: the groups of the models after the first are created here when missing, with the project's tags.
  const plans = modelPlans(options.config.spec, context);
  for (const plan of plans.slice(1)) {
    const outcome = await ensureModelPackageGroup(sagemaker, {
      name: plan.group,
      description: `Model ${plan.model.name} of project ${context.projectName}`,
      projectName: context.projectName,
      projectId: options.projectId ?? '',
    });
    io.err(`model package group ${plan.group} ${outcome === 'created' ? 'created' : 'found'}`);
  }

  const tags = [
    { Key: TAG_PROJECT_NAME, Value: context.projectName },
    { Key: TAG_PROJECT_ID, Value: options.projectId ?? '' },
    { Key: TAG_BRANCH, Value: branchTagValue(context.branch) },
  ];
  const pipeline = await upsertPipeline(sagemaker, {
    name: context.pipelineName,
    definition: JSON.stringify(definition),
    roleArn: context.roleArn,
    description: `Training pipeline of branch ${context.branch} (project ${context.projectName})`.slice(0, 3072),
    tags,
  });
  io.err(`pipeline ${context.pipelineName} ${pipeline.action}`);

  const execution = await startExecutionOnce(sagemaker, {
    pipelineName: context.pipelineName,
    commit: context.commit,
    branch: context.branch,
    // Nothing to pass: the commit, branch and data are literals of the definition built for this commit.
    parameters: {},
    run: planned.execution,
  });
  const what = planned.execution
    ? `${planned.execution.displayName} (commit ${context.commit})`
    : `for commit ${context.commit}`;
  io.err(
    execution.started
      ? `started execution ${what}`
      : `an execution ${what} exists (${execution.status}); not starting another`,
  );
  io.out(execution.arn);
  io.err(`console: ${consoleLink(context.region, context.pipelineName, execution.arn)}`);

  if (!options.wait) return 0;
  const result = await waitForExecution(sagemaker, execution.arn, {
    intervalMs: 30_000,
    timeoutMs: options.waitTimeoutMs,
    onStatus: (status) => io.err(`execution status: ${status}`),
  });
  if (result.status !== 'Succeeded') {
    io.err(`execution ended ${result.status}${result.failureReason ? `: ${result.failureReason}` : ''}`);
    return 1;
  }
  if (plans.length > 1) {
    // With several models a failed gate does not fail the execution: report each model's gate.
    const outcomes = await conditionOutcomes(sagemaker, execution.arn);
    let failed = 0;
    for (const plan of plans) {
      const passed = outcomes[plan.gate];
      if (passed !== true) failed++;
      io.err(
        `model ${plan.model.name}: gate ${passed === undefined ? 'not evaluated' : passed ? 'passed, registered in' : 'failed, not registered in'} ${plan.group}`,
      );
    }
    return failed === 0 ? 0 : 1;
  }
  return 0;
}

/** Entry point: parses, runs, and turns errors into a message and exit code 2 (usage) or 1 (failure). */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv, seedRoot: string, io: Io): Promise<number> {
  try {
    const options = parseOptions(argv, env, seedRoot);
    if (options === 'help') {
      io.out(USAGE);
      return 0;
    }
    if (options.local) return await runLocal(options.config, options.context, options.local, io);
    return await run(options, io);
  } catch (err) {
    const e = err as Error;
    if (e instanceof PipelineFileError) {
      // One line per problem, `<file>:<line>:<column>: <message>`, as editors and CI annotate them.
      for (const line of e.message.split('\n')) io.err(line);
      io.err(`${e.problems.length} problem${e.problems.length === 1 ? '' : 's'} in ${e.file}; nothing was sent to AWS`);
      return 2;
    }
    io.err(`error: ${e.message}`);
    // A WarehouseError is a configuration mistake found before any AWS call (e.g. a window that ends before it starts).
    return e instanceof UsageError || e instanceof WarehouseError ? 2 : 1;
  }
}
