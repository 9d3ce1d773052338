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
import { DescribeModelPackageCommandOutput, ModelApprovalStatus, ModelPackageStatus } from '@aws-sdk/client-sagemaker';
import { ConflictError, NotFoundError } from '../../contracts/errors';
import { MODEL_METADATA, RELEASE_METADATA } from '../../contracts/model-metadata';
import { sageMakerPipelineName } from '../../contracts/naming';
import { APPROVED_ARTIFACT_KEYS, copyApprovedArtifact } from './artifact';
import { IndexEntry, putIndexEntry, queryCommit } from './commit-index';
import { ApprovalRecord, Context, describeVersion, ReleaseResult } from './context';
import { AmbiguousCandidatesError, NotApprovableError } from './errors';
import { IntentTrigger, markIntentDone, recordIntent } from './intents';
import { groupArnOf, verifyGroup, verifyProvenance } from './provenance';
import { approveModelPackage, fallbackCandidates, ReleaseTrigger } from './registry';
import { WhenMissing } from './route';

export interface ReleaseCommitRequest {
  readonly commitId: string;
  readonly trigger: ReleaseTrigger;
  /** The merged branch: only its pipeline's versions count. Undefined: any one pipeline (refused if several). */
  readonly sourceBranch?: string;
  readonly whenMissing: WhenMissing;
  /** Added to the approval description (e.g. "approved on registration"). */
  readonly note?: string;
}

export interface Choice {
  /** The versions the expected pipeline produced (Failed ones and several per group are dealt with once described). */
  readonly chosen: readonly IndexEntry[];
  /** Versions claiming the commit from another pipeline: never approved. */
  readonly claims: readonly IndexEntry[];
  /** Why nothing may be approved, when so. */
  readonly refusal?: string;
}

/** Step 2 of the module comment; pure. `expectedPipeline` is compared case-insensitively (ARNs are lower case). */
export function chooseVersions(entries: readonly IndexEntry[], expectedPipeline: string | undefined): Choice {
  const expected = expectedPipeline?.toLowerCase();
  const genuine = expected === undefined ? [...entries] : entries.filter((e) => e.pipelineName === expected);
  const claims = expected === undefined ? [] : entries.filter((e) => e.pipelineName !== expected);
  const pipelines = [...new Set(genuine.map((e) => e.pipelineName))];
  if (expected === undefined && pipelines.length > 1) {
    return {
      chosen: [],
      claims,
      refusal:
        `versions of the commit come from ${pipelines.length} pipelines (${pipelines.join(', ')}): name the merged ` +
        'branch (payload "source_branch") so that only its pipeline counts',
    };
  }
  const born = genuine.filter((e) => e.registeredApprovalStatus === ModelApprovalStatus.APPROVED);
  if (born.length > 0) {
    return {
      chosen: [],
      claims,
      refusal:
        `${born.map((e) => e.modelPackageArn).join(', ')} was registered Approved, without any release: such a ` +
        'version is never approved by a merge (reject it; the pipeline must register PendingManualApproval)',
    };
  }
  return { chosen: genuine, claims };
}

/**
 * Two live (not Failed) genuine versions of the commit in one group: the function cannot choose. Pure; returns the
 * refusal, if any.
 */
export function ambiguity(live: readonly DescribeModelPackageCommandOutput[]): string | undefined {
  const byGroup = new Map<string, DescribeModelPackageCommandOutput[]>();
  for (const d of live) {
    const group = d.ModelPackageGroupName ?? '';
    byGroup.set(group, [...(byGroup.get(group) ?? []), d]);
  }
  for (const [group, list] of byGroup) {
    if (list.length > 1) {
      return (
        `${list.length} genuine candidates in ${group} (${list
          .map(
            (d) =>
              `version ${d.ModelPackageVersion ?? '?'}, ${d.ModelApprovalStatus ?? '?'}, from ${d.CustomerMetadataProperties?.[MODEL_METADATA.pipelineExecutionArn] ?? d.CustomerMetadataProperties?.[MODEL_METADATA.pipelineExecutionId] ?? '?'}`,
          )
          .join('; ')}): the function cannot choose, so it approves none; approve the right one by hand ` +
        '(docs/release-gate.md)'
      );
    }
  }
  return undefined;
}

/** The expected pipeline of a release: the source branch's, when known. */
function expectedPipelineOf(ctx: Context, sourceBranch: string | undefined): string | undefined {
  return sourceBranch === undefined ? undefined : sageMakerPipelineName(ctx.deps.config.projectName, sourceBranch);
}

/** The bounded fallback of step 1: verifies and indexes the matches among the 100 newest of `model-<project>`. */
async function fallback(commitId: string, ctx: Context): Promise<IndexEntry[]> {
  const { config } = ctx.deps;
  const arns = await fallbackCandidates(ctx.deps.sagemaker, config.modelPackageGroupName, commitId);
  const entries: IndexEntry[] = [];
  for (const arn of arns) {
    const entry = await verifyAndIndex(arn, ctx);
    if ('entry' in entry) entries.push(entry.entry);
  }
  return entries;
}

/**
 * Verifies a version's group and provenance with SageMaker's own facts and writes its index entry (the registration
 * path and the fallback share this). Returns the entry, or why the version was not indexed.
 */
export async function verifyAndIndex(
  modelPackageArn: string,
  ctx: Context,
): Promise<{ entry: IndexEntry; outcome: 'indexed' | 'already-indexed' } | { problem: string }> {
  const { config } = ctx.deps;
  // The group first, from the ARN: the role describes only versions tagged with the project id (isolation.ts), so
  // a version of another project's group (named model-<project>-… too) is refused before any describe.
  const isProjectGroup = (name: string, base: string) => name === base || name.startsWith(`${base}-`);
  const named = groupArnOf(modelPackageArn)?.split(':model-package-group/')[1] ?? '';
  if (!isProjectGroup(named.toLowerCase(), config.modelPackageGroupName.toLowerCase())) {
    return { problem: `its group ${named || '(none)'} is not one of project ${config.projectName}` };
  }
  const member = await verifyGroup(ctx.deps.sagemaker, modelPackageArn, config.projectId);
  if (!member.ok) return { problem: member.problem };
  const described = await describeVersion(ctx, modelPackageArn);
  const group = described.ModelPackageGroupName ?? '';
  if (!isProjectGroup(group, config.modelPackageGroupName)) {
    return { problem: `its group ${group || '(none)'} is not one of project ${config.projectName}` };
  }
  const provenance = await verifyProvenance(ctx.deps.sagemaker, described, config);
  if (!provenance.ok) {
    ctx.log.warn(`model version ${modelPackageArn} is not indexed: ${provenance.problem}`, { modelPackageArn });
    return { problem: provenance.problem };
  }
  const releasedByUs = described.CustomerMetadataProperties?.[RELEASE_METADATA.approvedAt] !== undefined;
  const status = described.ModelApprovalStatus ?? 'unknown';
  const entry: IndexEntry = {
    commitId: provenance.value.commitId,
    modelPackageArn,
    modelPackageGroupName: group,
    modelPackageVersion: described.ModelPackageVersion ?? 0,
    pipelineName: provenance.value.pipelineName,
    pipelineExecutionArn: provenance.value.pipelineExecutionArn,
    // Our own approval's state change may be the first event seen: that version was registered pending.
    registeredApprovalStatus: releasedByUs ? ModelApprovalStatus.PENDING_MANUAL_APPROVAL : status,
    indexedAt: ctx.now().toISOString(),
  };
  const outcome = await putIndexEntry(ctx.deps.dynamodb, config.commitIndexTableName, entry);
  if (outcome === 'indexed' && entry.registeredApprovalStatus === ModelApprovalStatus.APPROVED) {
    ctx.log.error(
      `model version ${modelPackageArn} was registered Approved without a release: no merge will approve it; ` +
        'reject it and find who started its execution',
      { modelPackageArn, pipelineExecutionArn: entry.pipelineExecutionArn, commit: entry.commitId },
    );
  }
  return { entry, outcome };
}

/** The index's versions of the commit, or the bounded fallback's. */
async function versionsOf(commitId: string, ctx: Context): Promise<IndexEntry[]> {
  const indexed = await queryCommit(ctx.deps.dynamodb, ctx.deps.config.commitIndexTableName, commitId);
  return indexed.length > 0 ? indexed : fallback(commitId, ctx);
}

interface Examined {
  readonly toApprove: DescribeModelPackageCommandOutput[];
  readonly approvedAlready: DescribeModelPackageCommandOutput[];
  readonly rejected: DescribeModelPackageCommandOutput[];
  readonly inProgress: DescribeModelPackageCommandOutput[];
}

/** Step 3's describe: the current state of each chosen version. */
async function examine(chosen: readonly IndexEntry[], ctx: Context): Promise<Examined> {
  const result: Examined = { toApprove: [], approvedAlready: [], rejected: [], inProgress: [] };
  for (const entry of chosen) {
    const described = await describeVersion(ctx, entry.modelPackageArn);
    const status = described.ModelPackageStatus;
    if (status === ModelPackageStatus.PENDING || status === ModelPackageStatus.IN_PROGRESS) {
      ctx.log.info('a version of the commit is still being created: not approved before it is Completed', {
        modelPackageArn: entry.modelPackageArn,
        modelPackageStatus: status,
      });
      result.inProgress.push(described);
    } else if (status !== ModelPackageStatus.COMPLETED) {
      ctx.log.warn(`skipped model version ${entry.modelPackageArn}: its status is ${status ?? '(none)'}`, {
        modelPackageArn: entry.modelPackageArn,
        modelPackageStatus: status,
      });
    } else if (described.ModelApprovalStatus === ModelApprovalStatus.REJECTED) {
      result.rejected.push(described);
    } else if (described.ModelApprovalStatus === ModelApprovalStatus.APPROVED) {
      result.approvedAlready.push(described);
    } else {
      result.toApprove.push(described);
    }
  }
  return result;
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

async function approveAll(examined: Examined, request: ReleaseCommitRequest, ctx: Context): Promise<ApprovalRecord[]> {
  const { config } = ctx.deps;
  const records: ApprovalRecord[] = examined.approvedAlready.map((d) => ({
    modelPackageArn: d.ModelPackageArn ?? '',
    modelPackageGroupName: d.ModelPackageGroupName ?? '',
    modelPackageVersion: d.ModelPackageVersion ?? 0,
    outcome: 'already-approved',
  }));
  for (const described of examined.toApprove) {
    const artifact = await copyApprovedArtifact(ctx.deps.s3, described, config.artifactBucketName);
    const outcome = await approveModelPackage(ctx.deps.sagemaker, described, request.trigger, {
      commitId: request.commitId,
      now: ctx.now(),
      note: request.note,
      metadata: {
        [APPROVED_ARTIFACT_KEYS.uri]: artifact.uri,
        [APPROVED_ARTIFACT_KEYS.versionId]: artifact.versionId,
        [APPROVED_ARTIFACT_KEYS.sha256]: artifact.sha256,
      },
    });
    if (outcome === 'approved') ctx.approved.push(described.ModelPackageArn ?? '(no arn)');
    records.push({
      modelPackageArn: described.ModelPackageArn ?? '',
      modelPackageGroupName: described.ModelPackageGroupName ?? '',
      modelPackageVersion: described.ModelPackageVersion ?? 0,
      outcome,
      approvedArtifactUri: artifact.uri,
    });
  }
  return records;
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
