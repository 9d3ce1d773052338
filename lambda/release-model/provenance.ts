/**
 * Provenance of a model version, from SageMaker's own records, never from what the version says of itself:
 *
 * 1. the group is this project's: its `sagemaker:project-id` tag is the project id (ListTags; names prove nothing);
 * 2. the version names a pipeline execution (`pipeline_execution_id`, or the id at the end of
 *    `pipeline_execution_arn`), which SageMaker knows (DescribePipelineExecution) and whose pipeline carries the
 *    project id tag (ListTags);
 * 3. that execution's RegisterModel step created exactly this version (ListPipelineExecutionSteps:
 *    `Metadata.RegisterModel.Arn`). A version created by hand, or by another execution that copied the metadata, fails
 *    here, whatever its metadata claims.
 *
 * The verified pipeline name is what the merge path compares with the source branch's pipeline,
 * `sageMakerPipelineName(project, sourceBranch)`.
 */
import {
  DescribeModelPackageCommandOutput,
  DescribePipelineExecutionCommand,
  ListPipelineExecutionStepsCommand,
  ListTagsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { isAccessDenied } from '../../contracts/sdk-errors/match';
import { isSageMakerNotFound } from '../../contracts/sdk-errors/sagemaker';
import { branchTagValue, sageMakerPipelineName, TAG_PROJECT_ID } from '../../contracts/naming';
import { commitOfPackage } from './registry';

export type Verified<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

/** SageMaker actions of this module (all read-only). */
export const PROVENANCE_ACTIONS = {
  /** On the groups and pipelines (scoped by the project id tag). */
  tags: ['sagemaker:ListTags'],
  /** On pipeline executions (no condition key). */
  executions: ['sagemaker:DescribePipelineExecution', 'sagemaker:ListPipelineExecutionSteps'],
};

/** `arn:…:model-package/<group>/<n>` → `arn:…:model-package-group/<group>`. */
export function groupArnOf(modelPackageArn: string): string | undefined {
  const match = /^(arn:[^:]+:sagemaker:[^:]*:\d{12}:)model-package\/([^/]+)\/\d+$/.exec(modelPackageArn);
  return match ? `${match[1]}model-package-group/${match[2]}` : undefined;
}

/** Marks a resource whose tags IAM refuses to read: the role reads only its project's (another project's, then). */
const ANOTHER_PROJECT = '(another project: tags not readable with this role)';

async function projectIdTag(sagemaker: SageMakerClient, resourceArn: string): Promise<string | undefined> {
  let token: string | undefined;
  do {
    let page;
    try {
      page = await sagemaker.send(new ListTagsCommand({ ResourceArn: resourceArn, NextToken: token }));
    } catch (err) {
      if (isAccessDenied(err)) return ANOTHER_PROJECT;
      throw err;
    }
    const tag = (page.Tags ?? []).find((t) => t.Key === TAG_PROJECT_ID);
    if (tag) return tag.Value;
    token = page.NextToken;
  } while (token);
  return undefined;
}

/** Whether the group of `modelPackageArn` carries this project's id (contract 1). */
export async function verifyGroup(
  sagemaker: SageMakerClient,
  modelPackageArn: string,
  projectId: string,
): Promise<Verified<string>> {
  const groupArn = groupArnOf(modelPackageArn);
  if (groupArn === undefined) return { ok: false, problem: `${modelPackageArn} is not a versioned model package ARN` };
  const tag = await projectIdTag(sagemaker, groupArn);
  if (tag !== projectId) {
    return {
      ok: false,
      problem: `its group ${groupArn} has ${TAG_PROJECT_ID} ${tag === undefined ? '(none)' : JSON.stringify(tag)}, not this project's ${projectId}`,
    };
  }
  return { ok: true, value: groupArn };
}

export interface Provenance {
  readonly commitId: string;
  /** Lower case, as in the execution's PipelineArn. */
  readonly pipelineName: string;
  readonly pipelineExecutionArn: string;
}

/** The execution ARN a version names: `pipeline_execution_arn`, or built from `pipeline_execution_id` and its branch. */
function claimedExecutionArn(pkg: DescribeModelPackageCommandOutput, projectName: string): string | undefined {
  const metadata = pkg.CustomerMetadataProperties ?? {};
  const fromArn = metadata.pipeline_execution_arn;
  const id = metadata.pipeline_execution_id;
  if (fromArn !== undefined && /^arn:[^:]+:sagemaker:[^:]*:\d{12}:pipeline\/[^/]+\/execution\/[^/]+$/.test(fromArn)) {
    if (id === undefined || fromArn.endsWith(`/execution/${id}`)) return fromArn;
    return undefined; // the two disagree: no claim to check
  }
  const prefix = /^(arn:[^:]+:sagemaker:[^:]*:\d{12}:)/.exec(pkg.ModelPackageArn ?? '')?.[1];
  const branch = metadata.branch;
  if (id === undefined || prefix === undefined || branch === undefined || !/^[A-Za-z0-9-]{1,128}$/.test(id)) {
    return undefined;
  }
  // `branch` is branchTagValue(branch): the branch itself for every branch SageMaker can store as is.
  if (branchTagValue(branch) !== branch) return undefined;
  return `${prefix}pipeline/${sageMakerPipelineName(projectName, branch).toLowerCase()}/execution/${id}`;
}

/** Verifies steps 2 and 3 of the module comment for a described version. */
export async function verifyProvenance(
  sagemaker: SageMakerClient,
  pkg: DescribeModelPackageCommandOutput,
  project: { readonly projectName: string; readonly projectId: string },
): Promise<Verified<Provenance>> {
  const arn = pkg.ModelPackageArn ?? '';
  const commit = commitOfPackage(pkg);
  if (!('commitId' in commit)) return { ok: false, problem: `it ${commit.problem}` };
  const executionArn = claimedExecutionArn(pkg, project.projectName);
  if (executionArn === undefined) {
    return {
      ok: false,
      problem:
        'it names no pipeline execution the function can check (customer metadata pipeline_execution_id / ' +
        'pipeline_execution_arn missing or inconsistent)',
    };
  }
  let pipelineArn: string | undefined;
  try {
    const execution = await sagemaker.send(
      new DescribePipelineExecutionCommand({ PipelineExecutionArn: executionArn }),
    );
    pipelineArn = execution.PipelineArn;
  } catch (err) {
    if (isSageMakerNotFound(err)) return { ok: false, problem: `SageMaker knows no execution ${executionArn}` };
    throw err;
  }
  const pipelineName = pipelineArn?.split(':pipeline/')[1]?.toLowerCase();
  if (
    pipelineArn === undefined ||
    pipelineName === undefined ||
    !executionArn.toLowerCase().includes(`:pipeline/${pipelineName}/execution/`)
  ) {
    return { ok: false, problem: `execution ${executionArn} belongs to pipeline ${pipelineArn ?? '(none)'}` };
  }
  const pipelineProject = await projectIdTag(sagemaker, pipelineArn);
  if (pipelineProject !== project.projectId) {
    return {
      ok: false,
      problem: `pipeline ${pipelineArn} has ${TAG_PROJECT_ID} ${pipelineProject ?? '(none)'}, not ${project.projectId}`,
    };
  }
  let registered = false;
  let token: string | undefined;
  do {
    const page = await sagemaker.send(
      new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: executionArn, NextToken: token, MaxResults: 100 }),
    );
    registered ||= (page.PipelineExecutionSteps ?? []).some((step) => step.Metadata?.RegisterModel?.Arn === arn);
    token = page.NextToken;
  } while (token && !registered);
  if (!registered) {
    return { ok: false, problem: `no RegisterModel step of execution ${executionArn} created ${arn}` };
  }
  return { ok: true, value: { commitId: commit.commitId, pipelineName, pipelineExecutionArn: executionArn } };
}
