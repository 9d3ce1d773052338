/**
 * Verifying a model version with SageMaker's own facts (its group's project tag, the execution that registered it:
 * provenance.ts) and writing its commit index entry. The registration path indexes each reported version; the merge
 * path's bounded fallback indexes the matches among the newest versions when the index has none of a commit.
 */
import { ModelApprovalStatus } from '@aws-sdk/client-sagemaker';
import { IndexEntry, putIndexEntry, queryCommit } from './commit-index';
import { Context, describeVersion } from './context';
import { groupArnOf, verifyGroup, verifyProvenance } from './provenance';
import { fallbackCandidates } from './registry';

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
  const releasedByUs = described.CustomerMetadataProperties?.release_approved_at !== undefined;
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
export async function versionsOf(commitId: string, ctx: Context): Promise<IndexEntry[]> {
  const indexed = await queryCommit(ctx.deps.dynamodb, ctx.deps.config.commitIndexTableName, commitId);
  return indexed.length > 0 ? indexed : fallback(commitId, ctx);
}
