/**
 * The report function's logic: for each pull request an event concerns, read the pull request's current source head
 * (events arrive late, twice or out of order: the report is rebuilt from the present state, never from the event),
 * collect the facts, render them and make the one report comment say so.
 *
 * - Pull request created / source branch updated: that pull request.
 * - Model package state change in one of the project's groups (tag `sagemaker:project-id`): the open pull requests
 *   into main whose source branch the version records (`branch` metadata = `branchTagValue(source branch)`).
 * - Pipeline execution status change: the open pull requests into main whose source branch's pipeline it is.
 */
import { CodeCommitClient } from '@aws-sdk/client-codecommit';
import { S3Client } from '@aws-sdk/client-s3';
import { DescribeModelPackageCommand, ListTagsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { describeError } from '../../contracts/errors';
import { isAccessDenied } from '../../contracts/sdk-errors/match';
import { isSageMakerNotFound } from '../../contracts/sdk-errors/sagemaker';
import { Logger } from '../shared/logger';
import {
  branchFromRef,
  branchTagValue,
  isUnderPrefix,
  sageMakerPipelineName,
  TAG_PROJECT_ID,
} from '../../contracts/naming';
import { collectReport } from './collect';
import {
  CommentOutcome,
  getPullRequest,
  listOpenPullRequests,
  PullRequestFacts,
  upsertReportComment,
} from './comments';
import { PrReportConfig } from './config';
import { renderReport } from './render';
import { ReportRequest, routeEvent } from './route';

export interface PrReportDeps {
  readonly config: PrReportConfig;
  readonly codecommit: CodeCommitClient;
  readonly sagemaker: SageMakerClient;
  readonly s3: S3Client;
  /** The caller's own ARN (STS GetCallerIdentity): the author of the comments it may edit. */
  readonly authorArn: () => Promise<string>;
  readonly logger: Logger;
}

export interface PrReportResult {
  readonly outcome: 'reported' | 'ignored';
  readonly message: string;
  readonly comments: readonly {
    pullRequestId: string;
    commentId: string;
    outcome: CommentOutcome;
    headCommit: string;
  }[];
}

/** Whether the report covers this pull request now: open, into main, from a branch under the prefix. */
function reportable(pr: PullRequestFacts, config: PrReportConfig): string | undefined {
  if (pr.status !== 'OPEN') return `pull request ${pr.pullRequestId} is ${pr.status}`;
  if (branchFromRef(pr.destinationReference) !== config.mainBranch) {
    return `pull request ${pr.pullRequestId} targets ${pr.destinationReference}`;
  }
  const source = branchFromRef(pr.sourceReference);
  if (source === undefined || !isUnderPrefix(source, config.branchPrefix)) {
    return `pull request ${pr.pullRequestId} comes from ${pr.sourceReference}, not a branch under ${config.branchPrefix}`;
  }
  return undefined;
}

async function pullRequestsOf(request: Exclude<ReportRequest, { action: 'ignore' }>, deps: PrReportDeps) {
  const { config, codecommit, sagemaker } = deps;
  if (request.action === 'pull-request') {
    return [await getPullRequest(codecommit, request.pullRequestId, config.repositoryName)];
  }
  const open = (await listOpenPullRequests(codecommit, config.repositoryName)).filter(
    (pr) => reportable(pr, config) === undefined,
  );
  const branchOf = (pr: PullRequestFacts) => branchFromRef(pr.sourceReference) as string;
  if (request.action === 'pipeline') {
    // SageMaker lower-cases pipeline names in ARNs.
    const wanted = request.pipelineName.toLowerCase();
    return open.filter((pr) => sageMakerPipelineName(config.projectName, branchOf(pr)).toLowerCase() === wanted);
  }
  const groupArn = request.modelPackageArn.replace(/:model-package\/([^/]+)\/\d+$/, ':model-package-group/$1');
  let tags;
  try {
    tags = await sagemaker.send(new ListTagsCommand({ ResourceArn: groupArn }));
  } catch (err) {
    if (isSageMakerNotFound(err)) return 'not-mine'; // the group is gone (or never existed): nothing to report
    if (isAccessDenied(err)) return 'not-mine'; // tags readable on this project's groups only: another project's
    throw err;
  }
  if (!(tags.Tags ?? []).some((t) => t.Key === TAG_PROJECT_ID && t.Value === config.projectId)) return 'not-mine';
  let recorded: string | undefined;
  try {
    const pkg = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: request.modelPackageArn }));
    recorded = pkg.CustomerMetadataProperties?.branch;
  } catch (err) {
    if (isSageMakerNotFound(err)) return [];
    throw err;
  }
  return recorded === undefined ? [] : open.filter((pr) => branchTagValue(branchOf(pr)) === recorded);
}

export async function handlePrReportEvent(event: unknown, deps: PrReportDeps): Promise<PrReportResult> {
  const request = routeEvent(event, deps.config);
  const log = request.action === 'ignore' ? deps.logger : deps.logger.child({ eventId: request.eventId });
  if (request.action === 'ignore') {
    log.info(request.reason, { outcome: 'ignored' });
    return { outcome: 'ignored', message: request.reason, comments: [] };
  }
  const pullRequests = await pullRequestsOf(request, deps);
  if (pullRequests === 'not-mine') {
    const group = request.action === 'model-package' ? request.group : '';
    const message = `model package group ${group} does not exist or is not tagged with this project's id`;
    log.info(message, { outcome: 'ignored' });
    return { outcome: 'ignored', message, comments: [] };
  }
  const comments: PrReportResult['comments'][number][] = [];
  const skipped: string[] = [];
  for (const pr of pullRequests) {
    const why = reportable(pr, deps.config);
    if (why !== undefined) {
      skipped.push(why);
      continue;
    }
    const branch = branchFromRef(pr.sourceReference) as string;
    const prLog = log.child({ pullRequestId: pr.pullRequestId, branch, commit: pr.sourceCommit });
    try {
      const report = await collectReport(deps, {
        projectName: deps.config.projectName,
        projectId: deps.config.projectId,
        region: deps.config.region,
        branch,
        headCommit: pr.sourceCommit,
        artifactBucket: deps.config.artifactBucket,
      });
      const content = renderReport(report);
      const result = await upsertReportComment(deps.codecommit, pr, await deps.authorArn(), content);
      comments.push({ pullRequestId: pr.pullRequestId, headCommit: pr.sourceCommit, ...result });
      prLog.info(`report comment ${result.outcome}`, { commentId: result.commentId, length: content.length });
    } catch (err) {
      prLog.error(`report failed: ${describeError(err).message}`, { error: describeError(err) });
      throw err;
    }
  }
  const message =
    comments.length === 0
      ? `no pull request to report on${skipped.length > 0 ? ` (${skipped.join('; ')})` : ''}`
      : comments.map((c) => `pull request ${c.pullRequestId}: comment ${c.commentId} ${c.outcome}`).join('; ');
  log.info(message, { outcome: comments.length === 0 ? 'ignored' : 'reported' });
  return { outcome: comments.length === 0 ? 'ignored' : 'reported', message, comments };
}
