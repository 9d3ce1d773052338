/**
 * What an incoming event asks of the report function, decided at the door with the schemas of AWS's documented
 * samples. Reported on: a pull request into the main branch from a branch under the prefix, when created or when
 * its source branch is updated; a model package state change in a group named like this project's; a status change
 * of a pipeline execution. Everything else, comment events included (no loop), is ignored with the reason.
 */
import {
  DETAIL_TYPES,
  detailTypeOf,
  modelPackageStateChangeSchema,
  parseOrThrow,
  pipelineExecutionStatusChangeSchema,
  pullRequestNotIntoMain,
  pullRequestStateChangeSchema,
} from '../../contracts/events';
import { branchFromRef, isUnderPrefix } from '../../contracts/naming';
import { PrReportConfig } from './config';

export const PULL_REQUEST_EVENTS = ['pullRequestCreated', 'pullRequestSourceBranchUpdated'] as const;
/** Execution statuses that change what the report says (running, failed, stopped; success registers a version). */
export const REPORTED_EXECUTION_STATUSES = ['Executing', 'Failed', 'Stopped'] as const;

/** A version of `group` changed state: its branch's pull requests are reported on again. */
export interface ModelPackageReportRequest {
  readonly action: 'model-package';
  readonly modelPackageArn: string;
  readonly group: string;
  readonly eventId: string;
}

export type ReportRequest =
  | { readonly action: 'pull-request'; readonly pullRequestId: string; readonly eventId: string }
  | ModelPackageReportRequest
  | { readonly action: 'pipeline'; readonly pipelineName: string; readonly eventId: string }
  | { readonly action: 'ignore'; readonly reason: string };

const ignore = (reason: string): ReportRequest => ({ action: 'ignore', reason });

export function routeEvent(event: unknown, config: PrReportConfig): ReportRequest {
  const detailType = detailTypeOf(event);
  switch (detailType) {
    case DETAIL_TYPES.pullRequestStateChange: {
      const { id, detail } = parseOrThrow(pullRequestStateChangeSchema, event, 'pull request state change event');
      const elsewhere = pullRequestNotIntoMain(detail, config.repositoryName, config.mainBranch);
      if (elsewhere !== undefined) return ignore(elsewhere);
      if (!(PULL_REQUEST_EVENTS as readonly string[]).includes(detail.event)) {
        return ignore(`pull request event ${detail.event} changes no report`);
      }
      const source = branchFromRef(detail.sourceReference);
      if (source === undefined || !isUnderPrefix(source, config.branchPrefix)) {
        return ignore(`source ${detail.sourceReference} is not a branch under ${config.branchPrefix}`);
      }
      return { action: 'pull-request', pullRequestId: detail.pullRequestId, eventId: id };
    }
    case DETAIL_TYPES.modelPackageStateChange: {
      const { id, detail } = parseOrThrow(modelPackageStateChangeSchema, event, 'model package state change event');
      const base = `model-${config.projectName}`;
      const group = detail.ModelPackageGroupName;
      if (group !== base && !group.startsWith(`${base}-`)) {
        return ignore(`model package group ${group} is not named like a group of project ${config.projectName}`);
      }
      return { action: 'model-package', modelPackageArn: detail.ModelPackageArn, group, eventId: id };
    }
    case DETAIL_TYPES.pipelineExecutionStatusChange: {
      const { id, detail } = parseOrThrow(
        pipelineExecutionStatusChangeSchema,
        event,
        'pipeline execution status change event',
      );
      if (!(REPORTED_EXECUTION_STATUSES as readonly string[]).includes(detail.currentPipelineExecutionStatus)) {
        return ignore(`pipeline execution status ${detail.currentPipelineExecutionStatus} changes no report`);
      }
      const pipelineName = detail.pipelineArn.split('/').pop() as string;
      // SageMaker pipeline names are case-insensitive (ARNs are lower case); project names are lower case.
      if (!pipelineName.toLowerCase().startsWith(`${config.projectName.toLowerCase()}-`)) {
        return ignore(`pipeline ${pipelineName} is not named like a pipeline of project ${config.projectName}`);
      }
      return { action: 'pipeline', pipelineName, eventId: id };
    }
    default:
      return ignore(`events of detail-type ${JSON.stringify(detailType ?? '(none)')} are not handled`);
  }
}
