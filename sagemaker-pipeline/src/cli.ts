/**
 * `node run.js`: builds the branch's pipeline definition, uploads the step code, upserts the SageMaker pipeline
 * and starts one execution per commit, then returns (unless `--wait`). `--dry-run` prints the definition only.
 */
import { TAG_BRANCH, TAG_PROJECT_ID, TAG_PROJECT_NAME, branchTagValue } from '../../contracts/naming';
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
import { assertReferences } from './check';
import { codeObjects } from './command/code-objects';
import { Clients, Io, RunOptions, UsageError, parseOptions } from './command/run-options';
import { PipelineDefinition, buildDefinition, codeLocation, modelPlans, recordedBranch } from './definition';
import { runLocal } from './local';
import { PipelineFileError } from './pipeline-file';
import { planRun, readRetrainSettings } from './retrain';
import { WarehouseError } from './sql-source';

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
                              table per model; exit 0 only when every gate passes. On Linux the steps are forked
                              from one Python that imported their libraries once (local_runner.py) [LOCAL_RUN_FORK:
                              0 one Python process per step, 1 the fork server on macOS too]
  --input [DATA=]FILE         with --local: read this file for the data entry (default: each entry's sample)
  --python EXE                with --local: the Python to run the scripts with [PYTHON], default python3
  --sql-url URL               with --local: the database sql: sources query, postgresql://user:pw@host:5432/db
                              [SQL_CONNECTION_URL; prefer the variable: a command line shows in ps]

A sql: data source needs the project's warehouse [WAREHOUSE_SECRET_ARN, WAREHOUSE_SUBNET_IDS,
WAREHOUSE_SECURITY_GROUP_IDS]; --dry-run uses placeholders when they are unset and says so.
  --help                      this text
`;

// Re-exported: the command's whole surface stays importable from here (tests, run.ts).
export { UsageError, dryRunWarehouse, parseOptions } from './command/run-options';
export type { Clients, Io, RunOptions } from './command/run-options';
export { codeObjects };

/** The definition for the options, checked for broken references. */
export function definitionFor(options: RunOptions): PipelineDefinition {
  const definition = buildDefinition(options.config, options.context);
  assertReferences(definition);
  return definition;
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
