/**
 * What the deploy function reads from the model registry: which served project a group belongs to (its
 * `sagemaker:project-id` tag) and the group's Approved versions with their approval time and artifact.
 */
import {
  DescribeModelPackageCommand,
  ListModelPackagesCommand,
  ListTagsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { ValidationError } from '../../contracts/errors';
import { ServedProject } from './config';
import { APPROVED, ApprovedVersion, artifactSource } from './resolve';

export const PROJECT_ID_TAG = 'sagemaker:project-id';

/**
 * The served project whose id the group's `sagemaker:project-id` tag holds, among `candidates`; undefined when the
 * tag is missing or names another project (a group of project `churn-v2` is not model `v2` of project `churn`).
 */
export async function projectOfGroup(
  sagemaker: SageMakerClient,
  groupArn: string,
  candidates: readonly ServedProject[],
): Promise<ServedProject | undefined> {
  const tags: Array<{ Key?: string; Value?: string }> = [];
  let token: string | undefined;
  do {
    const page = await sagemaker.send(new ListTagsCommand({ ResourceArn: groupArn, NextToken: token }));
    tags.push(...(page.Tags ?? []));
    token = page.NextToken;
  } while (token);
  const id = tags.find((t) => t.Key === PROJECT_ID_TAG)?.Value;
  return id === undefined ? undefined : candidates.find((p) => p.id === id);
}

/**
 * Every Approved version of the group, described (the list has no LastModifiedTime nor the artifact). The group is
 * named by ARN so the same call reads a registry in another account through its resource policy.
 */
export async function approvedVersions(
  sagemaker: SageMakerClient,
  groupArn: string,
): Promise<{ versions: ApprovedVersion[]; skipped: Array<{ arn: string; reason: string }> }> {
  const arns: string[] = [];
  let token: string | undefined;
  do {
    const page = await sagemaker.send(
      new ListModelPackagesCommand({
        ModelPackageGroupName: groupArn,
        ModelApprovalStatus: APPROVED,
        MaxResults: 100,
        NextToken: token,
      }),
    );
    for (const summary of page.ModelPackageSummaryList ?? []) {
      if (summary.ModelPackageArn !== undefined) arns.push(summary.ModelPackageArn);
    }
    token = page.NextToken;
  } while (token);

  const versions: ApprovedVersion[] = [];
  const skipped: Array<{ arn: string; reason: string }> = [];
  for (const arn of arns) {
    const pkg = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
    // Listed as Approved a moment ago; re-check what was described, in case it changed in between.
    if (pkg.ModelApprovalStatus !== APPROVED || pkg.ModelPackageVersion === undefined) continue;
    try {
      versions.push({
        arn,
        version: pkg.ModelPackageVersion,
        lastModified: pkg.LastModifiedTime ?? pkg.CreationTime ?? new Date(0),
        packageStatus: pkg.ModelPackageStatus ?? 'Unknown',
        artifact: artifactSource(
          pkg.CustomerMetadataProperties,
          pkg.InferenceSpecification?.Containers?.[0]?.ModelDataUrl,
          arn,
        ),
      });
    } catch (err) {
      // A version whose artifact record is malformed is never served; the others still are.
      if (!(err instanceof ValidationError)) throw err;
      skipped.push({ arn, reason: err.message });
    }
  }
  return { versions, skipped };
}
