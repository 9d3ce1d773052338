/**
 * The model registry side of a release: the commit a version was trained from, the bounded fallback lookup for
 * versions older than the commit index (commit-index.ts), and the approval itself with its reasons.
 */
import {
  DescribeModelPackageCommandOutput,
  ListModelPackagesCommand,
  ModelApprovalStatus,
  SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { ConflictError } from '../../contracts/errors';
import {
  COMMIT_ID_PATTERN,
  MODEL_PACKAGE_DESCRIPTION_COMMIT_PATTERN as DESCRIPTION_COMMIT,
} from '../../contracts/patterns';

/** ListModelPackages' largest page. */
export const LIST_PAGE_SIZE = 100;

/** The commit a version's description names (`commit <40-hex id>` then end or whitespace), if any. */
export function commitFromDescription(description: string | undefined): string | undefined {
  return description === undefined ? undefined : DESCRIPTION_COMMIT.exec(description)?.[1];
}

export type PackageCommit = { commitId: string } | { problem: string };

/**
 * The commit a described version was trained from, per the metadata contract: `MetadataProperties.CommitId`, and
 * the `commit_id` customer metadata, which must agree when both are present.
 */
export function commitOfPackage(
  pkg: Pick<DescribeModelPackageCommandOutput, 'MetadataProperties' | 'CustomerMetadataProperties'>,
): PackageCommit {
  const fromMetadata = pkg.MetadataProperties?.CommitId;
  const fromCustomer = pkg.CustomerMetadataProperties?.commit_id;
  if (fromMetadata === undefined && fromCustomer === undefined) {
    return { problem: 'has no commit metadata (MetadataProperties.CommitId, customer metadata commit_id)' };
  }
  if (fromMetadata !== undefined && fromCustomer !== undefined && fromMetadata !== fromCustomer) {
    return {
      problem: `has conflicting commit metadata: MetadataProperties.CommitId ${fromMetadata}, commit_id ${fromCustomer}`,
    };
  }
  const commitId = (fromMetadata ?? fromCustomer) as string;
  if (!COMMIT_ID_PATTERN.test(commitId)) {
    return { problem: `has a commit id that is not 40 lowercase hex digits: ${JSON.stringify(commitId)}` };
  }
  return { commitId };
}

/** How many of the newest versions the fallback for commits older than the commit index reads: one page. */
export const FALLBACK_MAX_VERSIONS = LIST_PAGE_SIZE;

/**
 * The bounded fallback for versions registered before the commit index existed (or whose registration event never
 * came): ONE ListModelPackages call, the {@link FALLBACK_MAX_VERSIONS} newest versions of `group`, and the ARNs of
 * those whose description names `commitId`. Never a second page: an older version is not found this way (its
 * registration event, or re-sending one, indexes it).
 */
export async function fallbackCandidates(
  sagemaker: SageMakerClient,
  group: string,
  commitId: string,
): Promise<string[]> {
  const page = await sagemaker.send(
    new ListModelPackagesCommand({
      ModelPackageGroupName: group,
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: FALLBACK_MAX_VERSIONS,
    }),
  );
  return (page.ModelPackageSummaryList ?? [])
    .filter((summary) => commitFromDescription(summary.ModelPackageDescription) === commitId)
    .map((summary) => summary.ModelPackageArn)
    .filter((arn): arn is string => arn !== undefined);
}

/** Why a version is being approved: what the approval description and customer metadata record. */
export type ReleaseTrigger =
  | {
      readonly kind: 'pull-request';
      readonly pullRequestId: string;
      readonly sourceBranch: string;
      readonly destinationBranch: string;
      readonly mergeOption?: string;
      readonly mergedBy?: string;
      readonly eventId: string;
    }
  | { readonly kind: 'push'; readonly branch: string; readonly referenceEvent: string; readonly eventId: string }
  | {
      readonly kind: 'direct-invocation';
      /** The merged branch, when the caller names it (payload `source_branch`): only its pipeline's versions count. */
      readonly sourceBranch?: string;
    };

const DESCRIPTION_MAX = 1024;

/** The ApprovalDescription: why the version is approved, in one sentence (at most 1,024 characters). */
export function approvalDescription(trigger: ReleaseTrigger, commitId: string, note?: string): string {
  let text: string;
  switch (trigger.kind) {
    case 'pull-request':
      text =
        `Approved because pull request ${trigger.pullRequestId} from ${trigger.sourceBranch} was merged into ` +
        `${trigger.destinationBranch}` +
        (trigger.mergeOption ? ` (${trigger.mergeOption})` : '') +
        (trigger.mergedBy ? ` by ${trigger.mergedBy}` : '') +
        `; its last commit ${commitId} trained this version.`;
      break;
    case 'push':
      text = `Approved because commit ${commitId} became the head of ${trigger.branch} (${trigger.referenceEvent}).`;
      break;
    case 'direct-invocation':
      text =
        `Approved by direct invocation (CI, facts from the payload) for commit ${commitId}` +
        (trigger.sourceBranch ? ` of branch ${trigger.sourceBranch}.` : '.');
      break;
  }
  if (note) text = `${text} ${note}`;
  return text.length <= DESCRIPTION_MAX ? text : `${text.slice(0, DESCRIPTION_MAX - 3)}...`;
}

/** Customer metadata keys and values: 1-128 / 0-256 characters of letters, digits, spaces and `_.:/=+-@`. */
const METADATA_VALUE_MAX = 256;
const METADATA_DISALLOWED = /[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu;

function metadataValue(value: string): string {
  return value.replace(METADATA_DISALLOWED, '_').slice(0, METADATA_VALUE_MAX);
}

/** The same facts as the approval description, as customer metadata (`release_*` keys). */
export function approvalMetadata(trigger: ReleaseTrigger, approvedAt: Date): Record<string, string> {
  const facts: Record<string, string | undefined> = { release_trigger: trigger.kind };
  if (trigger.kind === 'pull-request') {
    facts.release_pull_request_id = trigger.pullRequestId;
    facts.release_source_branch = trigger.sourceBranch;
    facts.release_destination_branch = trigger.destinationBranch;
    facts.release_merge_option = trigger.mergeOption;
    facts.release_merged_by = trigger.mergedBy;
    facts.release_event_id = trigger.eventId;
    facts.release_facts = 'codecommit';
  } else if (trigger.kind === 'push') {
    facts.release_branch = trigger.branch;
    facts.release_reference_event = trigger.referenceEvent;
    facts.release_event_id = trigger.eventId;
    facts.release_facts = 'event';
  } else {
    facts.release_source_branch = trigger.sourceBranch;
    // A direct invocation's facts are the caller's (the CI release role): recorded as such.
    facts.release_facts = 'direct-invocation-payload';
  }
  facts.release_approved_at = approvedAt.toISOString();
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(facts)) {
    if (value !== undefined && value !== '') metadata[key] = metadataValue(value);
  }
  return metadata;
}

export type ApprovalOutcome = 'approved' | 'already-approved';

/**
 * Approves a described version with the reasons, once: an Approved version is left as it is (no second update);
 * a Rejected one is never approved (ConflictError). The customer metadata sent is the version's own plus
 * the `release_*` facts, so the pipeline's keys stay whether the service merges or replaces them.
 */
export async function approveModelPackage(
  sagemaker: SageMakerClient,
  modelPackage: Pick<
    DescribeModelPackageCommandOutput,
    'ModelPackageArn' | 'ModelApprovalStatus' | 'CustomerMetadataProperties'
  >,
  trigger: ReleaseTrigger,
  options: { commitId: string; now: Date; note?: string; metadata?: Record<string, string> },
): Promise<ApprovalOutcome> {
  const arn = modelPackage.ModelPackageArn;
  if (arn === undefined) throw new Error('a described model package has no ModelPackageArn');
  if (modelPackage.ModelApprovalStatus === ModelApprovalStatus.APPROVED) return 'already-approved';
  if (modelPackage.ModelApprovalStatus === ModelApprovalStatus.REJECTED) {
    throw new ConflictError(
      `model version ${arn} for commit ${options.commitId} is Rejected: a rejected version is never approved ` +
        '(register a new version, or change its status by hand if the rejection was a mistake)',
    );
  }
  await sagemaker.send(
    new UpdateModelPackageCommand({
      ModelPackageArn: arn,
      ModelApprovalStatus: ModelApprovalStatus.APPROVED,
      ApprovalDescription: approvalDescription(trigger, options.commitId, options.note),
      CustomerMetadataProperties: {
        ...modelPackage.CustomerMetadataProperties,
        ...approvalMetadata(trigger, options.now),
        ...options.metadata,
      },
    }),
  );
  return 'approved';
}
