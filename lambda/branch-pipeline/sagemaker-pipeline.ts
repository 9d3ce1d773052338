/**
 * The branch's SageMaker pipeline, which the branch's builds create (it is not part of the branch stack): deleted
 * with the branch, only when its tags say it is this project's pipeline of this branch.
 */
import { DeletePipelineCommand, DescribePipelineCommand, paginateListTags } from '@aws-sdk/client-sagemaker';
import { RetryLaterError } from '../../contracts/errors';
import { isSageMakerConflict, isSageMakerNotFound } from '../../contracts/sdk-errors/sagemaker';
import {
  branchTagValue,
  legacyBranchNames,
  sageMakerPipelineName,
  TAG_BRANCH,
  TAG_PROJECT_ID,
} from '../../contracts/naming';
import { requestToken } from './stack-lookup';
import type { StackDeps } from './stacks';

/** deleted; absent: there is none; not-ours: one with the branch's name lacks this project's id tag, kept. */
export type SageMakerPipelineOutcome = 'deleted' | 'absent' | 'not-ours';

/**
 * Deletes the SageMaker pipeline that the branch's builds created (it is not part of the stack). Nothing else:
 * model packages, artifacts and experiments stay. A pipeline that is already gone is fine; one that lacks this
 * project's `sagemaker:project-id` tag is kept, with a warning. A pipeline with a running execution
 * (ConflictException) is a RetryLaterError.
 */
export async function deleteSageMakerPipeline(
  deps: StackDeps,
  branch: string,
  seed: string,
): Promise<SageMakerPipelineOutcome> {
  const legacy = legacyBranchNames(deps.config.projectName, branch);
  const candidates = [sageMakerPipelineName(deps.config.projectName, branch)];
  if (legacy !== undefined && legacy.sageMakerPipeline !== candidates[0]) candidates.push(legacy.sageMakerPipeline);
  let pipelineName = candidates[0]!;
  let pipelineArn: string | undefined;
  for (const candidate of candidates) {
    try {
      pipelineArn = (await deps.sagemaker.send(new DescribePipelineCommand({ PipelineName: candidate }))).PipelineArn;
    } catch (err) {
      if (!isSageMakerNotFound(err)) throw err;
    }
    if (pipelineArn !== undefined) {
      pipelineName = candidate;
      break;
    }
  }
  if (pipelineArn === undefined) {
    deps.logger.info('SageMaker pipeline is already gone', { pipelineName });
    return 'absent';
  }
  let projectId: string | undefined;
  let branchTag: string | undefined;
  for await (const page of paginateListTags({ client: deps.sagemaker }, { ResourceArn: pipelineArn })) {
    projectId ??= page.Tags?.find((tag) => tag.Key === TAG_PROJECT_ID)?.Value;
    branchTag ??= page.Tags?.find((tag) => tag.Key === TAG_BRANCH)?.Value;
  }
  if (projectId !== deps.config.projectId) {
    deps.logger.warn("SageMaker pipeline with the branch's name is not this project's: keeping it", {
      pipelineName,
      projectIdTag: projectId ?? null,
    });
    return 'not-ours';
  }
  // Issue 10, attack 12: the project tag alone does not say which branch a pipeline trains (hashed names can
  // collide); the branch tag must be this branch's (its value now, or before the 16-digit hash).
  const branchTags = [branchTagValue(branch), ...(legacy === undefined ? [] : [legacy.tag])];
  if (branchTag === undefined || !branchTags.includes(branchTag)) {
    deps.logger.warn("SageMaker pipeline with the branch's name is another branch's: keeping it", {
      pipelineName,
      branchTag: branchTag ?? null,
      expected: branchTags[0],
    });
    return 'not-ours';
  }
  try {
    await deps.sagemaker.send(
      new DeletePipelineCommand({
        PipelineName: pipelineName,
        ClientRequestToken: requestToken('delete-pipeline', seed, pipelineName),
      }),
    );
  } catch (err) {
    if (isSageMakerNotFound(err)) {
      deps.logger.info('SageMaker pipeline is already gone', { pipelineName });
      return 'absent';
    }
    if (isSageMakerConflict(err)) {
      throw new RetryLaterError(`SageMaker pipeline ${pipelineName} cannot be deleted yet: ${(err as Error).message}`);
    }
    throw err;
  }
  deps.logger.info('SageMaker pipeline deleted', { pipelineName });
  return 'deleted';
}
