/**
 * The merge path's decisions, pure: which versions of a commit count (step 2 of merge.ts) and whether one group has
 * more than one live candidate (step 3).
 */
import { DescribeModelPackageCommandOutput, ModelApprovalStatus } from '@aws-sdk/client-sagemaker';
import { IndexEntry } from './commit-index';

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
              `version ${d.ModelPackageVersion ?? '?'}, ${d.ModelApprovalStatus ?? '?'}, from ${d.CustomerMetadataProperties?.pipeline_execution_arn ?? d.CustomerMetadataProperties?.pipeline_execution_id ?? '?'}`,
          )
          .join('; ')}): the function cannot choose, so it approves none; approve the right one by hand ` +
        '(docs/release-gate.md)'
      );
    }
  }
  return undefined;
}
