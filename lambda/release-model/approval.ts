/**
 * The merge path's step 3 (merge.ts): the current state of each chosen version, then, for each Completed, pending
 * one, the immutable artifact copy and one UpdateModelPackage.
 */
import { DescribeModelPackageCommandOutput, ModelApprovalStatus, ModelPackageStatus } from '@aws-sdk/client-sagemaker';
import { APPROVED_ARTIFACT_KEYS, copyApprovedArtifact } from './artifact';
import { IndexEntry } from './commit-index';
import { ApprovalRecord, Context, describeVersion } from './context';
import type { ReleaseCommitRequest } from './merge';
import { approveModelPackage } from './registry';

export interface Examined {
  readonly toApprove: DescribeModelPackageCommandOutput[];
  readonly approvedAlready: DescribeModelPackageCommandOutput[];
  readonly rejected: DescribeModelPackageCommandOutput[];
  readonly inProgress: DescribeModelPackageCommandOutput[];
}

/** Copies each version's artifact and approves it; records the ones already approved too. */
export async function approveAll(
  examined: Examined,
  request: ReleaseCommitRequest,
  ctx: Context,
): Promise<ApprovalRecord[]> {
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

/** Step 3's describe: the current state of each chosen version. */
export async function examine(chosen: readonly IndexEntry[], ctx: Context): Promise<Examined> {
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
