/**
 * The merge path: release a commit (a verified pull request merge, a direct invocation, an opted-in push to main, or
 * a waiting merge once a version is registered) by approving, in EVERY group of the project, the one version the
 * commit's source pipeline produced.
 *
 * 1. Versions of the commit come from the commit index (one DynamoDB Query: no SageMaker call at all). Only when the
 *    index holds none, the bounded fallback lists ONE page (the 100 newest versions) of `model-<project>` and
 *    verifies the matches' provenance itself, indexing them.
 * 2. {@link chooseVersions} (pure): only versions produced by the source branch's pipeline count (any other
 *    pipeline's claim is logged and ignored); a genuine one registered Approved refuses the whole release; without a
 *    named source branch (direct invocation without `source_branch`, push to main) versions from more than one
 *    pipeline refuse it too.
 * 3. One DescribeModelPackage per genuine version (its current state; Failed ones are skipped); two live genuine
 *    candidates in one group refuse the whole release ({@link ambiguity}); then for each Completed, pending one: the
 *    immutable artifact copy and one UpdateModelPackage. So a merge makes 1 SageMaker call per group before its
 *    update when the index has the commit, whatever the group's size and the version's position.
 */
import { DescribeModelPackageCommandOutput } from '@aws-sdk/client-sagemaker';
import { ConflictError, NotFoundError } from '../../contracts/errors';
import { sageMakerPipelineName } from '../../contracts/naming';
import { approveAll, examine } from './approval';
import { ambiguity, chooseVersions } from './choose';
import { IndexEntry, queryCommit } from './commit-index';
import { ApprovalRecord, Context, ReleaseResult } from './context';
import { AmbiguousCandidatesError, NotApprovableError, UnverifiedMergeError } from './errors';
import { versionsOf } from './indexing';
import { IntentTrigger, markIntentDone, recordIntent } from './intents';
import { verifyMerge } from './pull-request';
import { ReleaseTrigger } from './registry';
import { ReleaseRequest, WhenMissing } from './route';

export interface ReleaseCommitRequest {
  readonly commitId: string;
  readonly trigger: ReleaseTrigger;
  /** The merged branch: only its pipeline's versions count. Undefined: any one pipeline (refused if several). */
  readonly sourceBranch?: string;
  readonly whenMissing: WhenMissing;
  /** Added to the approval description (e.g. "approved on registration"). */
  readonly note?: string;
}

/** The expected pipeline of a release: the source branch's, when known. */
function expectedPipelineOf(ctx: Context, sourceBranch: string | undefined): string | undefined {
  return sourceBranch === undefined ? undefined : sageMakerPipelineName(ctx.deps.config.projectName, sourceBranch);
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

/**
 * A refusal: for an event it is logged as an error and returned (a retry cannot change it); a direct invocation's
 * caller gets the error.
 */
function refuse(err: Error, commitId: string, trigger: ReleaseTrigger, ctx: Context): ReleaseResult {
  if (trigger.kind === 'direct-invocation') throw err;
  ctx.log.error(err.message, { commit: commitId, trigger: describeTrigger(trigger), refusal: err.name });
  return { outcome: 'refused', commitId, message: err.message };
}

/** Decides and approves from the given versions; undefined when nothing Completed exists yet. */
async function decideAndApprove(
  entries: readonly IndexEntry[],
  request: ReleaseCommitRequest,
  ctx: Context,
): Promise<{ result?: ReleaseResult; inProgress: DescribeModelPackageCommandOutput[] }> {
  const { commitId, trigger } = request;
  const choice = chooseVersions(entries, expectedPipelineOf(ctx, request.sourceBranch));
  for (const claim of choice.claims) {
    ctx.log.warn(
      `ignored ${claim.modelPackageArn}: it claims commit ${commitId} but was produced by pipeline ` +
        `${claim.pipelineName}, not the source branch ${request.sourceBranch ?? '?'}'s`,
      { modelPackageArn: claim.modelPackageArn, claimedBy: claim.pipelineExecutionArn },
    );
  }
  if (choice.refusal !== undefined) {
    const Err = /registered Approved/.test(choice.refusal) ? NotApprovableError : AmbiguousCandidatesError;
    return { result: refuse(new Err(`commit ${commitId}: ${choice.refusal}`), commitId, trigger, ctx), inProgress: [] };
  }
  const examined = await examine(choice.chosen, ctx);
  const ambiguous = ambiguity([
    ...examined.toApprove,
    ...examined.approvedAlready,
    ...examined.rejected,
    ...examined.inProgress,
  ]);
  if (ambiguous !== undefined) {
    return {
      result: refuse(new AmbiguousCandidatesError(`commit ${commitId}: ${ambiguous}`), commitId, trigger, ctx),
      inProgress: [],
    };
  }
  if (examined.rejected.length > 0) {
    const err = new ConflictError(
      `${examined.rejected.map((d) => `model version ${d.ModelPackageArn} for commit ${commitId}`).join(', ')} is ` +
        'Rejected: a rejected version is never approved, and no other version of the commit is approved with it ' +
        '(register a new version, or change its status by hand if the rejection was a mistake)',
    );
    if (trigger.kind === 'direct-invocation') throw err;
    const fields = { trigger: describeTrigger(trigger), modelPackageArn: examined.rejected[0]?.ModelPackageArn };
    if (trigger.kind === 'pull-request') ctx.log.error(err.message, fields);
    else ctx.log.warn(err.message, fields);
    return {
      result: {
        outcome: 'rejected',
        commitId,
        modelPackageArn: examined.rejected[0]?.ModelPackageArn,
        message: err.message,
      },
      inProgress: examined.inProgress,
    };
  }
  if (examined.toApprove.length === 0 && examined.approvedAlready.length === 0) {
    return { inProgress: examined.inProgress };
  }
  let approvals: ApprovalRecord[];
  try {
    approvals = await approveAll(examined, request, ctx);
  } catch (err) {
    if (err instanceof NotApprovableError) return { result: refuse(err, commitId, trigger, ctx), inProgress: [] };
    throw err;
  }
  const main = approvals.find((a) => a.modelPackageGroupName === ctx.deps.config.modelPackageGroupName) ?? approvals[0];
  const approvedNow = approvals.filter((a) => a.outcome === 'approved');
  const list = (records: ApprovalRecord[]) =>
    records.map((a) => `version ${a.modelPackageVersion} of ${a.modelPackageGroupName}`).join(', ');
  return {
    inProgress: examined.inProgress,
    result: {
      outcome: approvedNow.length > 0 ? 'approved' : 'already-approved',
      commitId,
      modelPackageArn: main?.modelPackageArn,
      modelPackageVersion: main?.modelPackageVersion,
      approvals,
      message:
        approvedNow.length > 0
          ? `approved ${list(approvedNow)}, trained from commit ${commitId}, for ${describeTrigger(trigger)}`
          : `${list(approvals)}, trained from commit ${commitId}, was already approved: nothing changed`,
    },
  };
}

/** Why no Completed version was found: one is still being created, or none may ever come. */
function whyMissing(inProgress: readonly DescribeModelPackageCommandOutput[]): string {
  const first = inProgress[0];
  if (first !== undefined) {
    return (
      `version ${first.ModelPackageVersion ?? '?'} (${first.ModelPackageArn ?? 'no arn'}) is still ` +
      `${first.ModelPackageStatus ?? 'being created'}, and only a Completed version is approved`
    );
  }
  return (
    'its training may still be running, it may have failed the quality gate (the pipeline registers no version ' +
    'then), or it was never trained on the source branch'
  );
}

/** What an intent remembers, in words: "the merge of pull request 7", "the direct invocation". */
function describeIntent(trigger: IntentTrigger): string {
  return trigger.kind === 'pull-request'
    ? `the merge of pull request ${trigger.pullRequestId}`
    : 'the direct invocation (approve_when_registered)';
}

/** Releases a commit: see the module comment. */
export async function releaseCommit(request: ReleaseCommitRequest, ctx: Context): Promise<ReleaseResult> {
  const { commitId, trigger } = request;
  const group = ctx.deps.config.modelPackageGroupName;
  const first = await decideAndApprove(await versionsOf(commitId, ctx), request, ctx);
  // Versions of further groups may still be registering: a merge waits for them too.
  const waitsForMore = first.result?.outcome === 'approved' && first.inProgress.length > 0;
  if (first.result !== undefined && !(waitsForMore && request.whenMissing === 'record-intent')) return first.result;
  if (first.result !== undefined) {
    await recordIntent(ctx.store, commitId, trigger as IntentTrigger, ctx.now());
    return first.result;
  }
  const why = whyMissing(first.inProgress);
  switch (request.whenMissing) {
    case 'fail':
      throw new NotFoundError(
        `no Completed model version in ${group} (or the project's further groups) was trained from commit ` +
          `${commitId}${request.sourceBranch ? ` on ${request.sourceBranch}` : ''}: nothing approved (${why})`,
      );
    case 'ignore':
      return {
        outcome: 'ignored',
        commitId,
        modelPackageArn: first.inProgress[0]?.ModelPackageArn,
        message:
          `no Completed model version in ${group} was trained from commit ${commitId}: nothing to approve (` +
          (trigger.kind === 'push' && first.inProgress.length === 0
            ? 'a squash or merge commit has no model of its own; the pull request merge approves the source commit'
            : why) +
          ')',
      };
    case 'record-intent': {
      if (trigger.kind === 'push') throw new Error(`a ${trigger.kind} cannot record a merge intent`);
      const recorded = await recordIntent(ctx.store, commitId, trigger, ctx.now());
      // A version indexed between the first query and the write found no intent: look once more (the registration
      // path writes the index, then reads the intent; this path writes the intent, then reads the index).
      const again = await decideAndApprove(
        await queryCommit(ctx.deps.dynamodb, ctx.deps.config.commitIndexTableName, commitId),
        request,
        ctx,
      );
      if (again.result !== undefined) {
        if (again.result.outcome === 'approved' || again.result.outcome === 'already-approved') {
          if (again.inProgress.length === 0) {
            await markIntentDone(ctx.store, commitId, again.result.modelPackageArn ?? '', ctx.now());
          }
        }
        return again.result;
      }
      const until = new Date(recorded.expiresAt * 1000).toISOString();
      const inProgress = again.inProgress.length > 0 ? again.inProgress : first.inProgress;
      ctx.log.warn('merged before the model was registered', {
        reason: whyMissing(inProgress),
        intentExpiresAt: until,
      });
      return {
        outcome: 'intent-recorded',
        commitId,
        modelPackageArn: inProgress[0]?.ModelPackageArn,
        message:
          `no Completed model version of commit ${commitId} yet (${whyMissing(inProgress)}): ` +
          (recorded.outcome === 'recorded'
            ? `recorded ${describeIntent(trigger)}`
            : 'already recorded a merge intent for it (the first record is kept)') +
          `; the version is approved when it is registered before ${until}`,
      };
    }
  }
}

/**
 * A pull request merge event, a hint only: CodeCommit is asked (pull-request.ts) whether the pull request is merged
 * into main from the claimed source commit and approved by its rules; a claim it contradicts changes nothing and is
 * logged as a forged or unreviewed event. Then the source commit is released from the source branch's pipeline.
 */
export async function onMergeEvent(
  request: Extract<ReleaseRequest, { action: 'verify-merge' }>,
  ctx: Context,
): Promise<ReleaseResult> {
  const { config } = ctx.deps;
  let merge;
  try {
    merge = await verifyMerge(ctx.deps.codecommit, request, config);
  } catch (err) {
    if (!(err instanceof UnverifiedMergeError)) throw err;
    // Forged (sent by direct invocation) or not reviewed: nothing changes, and the attempt is on record.
    ctx.log.error(`refused a pull request merge event CodeCommit does not confirm: ${err.message}`, {
      refusal: err.name,
      claimedSourceCommit: request.sourceCommit,
    });
    return { outcome: 'refused', commitId: request.sourceCommit, message: err.message };
  }
  return releaseCommit(
    {
      commitId: merge.sourceCommit,
      sourceBranch: merge.sourceBranch,
      trigger: {
        kind: 'pull-request',
        pullRequestId: merge.pullRequestId,
        sourceBranch: merge.sourceBranch,
        destinationBranch: merge.destinationBranch,
        mergeOption: merge.mergeOption,
        mergedBy: merge.mergedBy,
        eventId: request.eventId,
      },
      whenMissing: 'record-intent',
    },
    { ...ctx, log: ctx.log.child({ commit: merge.sourceCommit }) },
  );
}
