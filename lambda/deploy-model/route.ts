/**
 * What a "SageMaker Model Package State Change" asks of a stage's deploy function, decided at the door: the group
 * to re-resolve and the served projects it may belong to, or why the event is ignored. Group names never prove
 * membership (contract 1): the candidates found here are confirmed by the group's `sagemaker:project-id` tag.
 */
import { DETAIL_TYPES, detailTypeOf, modelPackageStateChangeSchema, parseOrThrow } from '../../contracts/events';
import { APPROVED, REJECTED } from './resolve';
import { DeployConfig, ServedProject } from './config';

export type DeployRequest =
  | {
      readonly action: 'resolve';
      readonly eventId: string;
      readonly groupName: string;
      /** arn:<partition>:sagemaker:<region>:<registry account>:model-package-group/<name> */
      readonly groupArn: string;
      readonly status: string;
      readonly version?: number;
      /** Served projects whose name the group name extends; the tag decides which, if any, it is. */
      readonly candidates: readonly ServedProject[];
    }
  | { readonly action: 'ignore'; readonly reason: string };

const MODEL_PACKAGE_ARN = /^arn:(aws[a-z-]*):sagemaker:([a-z0-9-]+):(\d{12}):model-package\/([^/]+)\/(\d+)$/;

/** Served projects whose group naming (`model-<project>`, `model-<project>-<name>`) fits `groupName`. */
export function candidateProjects(groupName: string, projects: readonly ServedProject[]): ServedProject[] {
  return projects.filter((p) => groupName === `model-${p.name}` || groupName.startsWith(`model-${p.name}-`));
}

export function routeEvent(event: unknown, config: DeployConfig): DeployRequest {
  const detailType = detailTypeOf(event);
  if (detailType !== DETAIL_TYPES.modelPackageStateChange) {
    return { action: 'ignore', reason: `events of detail-type ${JSON.stringify(detailType)} are not handled` };
  }
  const parsed = parseOrThrow(modelPackageStateChangeSchema, event, 'model package state change event');
  const { detail } = parsed;
  const status = detail.ModelApprovalStatus ?? '';
  if (status !== APPROVED && status !== REJECTED) {
    return { action: 'ignore', reason: `approval status ${JSON.stringify(status)} changes nothing served` };
  }
  if (parsed.account !== config.registryAccount) {
    return {
      action: 'ignore',
      reason: `event of account ${parsed.account}, not the registry account ${config.registryAccount}`,
    };
  }
  const arn = MODEL_PACKAGE_ARN.exec(detail.ModelPackageArn);
  if (arn === null || arn[3] !== config.registryAccount || arn[4] !== detail.ModelPackageGroupName) {
    return {
      action: 'ignore',
      reason: `ModelPackageArn ${detail.ModelPackageArn} is not a version of group ${detail.ModelPackageGroupName} in the registry account`,
    };
  }
  const candidates = candidateProjects(detail.ModelPackageGroupName, config.projects);
  if (candidates.length === 0) {
    return { action: 'ignore', reason: `group ${detail.ModelPackageGroupName} is named after no served project` };
  }
  const [, partition, region, account, group] = arn;
  return {
    action: 'resolve',
    eventId: parsed.id,
    groupName: detail.ModelPackageGroupName,
    groupArn: `arn:${partition}:sagemaker:${region}:${account}:model-package-group/${group}`,
    status,
    version: detail.ModelPackageVersion,
    candidates,
  };
}
