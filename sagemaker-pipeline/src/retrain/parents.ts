/** Choosing a tuned model's warm-start parents from the registry: the latest Approved versions' tuning jobs. */
import {
  DescribeHyperParameterTuningJobCommand,
  DescribeHyperParameterTuningJobResponse,
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  ListTagsCommand,
  ModelApprovalStatus,
  SageMakerClient,
  paginateListModelPackages,
} from '@aws-sdk/client-sagemaker';
import { isAccessDenied } from '../../../contracts/sdk-errors/match';
import { isSageMakerNotFound } from '../../../contracts/sdk-errors/sagemaker';
import { MODEL_METADATA } from '../../../contracts/model-metadata';
import { TAG_PROJECT_ID } from '../../../contracts/naming';
import { WARM_START_LIMITS, WarmStart } from './settings';
import { TunedModelPlan, incompatibility, literal, trainingJobsOf } from './tuning';

export interface RunFacts {
  /** The commit this run trains. */
  readonly commit: string;
  /** The run's window when the definition's data depends on it (a windowed SQL source); else undefined. */
  readonly window?: { readonly start: string; readonly end: string };
  /** The project's id: a group is read only when its sagemaker:project-id tag is this. */
  readonly projectId?: string;
  readonly maxParents: number;
}

/** SageMaker's HyperParameterTuningJobName pattern (1 to 32 characters). */
const TUNING_JOB_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}$/;

/** Versions described at most per model (the latest Approved first). */
export const MAX_VERSIONS_INSPECTED = 25;

/** Metadata values are at most 256 characters; the reason goes into `warm_start: cold: <reason>`. */
const MAX_REASON = 240;

export const cold = (reason: string): WarmStart => ({
  cold: reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 3)}...` : reason,
});

interface Candidate {
  readonly version: number | undefined;
  readonly job: DescribeHyperParameterTuningJobResponse;
  readonly sameData: boolean;
}

/** The warm start of one tuned model, and notes on each version passed over. */
export async function chooseWarmStart(
  sagemaker: SageMakerClient,
  plan: TunedModelPlan,
  facts: RunFacts,
): Promise<{ warmStart: WarmStart; notes: string[] }> {
  const notes: string[] = [];
  let groupArn: string | undefined;
  try {
    const group = await sagemaker.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: plan.groupName }));
    groupArn = group.ModelPackageGroupArn;
  } catch (err) {
    // The build reads only its project's groups (or untagged ones): refused means another project's group.
    if (isAccessDenied(err)) {
      return { warmStart: cold(`group ${plan.groupName} is not this project's (its tags are not readable)`), notes };
    }
    if (!isSageMakerNotFound(err)) throw err;
    return { warmStart: cold(`first run: model package group ${plan.groupName} does not exist yet`), notes };
  }
  if (facts.projectId === undefined) {
    return {
      warmStart: cold(`project id unknown (PROJECT_ID): cannot check that ${plan.groupName} is this project's`),
      notes,
    };
  }
  const tags = await sagemaker.send(new ListTagsCommand({ ResourceArn: groupArn }));
  const owner = tags.Tags?.find((t) => t.Key === TAG_PROJECT_ID)?.Value;
  if (owner !== facts.projectId) {
    return {
      warmStart: cold(
        `group ${plan.groupName} is not this project's (${TAG_PROJECT_ID} ${JSON.stringify(owner ?? null)})`,
      ),
      notes,
    };
  }

  const request = plan.request;
  const newImage = literal(request.TrainingJobDefinition?.AlgorithmSpecification?.TrainingImage);
  const newParallel = request.HyperParameterTuningJobConfig?.ResourceLimits?.MaxParallelTrainingJobs;
  const newMax = Number(request.HyperParameterTuningJobConfig?.ResourceLimits?.MaxNumberOfTrainingJobs ?? 0) || 0;
  const candidates: Candidate[] = [];
  const seenJobs = new Set<string>();
  let approved = 0;
  let inspected = 0;
  const pages = paginateListModelPackages(
    { client: sagemaker, pageSize: 20 },
    {
      ModelPackageGroupName: plan.groupName,
      ModelApprovalStatus: ModelApprovalStatus.APPROVED,
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
    },
  );
  scan: for await (const page of pages) {
    for (const summary of page.ModelPackageSummaryList ?? []) {
      if (candidates.length >= facts.maxParents || inspected >= MAX_VERSIONS_INSPECTED) break scan;
      if (summary.ModelApprovalStatus !== ModelApprovalStatus.APPROVED || summary.ModelPackageArn === undefined)
        continue;
      approved += 1;
      inspected += 1;
      const label = `version ${summary.ModelPackageVersion ?? summary.ModelPackageArn}`;
      const pkg = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: summary.ModelPackageArn }));
      const meta = pkg.CustomerMetadataProperties ?? {};
      if (meta[MODEL_METADATA.testMode] === 'true') {
        notes.push(`${label}: trained in test mode, never a parent`);
        continue;
      }
      const jobName = meta[MODEL_METADATA.tuningJob];
      if (jobName === undefined || jobName === '') {
        notes.push(`${label}: records no tuning_job (not tuned)`);
        continue;
      }
      if (!TUNING_JOB_NAME.test(jobName)) {
        notes.push(`${label}: records tuning_job ${JSON.stringify(jobName.slice(0, 64))}, not a tuning job name`);
        continue;
      }
      if (seenJobs.has(jobName)) continue;
      seenJobs.add(jobName);
      let job: DescribeHyperParameterTuningJobResponse;
      try {
        job = await sagemaker.send(
          new DescribeHyperParameterTuningJobCommand({ HyperParameterTuningJobName: jobName }),
        );
      } catch (err) {
        if (isAccessDenied(err)) {
          // The build reads only tuning jobs tagged with its project id (the definition's Tuning steps set it).
          notes.push(`${label}: tuning job ${jobName} is not this project's`);
          continue;
        }
        if (!isSageMakerNotFound(err)) throw err;
        notes.push(`${label}: tuning job ${jobName} does not exist`);
        continue;
      }
      const why = incompatibility(job, request);
      if (why !== undefined) {
        notes.push(`${label}: ${why}`);
        continue;
      }
      const parentWindow =
        meta.window_start !== undefined || meta.window_end !== undefined
          ? { start: meta.window_start, end: meta.window_end }
          : undefined;
      const sameWindow =
        facts.window === undefined ||
        (parentWindow?.start === facts.window.start && parentWindow.end === facts.window.end);
      const parentLimits = job.HyperParameterTuningJobConfig?.ResourceLimits;
      const sameData =
        meta[MODEL_METADATA.commitId] === facts.commit &&
        sameWindow &&
        newImage !== undefined &&
        job.TrainingJobDefinition?.AlgorithmSpecification?.TrainingImage === newImage &&
        parentLimits?.MaxParallelTrainingJobs === newParallel;
      candidates.push({ version: summary.ModelPackageVersion, job, sameData });
    }
  }

  // The parents' training jobs and the new job's maximum must fit SageMaker's 500: drop the oldest parents.
  while (
    candidates.length > 0 &&
    candidates.reduce((n, c) => n + trainingJobsOf(c.job), 0) + newMax > WARM_START_LIMITS.maxTrainingJobs
  ) {
    const dropped = candidates.pop();
    notes.push(
      `tuning job ${dropped?.job.HyperParameterTuningJobName}: over the ${WARM_START_LIMITS.maxTrainingJobs} training jobs of a warm start`,
    );
  }
  if (candidates.length === 0) {
    if (approved === 0) return { warmStart: cold(`first run: no Approved version in ${plan.groupName}`), notes };
    return { warmStart: cold(`no warm-startable parent: ${notes.join('; ')}`), notes };
  }
  return {
    warmStart: {
      parents: candidates.map((c) => c.job.HyperParameterTuningJobName ?? ''),
      type: candidates.every((c) => c.sameData) ? 'IdenticalDataAndAlgorithm' : 'TransferLearning',
    },
    notes,
  };
}
