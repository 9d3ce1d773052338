/**
 * The branch stack's lifecycle: create (idempotently), heal (a failed stack is deleted and created again), and the
 * ownership check before anything is changed. Only stacks that carry this project's tags are ever deleted or
 * replaced. Lookups are in stack-lookup.ts, deletions in stack-deletion.ts, the branch's SageMaker pipeline in
 * sagemaker-pipeline.ts.
 */
import { CloudFormationClient, CreateStackCommand, Stack } from '@aws-sdk/client-cloudformation';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { ConflictError, RetryLaterError } from '../../contracts/errors';
import { isStackAlreadyRequested } from '../../contracts/sdk-errors/cloudformation';
import { Logger } from '../shared/logger';
import {
  branchStackName,
  branchTagValue,
  codePipelineName,
  legacyBranchNames,
  TAG_BRANCH,
  TAG_PROJECT_ID,
  TAG_PROJECT_NAME,
} from '../../contracts/naming';
import { BranchPipelineConfig } from './config';
import { deleteRetainingFailed, requestDeletion, waitUntilDeleted } from './stack-deletion';
import { describeStack, isProjectStack, parameterOf, requestToken } from './stack-lookup';

export interface StackDeps {
  readonly config: BranchPipelineConfig;
  readonly logger: Logger;
  readonly cloudformation: CloudFormationClient;
  readonly sagemaker: SageMakerClient;
  /** Milliseconds left in this invocation (the Lambda context's); bounds the wait for a deletion. */
  readonly remainingTimeMs?: () => number;
  /** Waits between polls of a deleting stack; tests pass an instant one. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** What happened to the branch stack. */
export type StackOutcome =
  /** created now */
  | 'created'
  /** a failed stack was deleted and created again */
  | 'recreated'
  /** exists, healthy or on its way there: nothing to do */
  | 'exists'
  /** deletion started (or was already under way) */
  | 'deleting'
  /** there is no stack */
  | 'absent'
  /** the branch no longer exists (a late event): nothing was created or replaced */
  | 'branch-gone'
  /** the project has as many branch pipelines as it may (maxBranchPipelines): nothing was created */
  | 'refused';

/** States in which the stack is usable, or being created or updated towards that. */
const USABLE = new Set([
  'CREATE_COMPLETE',
  'UPDATE_COMPLETE',
  'UPDATE_ROLLBACK_COMPLETE',
  'IMPORT_COMPLETE',
  'IMPORT_ROLLBACK_COMPLETE',
  'CREATE_IN_PROGRESS',
  'UPDATE_IN_PROGRESS',
  'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
  'UPDATE_ROLLBACK_IN_PROGRESS',
  'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
  'IMPORT_IN_PROGRESS',
  'IMPORT_ROLLBACK_IN_PROGRESS',
]);
/** States a stack can only leave by being deleted: the branch's stack is deleted and created again. */
const REPLACEABLE = new Set([
  'ROLLBACK_COMPLETE',
  'CREATE_FAILED',
  'ROLLBACK_FAILED',
  'DELETE_FAILED',
  'REVIEW_IN_PROGRESS',
]);
/** States that settle by themselves: act once they have (a retry, or the next reconcile). */
const SETTLING = new Set(['DELETE_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS']);
/** States that need an operator (ContinueUpdateRollback or a fix of the template): never touched automatically. */
const STUCK = new Set(['UPDATE_ROLLBACK_FAILED', 'IMPORT_ROLLBACK_FAILED']);

/** Refuses a stack with the branch's name that this project does not own, or that belongs to another branch. */
function assertOurs(stack: Stack, branch: string, config: BranchPipelineConfig): void {
  if (!isProjectStack(stack, config)) {
    throw new ConflictError(
      `stack ${stack.StackName} exists but does not carry the tags ${TAG_PROJECT_NAME}=${config.projectName} and ${TAG_PROJECT_ID}=${config.projectId}; it is left untouched`,
    );
  }
  const recorded = parameterOf(stack, 'BranchName');
  if (recorded !== undefined && recorded !== branch) {
    throw new ConflictError(
      `stack ${stack.StackName} belongs to branch ${JSON.stringify(recorded)}, not ${JSON.stringify(branch)}; it is left untouched`,
    );
  }
}

async function createStack(deps: StackDeps, branch: string, token: string): Promise<void> {
  const { config } = deps;
  const parameters = {
    ...config.pipelineStackParameters,
    BranchName: branch,
    PipelineName: codePipelineName(config.projectName, branch),
  };
  await deps.cloudformation.send(
    new CreateStackCommand({
      StackName: branchStackName(config.projectName, branch),
      TemplateURL: config.pipelineTemplateUrl,
      RoleARN: config.cloudFormationRoleArn,
      Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({
        ParameterKey,
        ParameterValue,
      })),
      Tags: [
        { Key: TAG_PROJECT_NAME, Value: config.projectName },
        { Key: TAG_PROJECT_ID, Value: config.projectId },
        { Key: TAG_BRANCH, Value: branchTagValue(branch) },
      ],
      ClientRequestToken: token,
    }),
  );
}

/**
 * Makes sure the branch stack exists: creates it when missing, replaces it when it failed, leaves it alone when it
 * is usable. `seed` (the event id) makes the request tokens: the same event twice is one creation.
 * `firstAttempt`: 'create' calls CreateStack straight away (the reconcile, for a listed branch without a stack),
 * 'describe' looks first (events: the stack usually exists). `known` is the stack as a listing already described it.
 * `branchExists`, when given, is asked once, and only when a stack is about to be created or replaced; if it says
 * the branch is gone (a late event of a deleted branch), nothing is done and the outcome is 'branch-gone'.
 */
export async function ensureBranchStack(
  deps: StackDeps,
  branch: string,
  seed: string,
  options: {
    firstAttempt: 'create' | 'describe';
    known?: Stack;
    branchExists?: () => Promise<boolean>;
    /** Asked before a stack is created (not replaced): false refuses the creation (the branch cap). */
    mayCreate?: () => Promise<boolean>;
  } = { firstAttempt: 'describe' },
): Promise<StackOutcome> {
  const { config, logger } = deps;
  const stackName = branchStackName(config.projectName, branch);
  const log = logger.child({ stackName });
  let stack: Stack | undefined = options.known;
  let confirmed = options.branchExists === undefined;
  const branchIsGone = async (): Promise<boolean> => {
    if (!confirmed && options.branchExists !== undefined) confirmed = await options.branchExists();
    return !confirmed;
  };

  const refused = async (): Promise<boolean> => options.mayCreate !== undefined && !(await options.mayCreate());

  if (options.firstAttempt === 'create' && stack === undefined) {
    if (await branchIsGone()) return 'branch-gone';
    if (await refused()) return 'refused';
    try {
      await createStack(deps, branch, requestToken('create', seed, stackName));
      log.info('branch stack creation started');
      return 'created';
    } catch (err) {
      if (!isStackAlreadyRequested(err)) throw err;
      log.info('branch stack already exists: checking it');
    }
  }
  stack ??= await describeStack(deps.cloudformation, stackName);
  // A stack created before the branch hash grew to 16 digits is still the branch's stack.
  stack ??= await describeLegacyStack(deps, branch);
  if (stack === undefined) {
    if (await branchIsGone()) return 'branch-gone';
    if (await refused()) return 'refused';
    try {
      await createStack(deps, branch, requestToken('create', seed, stackName));
    } catch (err) {
      // Created since we looked (a concurrent invocation): the next event or reconcile checks its health.
      if (isStackAlreadyRequested(err)) return 'exists';
      throw err;
    }
    log.info('branch stack was missing: creation started');
    return 'created';
  }

  assertOurs(stack, branch, config);
  const status = stack.StackStatus ?? 'UNKNOWN';
  if (USABLE.has(status)) {
    log.info('branch stack exists', { status });
    return 'exists';
  }
  if (SETTLING.has(status)) {
    throw new RetryLaterError(`stack ${stackName} is ${status}; try again once it has settled`);
  }
  if (STUCK.has(status) || !REPLACEABLE.has(status)) {
    throw new ConflictError(`stack ${stackName} is ${status} and needs an operator: ${stack.StackStatusReason ?? ''}`);
  }

  if (await branchIsGone()) return 'branch-gone';
  const stackId = stack.StackId ?? stackName;
  log.warn('branch stack failed: deleting it to create it again', { status, reason: stack.StackStatusReason });
  if (status === 'DELETE_FAILED') await deleteRetainingFailed(deps, stack);
  else await requestDeletion(deps, stackId, requestToken('replace', seed, stackId));
  if (!(await waitUntilDeleted(deps, stackId))) {
    throw new RetryLaterError(`stack ${stackName} is being deleted after ${status}; it is created again on retry`);
  }
  await createStack(deps, branch, requestToken('recreate', seed, stackId));
  log.info('branch stack creation started again');
  return 'recreated';
}

/**
 * The branch stack (`known`, or looked up), checked to be this project's stack of this branch (a ConflictError
 * otherwise); undefined when there is none.
 */
export async function ownedBranchStack(deps: StackDeps, branch: string, known?: Stack): Promise<Stack | undefined> {
  const { config, logger } = deps;
  const stackName = branchStackName(config.projectName, branch);
  const stack =
    known ?? (await describeStack(deps.cloudformation, stackName)) ?? (await describeLegacyStack(deps, branch));
  if (stack === undefined) {
    logger.info('branch stack is already gone', { stackName });
    return undefined;
  }
  assertOurs(stack, branch, config);
  return stack;
}

/** The branch's stack under its name from before the 16-digit hash, if the names differ and it exists. */
async function describeLegacyStack(deps: StackDeps, branch: string): Promise<Stack | undefined> {
  const legacy = legacyBranchNames(deps.config.projectName, branch);
  if (legacy === undefined || legacy.stack === branchStackName(deps.config.projectName, branch)) return undefined;
  return describeStack(deps.cloudformation, legacy.stack);
}
