/**
 * The model registry side of a release: find the newest model version trained from a commit, and approve it.
 *
 * Lookup, with few calls whatever the group's size: list the group newest first, 100 versions a page, and match the
 * `commit <40-hex id>` that the register step writes at the start of ModelPackageDescription (the metadata contract
 * in docs/design.md); confirm the first match with one DescribeModelPackage (MetadataProperties.CommitId and the
 * `commit_id` customer metadata). A version among the 100 newest costs 2 calls; an older one one more list call per
 * 100 versions. Versions without the contract's metadata are skipped, never fatal. Only a Completed version is ever
 * approved: SageMaker reports a version's state changes while it is Pending and InProgress too, and a Failed one
 * has no usable model; such versions are skipped (the newest one still being created is reported as `inProgress`).
 */
import {
  DescribeModelPackageCommand,
  DescribeModelPackageCommandOutput,
  ListModelPackagesCommand,
  ModelApprovalStatus,
  ModelPackageStatus,
  SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { ConflictError } from '../shared/errors';
import { COMMIT_ID_PATTERN } from '../shared/events';
import { Logger } from '../shared/logger';

/** ListModelPackages' largest page. */
export const LIST_PAGE_SIZE = 100;

const DESCRIPTION_COMMIT = /^commit ([0-9a-f]{40})(?=\s|$)/;

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

export interface LookupResult {
  /**
   * The newest Completed version of the group trained from the commit, as described; undefined when there is none.
   * Versions still being created (Pending, InProgress) are never returned here; Failed ones are skipped.
   */
  readonly modelPackage?: DescribeModelPackageCommandOutput;
  /** The newest version of the commit still being created (Pending, InProgress) that is newer than `modelPackage`. */
  readonly inProgress?: DescribeModelPackageCommandOutput;
  /** SageMaker API calls the lookup made (lists and describes). */
  readonly apiCalls: number;
  /** Versions listed before the lookup stopped. */
  readonly versionsScanned: number;
}

export interface LookupOptions {
  readonly modelPackageGroupName: string;
  readonly commitId: string;
  /** Only versions created after this instant (a re-check after a miss). @default - every version of the group */
  readonly createdAfter?: Date;
  /** Page size of ListModelPackages. @default LIST_PAGE_SIZE */
  readonly pageSize?: number;
}

/** The newest version in the group whose commit is exactly `commitId`, or none; see the module comment. */
export async function findNewestVersionForCommit(
  sagemaker: SageMakerClient,
  options: LookupOptions,
  logger: Logger,
): Promise<LookupResult> {
  const { modelPackageGroupName, commitId } = options;
  let apiCalls = 0;
  let versionsScanned = 0;
  let nextToken: string | undefined;
  let inProgress: DescribeModelPackageCommandOutput | undefined;
  do {
    const page = await sagemaker.send(
      new ListModelPackagesCommand({
        ModelPackageGroupName: modelPackageGroupName,
        SortBy: 'CreationTime',
        SortOrder: 'Descending',
        MaxResults: options.pageSize ?? LIST_PAGE_SIZE,
        CreationTimeAfter: options.createdAfter,
        NextToken: nextToken,
      }),
    );
    apiCalls += 1;
    for (const summary of page.ModelPackageSummaryList ?? []) {
      versionsScanned += 1;
      if (summary.ModelPackageArn === undefined) continue;
      if (commitFromDescription(summary.ModelPackageDescription) !== commitId) continue;
      const described = await sagemaker.send(
        new DescribeModelPackageCommand({ ModelPackageName: summary.ModelPackageArn }),
      );
      apiCalls += 1;
      if (described.ModelPackageGroupName !== modelPackageGroupName) {
        logger.warn('skipped a version listed for the group that describes as another group', {
          modelPackageArn: summary.ModelPackageArn,
          modelPackageGroupName: described.ModelPackageGroupName,
        });
        continue;
      }
      const commit = commitOfPackage(described);
      if (!('commitId' in commit) || commit.commitId !== commitId) {
        logger.warn('skipped a version whose description names the commit but whose metadata does not confirm it', {
          modelPackageArn: summary.ModelPackageArn,
          reason:
            'problem' in commit ? `the version ${commit.problem}` : `its metadata names commit ${commit.commitId}`,
        });
        continue;
      }
      if (described.ModelPackageStatus === ModelPackageStatus.COMPLETED) {
        return { modelPackage: described, inProgress, apiCalls, versionsScanned };
      }
      if (
        described.ModelPackageStatus === ModelPackageStatus.PENDING ||
        described.ModelPackageStatus === ModelPackageStatus.IN_PROGRESS
      ) {
        // Still being created: never approved now; its Completed state change approves it if a merge waits.
        logger.info('a version of the commit is still being created: not approved before it is Completed', {
          modelPackageArn: summary.ModelPackageArn,
          modelPackageStatus: described.ModelPackageStatus,
        });
        inProgress ??= described;
        continue;
      }
      logger.warn(`skipped a version of the commit whose status is ${described.ModelPackageStatus ?? '(none)'}`, {
        modelPackageArn: summary.ModelPackageArn,
        modelPackageStatus: described.ModelPackageStatus,
      });
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return { inProgress, apiCalls, versionsScanned };
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
  | { readonly kind: 'direct-invocation' };

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
      text = `Approved by direct invocation for commit ${commitId}.`;
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
  } else if (trigger.kind === 'push') {
    facts.release_branch = trigger.branch;
    facts.release_reference_event = trigger.referenceEvent;
    facts.release_event_id = trigger.eventId;
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
  options: { commitId: string; now: Date; note?: string },
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
      },
    }),
  );
  return 'approved';
}
