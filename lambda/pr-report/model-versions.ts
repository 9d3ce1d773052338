/**
 * The registry facts of a pull request report (collect.ts, steps 1 and 3): the project's model package groups (by
 * their project id tag), and per group the branch's newest Completed version and the newest Approved one, each with
 * the metrics of its evaluation report, read only from the project's artifact bucket.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import {
  DescribeModelPackageCommand,
  DescribeModelPackageCommandOutput,
  ListModelPackageGroupsCommand,
  ListModelPackagesCommand,
  ListTagsCommand,
  ModelPackageSummary,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { describeError } from '../../contracts/errors';
import { isAccessDenied } from '../../contracts/sdk-errors/match';
import { branchTagValue, TAG_PROJECT_ID } from '../../contracts/naming';
import { MODEL_PACKAGE_DESCRIPTION_COMMIT_PATTERN as DESCRIPTION_COMMIT } from '../../contracts/patterns';
import type { CollectDeps, ReportTarget } from './collect';
import { parseEvaluationReport } from './metrics';
import { VersionFacts } from './render';

/** How many of a group's newest versions are searched for the branch's (one ListModelPackages page). */
export const VERSIONS_SEARCHED = 100;
/** How many of them are described, at most, to find an older commit's version of the branch. */
export const VERSIONS_DESCRIBED = 20;

/** The project's groups, base group first, then by name. */
export async function listProjectGroups(
  sagemaker: SageMakerClient,
  projectName: string,
  projectId: string,
): Promise<{ name: string; arn: string }[]> {
  const base = `model-${projectName}`;
  const found: { name: string; arn: string }[] = [];
  let token: string | undefined;
  do {
    const page = await sagemaker.send(
      new ListModelPackageGroupsCommand({ NameContains: base, MaxResults: 100, NextToken: token }),
    );
    for (const g of page.ModelPackageGroupSummaryList ?? []) {
      const name = g.ModelPackageGroupName;
      if (name === undefined || g.ModelPackageGroupArn === undefined) continue;
      if (name === base || name.startsWith(`${base}-`)) found.push({ name, arn: g.ModelPackageGroupArn });
    }
    token = page.NextToken;
  } while (token !== undefined);
  const mine: { name: string; arn: string }[] = [];
  for (const group of found) {
    let tags;
    try {
      tags = await sagemaker.send(new ListTagsCommand({ ResourceArn: group.arn }));
    } catch (err) {
      // The role reads the tags of its project's groups only: another project's `model-<project>-…` group.
      if (isAccessDenied(err)) continue;
      throw err;
    }
    if ((tags.Tags ?? []).some((t) => t.Key === TAG_PROJECT_ID && t.Value === projectId)) mine.push(group);
  }
  return mine.sort((a, b) => (a.name === base ? -1 : b.name === base ? 1 : a.name.localeCompare(b.name)));
}

/** `s3://bucket/key` → its parts, if the URI is in `bucket`. */
export function parseS3Uri(uri: string): { bucket: string; key: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  return m === null ? undefined : { bucket: m[1] as string, key: m[2] as string };
}

export async function readMetrics(
  deps: CollectDeps,
  target: ReportTarget,
  uri: string | undefined,
): Promise<VersionFacts['metrics']> {
  if (uri === undefined) return { problem: 'the version has no ModelMetrics.ModelQuality.Statistics.S3Uri' };
  const location = parseS3Uri(uri);
  if (location === undefined) return { problem: `${uri} is not an s3:// URI` };
  if (location.bucket !== target.artifactBucket) {
    return { problem: `${uri} is outside the project's artifact bucket ${target.artifactBucket}; not read` };
  }
  try {
    const object = await deps.s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
    const text = (await object.Body?.transformToString('utf-8')) ?? '';
    return parseEvaluationReport(text);
  } catch (err) {
    return { problem: `${uri}: ${describeError(err).message}` };
  }
}

export async function versionFacts(
  deps: CollectDeps,
  target: ReportTarget,
  pkg: DescribeModelPackageCommandOutput,
): Promise<VersionFacts> {
  const meta = pkg.CustomerMetadataProperties ?? {};
  return {
    arn: pkg.ModelPackageArn ?? '',
    version: pkg.ModelPackageVersion ?? 0,
    approvalStatus: pkg.ModelApprovalStatus ?? 'Unknown',
    commitId: pkg.MetadataProperties?.CommitId ?? meta.commit_id,
    executionArn: meta.pipeline_execution_arn ?? pkg.MetadataProperties?.GeneratedBy,
    metrics: await readMetrics(deps, target, pkg.ModelMetrics?.ModelQuality?.Statistics?.S3Uri),
  };
}

const describe = (sagemaker: SageMakerClient, arn: string) =>
  sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));

/** Whether a described version is this branch's (metadata `branch`) and, if given, of `commit`. */
function isBranchVersion(pkg: DescribeModelPackageCommandOutput, branch: string, commit?: string): boolean {
  const meta = pkg.CustomerMetadataProperties ?? {};
  if (meta.branch !== branchTagValue(branch)) return false;
  const commitId = pkg.MetadataProperties?.CommitId ?? meta.commit_id;
  return commit === undefined || commitId === commit;
}

/** The branch's newest Completed version in `group`: the head commit's if registered, else an older one's. */
export async function findBranchVersion(
  sagemaker: SageMakerClient,
  group: string,
  target: ReportTarget,
): Promise<{ pkg?: DescribeModelPackageCommandOutput; searchedAll: boolean }> {
  const page = await sagemaker.send(
    new ListModelPackagesCommand({
      ModelPackageGroupName: group,
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: VERSIONS_SEARCHED,
    }),
  );
  const completed = (page.ModelPackageSummaryList ?? []).filter(
    (s): s is ModelPackageSummary & { ModelPackageArn: string } =>
      s.ModelPackageArn !== undefined && (s.ModelPackageStatus ?? 'Completed') === 'Completed',
  );
  const commitOf = (s: ModelPackageSummary) => DESCRIPTION_COMMIT.exec(s.ModelPackageDescription ?? '')?.[1];
  for (const summary of completed.filter((s) => commitOf(s) === target.headCommit)) {
    const pkg = await describe(sagemaker, summary.ModelPackageArn);
    if (isBranchVersion(pkg, target.branch, target.headCommit)) return { pkg, searchedAll: true };
  }
  const older = completed.filter((s) => commitOf(s) !== target.headCommit);
  for (const summary of older.slice(0, VERSIONS_DESCRIBED)) {
    const pkg = await describe(sagemaker, summary.ModelPackageArn);
    if (isBranchVersion(pkg, target.branch)) return { pkg, searchedAll: true };
  }
  return { searchedAll: page.NextToken === undefined && older.length <= VERSIONS_DESCRIBED };
}

export async function findApproved(
  sagemaker: SageMakerClient,
  group: string,
): Promise<DescribeModelPackageCommandOutput | undefined> {
  const page = await sagemaker.send(
    new ListModelPackagesCommand({
      ModelPackageGroupName: group,
      ModelApprovalStatus: 'Approved',
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 1,
    }),
  );
  const arn = page.ModelPackageSummaryList?.[0]?.ModelPackageArn;
  return arn === undefined ? undefined : describe(sagemaker, arn);
}
