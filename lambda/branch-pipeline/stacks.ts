/**
 * The branch stack and the branch's SageMaker pipeline: create (idempotently), heal, delete. Only stacks that carry
 * this project's tags are ever deleted or replaced.
 */
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
  paginateDescribeStackEvents,
  paginateListStackResources,
  Stack,
} from '@aws-sdk/client-cloudformation';
import {
  DeletePipelineCommand,
  DescribePipelineCommand,
  paginateListTags,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { createHash } from 'node:crypto';
import { ConflictError, isSageMakerNotFound, RetryLaterError } from '../../contracts/errors';
import { Logger } from '../shared/logger';
import {
  branchStackName,
  branchTagValue,
  codePipelineName,
  legacyBranchNames,
  sageMakerPipelineName,
  TAG_BRANCH,
  TAG_PROJECT_ID,
  TAG_PROJECT_NAME,
} from '../../contracts/naming';
import { BranchPipelineConfig } from './config';

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

/** deleted; absent: there is none; not-ours: one with the branch's name lacks this project's id tag, kept. */
export type SageMakerPipelineOutcome = 'deleted' | 'absent' | 'not-ours';

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

const POLL_INTERVAL_MS = 5_000;
/** Time kept free at the end of an invocation for the create call and the logs. */
const SAFETY_MARGIN_MS = 15_000;

/** A request token for CloudFormation (`[a-zA-Z][-a-zA-Z0-9]*`, ≤128) and SageMaker (32 to 128), from its inputs. */
export function requestToken(kind: string, ...parts: string[]): string {
  return `${kind}-${createHash('sha256').update(parts.join('\u0000'), 'utf8').digest('hex').slice(0, 40)}`;
}

function tagOf(stack: Stack, key: string): string | undefined {
  return stack.Tags?.find((tag) => tag.Key === key)?.Value;
}

export function parameterOf(stack: Stack, key: string): string | undefined {
  return stack.Parameters?.find((parameter) => parameter.ParameterKey === key)?.ParameterValue;
}

/** Whether the stack carries this project's name and id tags: the only stacks this function changes. */
export function isProjectStack(stack: Stack, config: BranchPipelineConfig): boolean {
  return tagOf(stack, TAG_PROJECT_NAME) === config.projectName && tagOf(stack, TAG_PROJECT_ID) === config.projectId;
}

function errorName(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'name' in err ? String((err as { name: unknown }).name) : undefined;
}

/** CreateStack's answers when the stack exists or this very request was already made. */
function isAlreadyRequested(err: unknown): boolean {
  const name = errorName(err);
  return name === 'AlreadyExistsException' || name === 'TokenAlreadyExistsException';
}

/** DeleteStack, where a repeated request (TokenAlreadyExistsException) is the deletion already under way. */
async function requestDeletion(
  deps: StackDeps,
  stackId: string,
  token: string,
  retainResources?: string[],
): Promise<void> {
  try {
    await deps.cloudformation.send(
      new DeleteStackCommand({
        StackName: stackId,
        RoleARN: deps.config.cloudFormationRoleArn,
        ClientRequestToken: token,
        ...(retainResources === undefined ? {} : { RetainResources: retainResources }),
      }),
    );
  } catch (err) {
    if (errorName(err) !== 'TokenAlreadyExistsException') throw err;
  }
}

function isStackMissing(err: unknown): boolean {
  return errorName(err) === 'ValidationError' && /does not exist/.test((err as Error).message);
}

/** The stack by name or id, or undefined when there is none (a deleted one counts as none). */
export async function describeStack(
  cloudformation: CloudFormationClient,
  nameOrId: string,
): Promise<Stack | undefined> {
  try {
    const out = await cloudformation.send(new DescribeStacksCommand({ StackName: nameOrId }));
    const stack = out.Stacks?.[0];
    return stack === undefined || stack.StackStatus === 'DELETE_COMPLETE' ? undefined : stack;
  } catch (err) {
    if (isStackMissing(err)) return undefined;
    throw err;
  }
}

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
 * A stack in DELETE_FAILED gets exactly one more DeleteStack, which retains the resources whose deletion failed
 * (CloudFormation accepts RetainResources only for a stack in DELETE_FAILED). Its request token is the stack's own,
 * so every event and the reconcile make the same request; the stack's events show whether it was made already.
 * If it was, and the stack is in DELETE_FAILED again, nothing is deleted again: a ConflictError that names the stack
 * and the resources (the function's error alarm and dead-letter alarm fire; the reconcile reports it each hour),
 * never an endless retry.
 */
async function deleteRetainingFailed(deps: StackDeps, stack: Stack): Promise<void> {
  const stackId = stack.StackId ?? stack.StackName ?? '';
  const token = requestToken('delete-retaining', stackId);
  const log = deps.logger.child({ stackName: stack.StackName });
  for await (const page of paginateDescribeStackEvents({ client: deps.cloudformation }, { StackName: stackId })) {
    if ((page.StackEvents ?? []).some((e) => e.ClientRequestToken === token)) {
      const message =
        `stack ${stack.StackName} could not be deleted, even retaining the resources that failed: ` +
        `${stack.StackStatusReason ?? 'no reason given'}. It needs an operator (CloudFormation console: delete it, ` +
        'retaining or emptying what fails); it is not deleted again automatically';
      log.error('branch stack deletion failed twice: needs an operator', { reason: stack.StackStatusReason });
      throw new ConflictError(message);
    }
  }
  const failed: string[] = [];
  for await (const page of paginateListStackResources({ client: deps.cloudformation }, { StackName: stackId })) {
    for (const resource of page.StackResourceSummaries ?? []) {
      if (resource.ResourceStatus === 'DELETE_FAILED' && resource.LogicalResourceId) {
        failed.push(resource.LogicalResourceId);
      }
    }
  }
  log.warn('branch stack deletion failed: deleting it once more, retaining the resources that failed', {
    reason: stack.StackStatusReason,
    retained: failed,
  });
  await requestDeletion(deps, stackId, token, failed);
}

/** Waits until the stack is gone, as long as the configured wait and the invocation's remaining time allow. */
async function waitUntilDeleted(deps: StackDeps, stackId: string): Promise<boolean> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const remaining = deps.remainingTimeMs?.() ?? Number.POSITIVE_INFINITY;
  const budgetMs = Math.min(deps.config.stackDeleteWaitSeconds * 1000, remaining - SAFETY_MARGIN_MS);
  let retried = false;
  for (let polls = 1; ; polls++) {
    const stack = await describeStack(deps.cloudformation, stackId);
    if (stack === undefined) return true;
    // Once, retaining what failed (a second failure is a ConflictError for an operator, on the next attempt).
    if (stack.StackStatus === 'DELETE_FAILED' && !retried) {
      await deleteRetainingFailed(deps, stack);
      retried = true;
    }
    if (polls * POLL_INTERVAL_MS > budgetMs) return false;
    await sleep(POLL_INTERVAL_MS);
  }
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
      if (!isAlreadyRequested(err)) throw err;
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
      if (isAlreadyRequested(err)) return 'exists';
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

/** Deletes a stack already checked to be this project's. */
export async function deleteOwnedStack(deps: StackDeps, stack: Stack, seed: string): Promise<StackOutcome> {
  const status = stack.StackStatus ?? 'UNKNOWN';
  const stackId = stack.StackId ?? stack.StackName ?? '';
  const log = deps.logger.child({ stackName: stack.StackName });
  if (status === 'DELETE_IN_PROGRESS') {
    log.info('branch stack is already being deleted');
    return 'deleting';
  }
  if (status.endsWith('_IN_PROGRESS') && status !== 'REVIEW_IN_PROGRESS') {
    throw new RetryLaterError(`stack ${stack.StackName} is ${status}; it is deleted once that has finished`);
  }
  if (status === 'DELETE_FAILED') await deleteRetainingFailed(deps, stack);
  else await requestDeletion(deps, stackId, requestToken('delete', seed, stackId));
  log.info('branch stack deletion started', { status });
  return 'deleting';
}

/**
 * Deletes the SageMaker pipeline that the branch's builds created (it is not part of the stack). Nothing else:
 * model packages, artifacts and experiments stay. A pipeline that is already gone is fine; one that lacks this
 * project's `sagemaker:project-id` tag is kept, with a warning. A pipeline with a running execution
 * (ConflictException) is a RetryLaterError.
 */
export async function deleteSageMakerPipeline(
  deps: StackDeps,
  branch: string,
  seed: string,
): Promise<SageMakerPipelineOutcome> {
  const legacy = legacyBranchNames(deps.config.projectName, branch);
  const candidates = [sageMakerPipelineName(deps.config.projectName, branch)];
  if (legacy !== undefined && legacy.sageMakerPipeline !== candidates[0]) candidates.push(legacy.sageMakerPipeline);
  let pipelineName = candidates[0]!;
  let pipelineArn: string | undefined;
  for (const candidate of candidates) {
    try {
      pipelineArn = (await deps.sagemaker.send(new DescribePipelineCommand({ PipelineName: candidate }))).PipelineArn;
    } catch (err) {
      if (!isSageMakerNotFound(err)) throw err;
    }
    if (pipelineArn !== undefined) {
      pipelineName = candidate;
      break;
    }
  }
  if (pipelineArn === undefined) {
    deps.logger.info('SageMaker pipeline is already gone', { pipelineName });
    return 'absent';
  }
  let projectId: string | undefined;
  let branchTag: string | undefined;
  for await (const page of paginateListTags({ client: deps.sagemaker }, { ResourceArn: pipelineArn })) {
    projectId ??= page.Tags?.find((tag) => tag.Key === TAG_PROJECT_ID)?.Value;
    branchTag ??= page.Tags?.find((tag) => tag.Key === TAG_BRANCH)?.Value;
  }
  if (projectId !== deps.config.projectId) {
    deps.logger.warn("SageMaker pipeline with the branch's name is not this project's: keeping it", {
      pipelineName,
      projectIdTag: projectId ?? null,
    });
    return 'not-ours';
  }
  // Issue 10, attack 12: the project tag alone does not say which branch a pipeline trains (hashed names can
  // collide); the branch tag must be this branch's (its value now, or before the 16-digit hash).
  const branchTags = [branchTagValue(branch), ...(legacy === undefined ? [] : [legacy.tag])];
  if (branchTag === undefined || !branchTags.includes(branchTag)) {
    deps.logger.warn("SageMaker pipeline with the branch's name is another branch's: keeping it", {
      pipelineName,
      branchTag: branchTag ?? null,
      expected: branchTags[0],
    });
    return 'not-ours';
  }
  try {
    await deps.sagemaker.send(
      new DeletePipelineCommand({
        PipelineName: pipelineName,
        ClientRequestToken: requestToken('delete-pipeline', seed, pipelineName),
      }),
    );
  } catch (err) {
    if (isSageMakerNotFound(err)) {
      deps.logger.info('SageMaker pipeline is already gone', { pipelineName });
      return 'absent';
    }
    if (errorName(err) === 'ConflictException') {
      throw new RetryLaterError(`SageMaker pipeline ${pipelineName} cannot be deleted yet: ${(err as Error).message}`);
    }
    throw err;
  }
  deps.logger.info('SageMaker pipeline deleted', { pipelineName });
  return 'deleted';
}
