/**
 * The deploy function's logic: on an Approved or Rejected state change of a served project's group, re-resolve the
 * model's current version from the registry, make its artifact servable under a key of its own, point the model's
 * SSM parameter at it, and prune old keys. Every step converges on the registry's state, so repeated, reordered or
 * delayed events leave the same result, and nothing the endpoint or its clients may still need is deleted.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describeError } from '../../contracts/errors';
import { Logger } from '../shared/logger';
import { deleteServed, ensureServed, listServed, ServeOutcome } from './artifacts';
import { DeployConfig, ServedProject } from './config';
import { approvedVersions, projectOfGroup } from './registry';
import { keysToPrune, parameterName, resolveCurrent, targetModel } from './resolve';
import { routeEvent } from './route';
import { isParameterNotFound } from '../../contracts/sdk-errors/ssm';

export interface DeployDeps {
  readonly config: DeployConfig;
  readonly sagemaker: SageMakerClient;
  readonly s3: S3Client;
  readonly ssm: SSMClient;
  readonly logger: Logger;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

export type DeployResult =
  | { readonly outcome: 'ignored'; readonly reason: string }
  | {
      readonly outcome: 'promoted' | 'unchanged' | 'withdrawn' | 'nothing-approved';
      readonly project: string;
      readonly modelPackageGroupName: string;
      readonly parameterName: string;
      /** The TargetModel clients now use; undefined when nothing is served. */
      readonly targetModel?: string;
      readonly modelPackageArn?: string;
      readonly modelPackageVersion?: number;
      readonly artifact?: ServeOutcome;
      /** Approved versions newer than the served one that wait for the stage delay. */
      readonly waiting: readonly number[];
      readonly pruned: readonly string[];
    };

async function readParameter(ssm: SSMClient, name: string): Promise<string | undefined> {
  try {
    const result = await ssm.send(new GetParameterCommand({ Name: name }));
    return result.Parameter?.Value;
  } catch (err) {
    if (isParameterNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * Group membership (contract 1). In the stage's own account, the group's `sagemaker:project-id` tag decides. A group
 * in another account cannot be read for tags (ListTags is not among the actions a model package group resource
 * policy grants): there only the group the registry's project template created and tagged, `model-<project>`, is
 * accepted, and the registry side shares and forwards no other (docs/serving.md).
 */
async function servedProjectOf(
  deps: DeployDeps,
  groupName: string,
  groupArn: string,
  candidates: readonly ServedProject[],
): Promise<ServedProject | undefined> {
  if (deps.config.registryAccount === deps.config.ownAccount) {
    return projectOfGroup(deps.sagemaker, groupArn, candidates);
  }
  return candidates.find((p) => groupName === `model-${p.name}`);
}

export async function handleDeployEvent(event: unknown, deps: DeployDeps): Promise<DeployResult> {
  const { config } = deps;
  const request = routeEvent(event, config);
  if (request.action === 'ignore') {
    deps.logger.info('event ignored', { reason: request.reason });
    return { outcome: 'ignored', reason: request.reason };
  }
  const logger = deps.logger.child({
    eventId: request.eventId,
    modelPackageGroupName: request.groupName,
    eventStatus: request.status,
    eventVersion: request.version,
  });
  const project = await servedProjectOf(deps, request.groupName, request.groupArn, request.candidates);
  if (project === undefined) {
    const reason = `group ${request.groupName} does not carry the sagemaker:project-id of a served project (${request.candidates.map((p) => `${p.name}=${p.id}`).join(', ')})`;
    logger.warn('event ignored', { reason });
    return { outcome: 'ignored', reason };
  }

  const { versions, skipped } = await approvedVersions(deps.sagemaker, request.groupArn);
  for (const s of skipped) logger.error('approved version not servable', s);
  const now = deps.now?.() ?? new Date();
  const resolution = resolveCurrent(versions, now, config.delaySeconds);
  const waiting = resolution.waiting.map((v) => v.version);
  if (waiting.length > 0)
    logger.info('versions wait for the stage delay', { waiting, delaySeconds: config.delaySeconds });

  const name = parameterName(config.parameterPrefix, project.name, request.groupName);
  const folder = `${config.servingPrefix}${project.name}/${request.groupName}/`;
  const previous = await readParameter(deps.ssm, name);
  const base = {
    project: project.name,
    modelPackageGroupName: request.groupName,
    parameterName: name,
    waiting,
  };

  const current = resolution.current;
  if (current === undefined) {
    // Nothing Approved is eligible: stop pointing clients at a version that no longer is. Artifacts stay.
    if (previous !== undefined) {
      await deps.ssm.send(new DeleteParameterCommand({ Name: name }));
      logger.warn('no approved version left: parameter removed', { parameterName: name, previous });
      return { ...base, outcome: 'withdrawn', pruned: [] };
    }
    return { ...base, outcome: 'nothing-approved', pruned: [] };
  }

  const target = targetModel(project.name, request.groupName, current.version);
  const served = await ensureServed(deps.s3, config.servingBucket, `${config.servingPrefix}${target}`, current);
  let outcome: 'promoted' | 'unchanged' = 'unchanged';
  if (previous !== target) {
    await deps.ssm.send(
      new PutParameterCommand({
        Name: name,
        Value: target,
        Type: 'String',
        Overwrite: true,
        Description:
          `Current TargetModel of ${request.groupName} in stage ${config.stageName}: version ${current.version} (${current.arn})`.slice(
            0,
            1024,
          ),
      }),
    );
    outcome = 'promoted';
    logger.info('model promoted', { parameterName: name, previous, targetModel: target, modelPackageArn: current.arn });
  }

  let pruned: string[] = [];
  try {
    pruned = keysToPrune({
      servedKeys: await listServed(deps.s3, config.servingBucket, folder),
      folder,
      ranked: resolution.ranked,
      retain: config.retainArtifacts,
      keep: [
        `${config.servingPrefix}${target}`,
        previous === undefined ? undefined : `${config.servingPrefix}${previous}`,
      ],
    });
    await deleteServed(deps.s3, config.servingBucket, pruned);
  } catch (err) {
    // Pruning is housekeeping: the next event retries it; serving already converged.
    logger.warn('pruning failed', { error: describeError(err) });
  }
  return {
    ...base,
    outcome,
    targetModel: target,
    modelPackageArn: current.arn,
    modelPackageVersion: current.version,
    artifact: served.outcome,
    pruned,
  };
}
