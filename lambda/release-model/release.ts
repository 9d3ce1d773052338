/**
 * The release function's logic: approve, in this project's model package group, the newest model version trained
 * from the commit that a merge, a push to main or a direct invocation names, and say why.
 *
 * - Pull request merged into main: the commit is the pull request's `sourceCommit` (the experiment's last commit),
 *   right for fast-forward, squash and three-way merges alike. No version yet: the merge is recorded as an intent
 *   and the version approved when SageMaker reports it registered.
 * - Push to main: the new head, approved only if a version exists for it (direct pushes, fast-forwards).
 * - Direct invocation `{"commit_id": ...}`: that commit; an unknown one is an error, unless the payload says
 *   `"approve_when_registered": true` (CI after a merge): then the intent is recorded as for a pull request merge.
 * - SageMaker model package state change in the group: approves the version if a merge waits for its commit.
 *
 * Only a Completed version is ever approved (SageMaker also reports Pending, InProgress and Failed versions). A
 * Rejected version is never approved: an event reports it (outcome `rejected`), a direct invocation throws.
 */
import {
  DescribeModelPackageCommandOutput,
  DescribeModelPackageCommand,
  ModelPackageStatus,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConflictError, describeError, NotFoundError } from '../shared/errors';
import { Logger } from '../shared/logger';
import { ReleaseConfig } from './config';
import { getIntent, IntentStore, IntentTrigger, markIntentDone, recordIntent } from './intents';
import { approveModelPackage, commitOfPackage, findNewestVersionForCommit, ReleaseTrigger } from './registry';
import { ReleaseRequest, routeEvent } from './route';

export interface ReleaseDeps {
  readonly config: ReleaseConfig;
  readonly sagemaker: SageMakerClient;
  readonly dynamodb: DynamoDBClient;
  readonly logger: Logger;
  /** The clock. @default - the system clock */
  readonly now?: () => Date;
}

export type ReleaseOutcome = 'approved' | 'already-approved' | 'intent-recorded' | 'rejected' | 'ignored';

/** What the function did and why; returned to direct callers and logged for events. */
export interface ReleaseResult {
  readonly outcome: ReleaseOutcome;
  readonly message: string;
  readonly commitId?: string;
  readonly modelPackageArn?: string;
  readonly modelPackageVersion?: number;
}

/**
 * A version registered shortly before the intent was written may have been missed by the first lookup, and its
 * state change found no intent: after recording, the lookup is repeated for versions created since the first
 * lookup started, minus this margin for clock skew and listing delay.
 */
export const RECHECK_MARGIN_MS = 5 * 60 * 1000;

interface Context {
  readonly deps: ReleaseDeps;
  readonly store: IntentStore;
  readonly now: () => Date;
  readonly log: Logger;
  /** ARNs this invocation has approved so far, for an honest error log. */
  readonly approved: string[];
}

function eventIdOf(event: unknown): string | undefined {
  if (typeof event === 'object' && event !== null && 'id' in event) {
    const id = (event as Record<string, unknown>).id;
    return typeof id === 'string' ? id : undefined;
  }
  return undefined;
}

/**
 * Handles one event or direct invocation; throws a typed error for bad input, and, for a direct invocation, for an
 * unknown commit or a Rejected version.
 */
export async function handleReleaseEvent(event: unknown, deps: ReleaseDeps): Promise<ReleaseResult> {
  const eventId = eventIdOf(event);
  const ctx: Context = {
    deps,
    store: {
      dynamodb: deps.dynamodb,
      tableName: deps.config.intentTableName,
      ttlDays: deps.config.intentTtlDays,
    },
    now: deps.now ?? (() => new Date()),
    log: eventId === undefined ? deps.logger : deps.logger.child({ eventId }),
    approved: [],
  };
  let result: ReleaseResult;
  try {
    result = await act(routeEvent(event, deps.config), ctx);
  } catch (err) {
    const done = ctx.approved.length > 0 ? `failed after approving ${ctx.approved.join(', ')}` : 'nothing approved';
    ctx.log.error(`${done}: ${describeError(err).message}`, { error: describeError(err) });
    throw err;
  }
  ctx.log.info(result.message, {
    outcome: result.outcome,
    commit: result.commitId,
    modelPackageArn: result.modelPackageArn,
  });
  return result;
}

async function act(request: ReleaseRequest, ctx: Context): Promise<ReleaseResult> {
  switch (request.action) {
    case 'ignore':
      return { outcome: 'ignored', message: request.reason };
    case 'approve-commit':
      return approveCommit(request, { ...ctx, log: ctx.log.child({ commit: request.commitId }) });
    case 'model-registered':
      return onModelRegistered(request.modelPackageArn, {
        ...ctx,
        log: ctx.log.child({ modelPackageArn: request.modelPackageArn }),
      });
  }
}

function describeTrigger(trigger: ReleaseTrigger): string {
  switch (trigger.kind) {
    case 'pull-request':
      return `pull request ${trigger.pullRequestId} (${trigger.sourceBranch} → ${trigger.destinationBranch})`;
    case 'push':
      return `${trigger.referenceEvent} on ${trigger.branch}`;
    case 'direct-invocation':
      return 'direct invocation';
  }
}

async function approve(
  modelPackage: DescribeModelPackageCommandOutput,
  commitId: string,
  trigger: ReleaseTrigger,
  ctx: Context,
  note?: string,
): Promise<ReleaseResult> {
  const outcome = await approveModelPackage(ctx.deps.sagemaker, modelPackage, trigger, {
    commitId,
    now: ctx.now(),
    note,
  });
  if (outcome === 'approved') ctx.approved.push(modelPackage.ModelPackageArn ?? '(no arn)');
  const version = `version ${modelPackage.ModelPackageVersion ?? '?'} of ${ctx.deps.config.modelPackageGroupName}`;
  return {
    outcome,
    commitId,
    modelPackageArn: modelPackage.ModelPackageArn,
    modelPackageVersion: modelPackage.ModelPackageVersion,
    message:
      outcome === 'approved'
        ? `approved ${version}, trained from commit ${commitId}, for ${describeTrigger(trigger)}`
        : `${version}, trained from commit ${commitId}, was already approved: nothing changed`,
  };
}

async function approveCommit(
  request: Extract<ReleaseRequest, { action: 'approve-commit' }>,
  ctx: Context,
): Promise<ReleaseResult> {
  const { commitId, trigger } = request;
  const group = ctx.deps.config.modelPackageGroupName;
  const startedAt = ctx.now();
  const lookup = await findNewestVersionForCommit(
    ctx.deps.sagemaker,
    { modelPackageGroupName: group, commitId },
    ctx.log,
  );
  ctx.log.debug('looked up the commit', { apiCalls: lookup.apiCalls, versionsScanned: lookup.versionsScanned });

  if (lookup.modelPackage !== undefined) {
    return approveUnlessRejected(lookup.modelPackage, commitId, trigger, ctx);
  }

  const why = whyMissing(lookup.inProgress);
  switch (request.whenMissing) {
    case 'fail':
      throw new NotFoundError(
        `no Completed model version in ${group} was trained from commit ${commitId}: nothing approved (${why})`,
      );
    case 'ignore':
      return {
        outcome: 'ignored',
        commitId,
        message:
          `no Completed model version in ${group} was trained from commit ${commitId}, the new head of ` +
          `${ctx.deps.config.mainBranch}: nothing to approve for a push (` +
          (lookup.inProgress !== undefined
            ? why
            : 'a squash or merge commit has no model of its own; the pull request merge approves the source commit') +
          ')',
      };
    case 'record-intent':
      if (trigger.kind === 'push') throw new Error(`a ${trigger.kind} cannot record a merge intent`);
      return recordAndRecheck(commitId, trigger, startedAt, lookup.inProgress, ctx);
  }
}

/** Why no Completed version was found: one is still being created, or none may ever come. */
function whyMissing(inProgress: DescribeModelPackageCommandOutput | undefined): string {
  if (inProgress !== undefined) {
    return (
      `version ${inProgress.ModelPackageVersion ?? '?'} (${inProgress.ModelPackageArn ?? 'no arn'}) is still ` +
      `${inProgress.ModelPackageStatus ?? 'being created'}, and only a Completed version is approved`
    );
  }
  return (
    'its training may still be running, it may have failed the quality gate (the pipeline registers no version ' +
    'then), or it was never trained on a branch'
  );
}

/**
 * Approves the version, or reports a Rejected one: a rejection is final (a retry cannot change it), so for an event
 * (push, pull request merge) it is logged with the version's ARN and returned as `rejected`; only a direct invocation
 * throws the ConflictError, since its caller must hear it.
 */
async function approveUnlessRejected(
  modelPackage: DescribeModelPackageCommandOutput,
  commitId: string,
  trigger: ReleaseTrigger,
  ctx: Context,
): Promise<ReleaseResult> {
  try {
    return await approve(modelPackage, commitId, trigger, ctx);
  } catch (err) {
    if (!(err instanceof ConflictError) || trigger.kind === 'direct-invocation') throw err;
    const fields = { modelPackageArn: modelPackage.ModelPackageArn, trigger: describeTrigger(trigger) };
    // A merge whose model is never released needs a person; a push to main merely approves nothing.
    if (trigger.kind === 'pull-request') ctx.log.error(err.message, fields);
    else ctx.log.warn(err.message, fields);
    return { outcome: 'rejected', commitId, modelPackageArn: modelPackage.ModelPackageArn, message: err.message };
  }
}

/** What an intent remembers, in words: "the merge of pull request 7", "the direct invocation". */
function describeIntent(trigger: IntentTrigger): string {
  return trigger.kind === 'pull-request'
    ? `the merge of pull request ${trigger.pullRequestId}`
    : 'the direct invocation (approve_when_registered)';
}

async function recordAndRecheck(
  commitId: string,
  trigger: IntentTrigger,
  startedAt: Date,
  firstInProgress: DescribeModelPackageCommandOutput | undefined,
  ctx: Context,
): Promise<ReleaseResult> {
  const group = ctx.deps.config.modelPackageGroupName;
  const recorded = await recordIntent(ctx.store, commitId, trigger, ctx.now());
  const recheck = await findNewestVersionForCommit(
    ctx.deps.sagemaker,
    { modelPackageGroupName: group, commitId, createdAfter: new Date(startedAt.getTime() - RECHECK_MARGIN_MS) },
    ctx.log,
  );
  if (recheck.modelPackage !== undefined) {
    const result = await approveUnlessRejected(recheck.modelPackage, commitId, trigger, ctx);
    if (result.outcome === 'rejected') return result;
    await markIntentDone(ctx.store, commitId, recheck.modelPackage.ModelPackageArn ?? '', ctx.now());
    return result;
  }
  const inProgress = recheck.inProgress ?? firstInProgress;
  const why = whyMissing(inProgress);
  const until = new Date(recorded.expiresAt * 1000).toISOString();
  ctx.log.warn('merged before the model was registered', { reason: why, intentExpiresAt: until });
  return {
    outcome: 'intent-recorded',
    commitId,
    modelPackageArn: inProgress?.ModelPackageArn,
    message:
      `no Completed model version in ${group} was trained from commit ${commitId} yet (${why}): ` +
      (recorded.outcome === 'recorded'
        ? `recorded ${describeIntent(trigger)}`
        : 'already recorded a merge intent for it (the first record is kept)') +
      `; the version is approved when it is registered before ${until}`,
  };
}

async function onModelRegistered(modelPackageArn: string, ctx: Context): Promise<ReleaseResult> {
  const group = ctx.deps.config.modelPackageGroupName;
  const described = await ctx.deps.sagemaker.send(
    new DescribeModelPackageCommand({ ModelPackageName: modelPackageArn }),
  );
  if (described.ModelPackageGroupName !== group) {
    return {
      outcome: 'ignored',
      modelPackageArn,
      message: `model version ${modelPackageArn} belongs to ${described.ModelPackageGroupName ?? '(no group)'}, not ${group}`,
    };
  }
  const commit = commitOfPackage(described);
  if (!('commitId' in commit)) {
    return {
      outcome: 'ignored',
      modelPackageArn,
      message: `skipped model version ${modelPackageArn}: it ${commit.problem}`,
    };
  }
  const { commitId } = commit;
  const intent = await getIntent(ctx.store, commitId, ctx.now());
  if (intent === undefined) {
    return { outcome: 'ignored', commitId, modelPackageArn, message: `no merge waits for commit ${commitId}` };
  }
  if (intent.status === 'done') {
    return {
      outcome: 'ignored',
      commitId,
      modelPackageArn,
      message: `the merge of commit ${commitId} was already released (${intent.approvedModelPackageArn ?? 'version unknown'})`,
    };
  }
  // SageMaker reports state changes while a version is Pending and InProgress too: only a Completed one is approved.
  const status = described.ModelPackageStatus;
  if (status === ModelPackageStatus.PENDING || status === ModelPackageStatus.IN_PROGRESS) {
    return {
      outcome: 'ignored',
      commitId,
      modelPackageArn,
      message:
        `model version ${modelPackageArn} of commit ${commitId} is ${status}: a merge waits for the commit, and ` +
        'the version is approved when SageMaker reports it Completed',
    };
  }
  if (status !== ModelPackageStatus.COMPLETED) {
    const message =
      `skipped model version ${modelPackageArn} of commit ${commitId}: its status is ${status ?? '(none)'}, and ` +
      'only a Completed version is approved; the merge still waits for a Completed version of the commit';
    ctx.log.warn(message, { commit: commitId, modelPackageStatus: status });
    return { outcome: 'ignored', commitId, modelPackageArn, message };
  }
  // The event's version, unless the registry already holds a newer Completed one for the same commit.
  const lookup = await findNewestVersionForCommit(
    ctx.deps.sagemaker,
    { modelPackageGroupName: group, commitId },
    ctx.log,
  );
  const newest =
    lookup.modelPackage !== undefined &&
    (lookup.modelPackage.ModelPackageVersion ?? 0) > (described.ModelPackageVersion ?? 0)
      ? lookup.modelPackage
      : described;
  const first = intent.trigger.kind === 'pull-request' ? 'The merge' : 'The direct invocation';
  const note = `${first} (recorded ${intent.recordedAt}) came before the model was registered; approved on registration.`;
  try {
    const result = await approve(newest, commitId, intent.trigger, ctx, note);
    await markIntentDone(ctx.store, commitId, newest.ModelPackageArn ?? modelPackageArn, ctx.now());
    return result;
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
    // Retrying cannot change a rejection: say so once; the intent stays, should a new version be registered.
    ctx.log.error(err.message, { commit: commitId });
    return { outcome: 'rejected', commitId, modelPackageArn: newest.ModelPackageArn, message: err.message };
  }
}
