/**
 * The run command's AWS calls: upload the step code, upsert the branch's SageMaker pipeline, start (at most) one
 * execution per commit, and optionally wait for it. Clients are passed in; default clients honour AWS_ENDPOINT_URL.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateModelPackageGroupCommand,
  CreatePipelineCommand,
  DescribeModelPackageGroupCommand,
  DescribePipelineCommand,
  DescribePipelineExecutionCommand,
  PipelineExecutionStatus,
  SageMakerClient,
  StartPipelineExecutionCommand,
  ListTagsCommand,
  UpdatePipelineCommand,
  paginateListPipelineExecutionSteps,
  paginateListPipelineExecutions,
} from '@aws-sdk/client-sagemaker';
import { createHash } from 'node:crypto';
import { isAccessDenied } from '../../contracts/sdk-errors/match';
import { isSageMakerAlreadyExists, isSageMakerNotFound } from '../../contracts/sdk-errors/sagemaker';

export function defaultClients(region: string): { s3: S3Client; sagemaker: SageMakerClient } {
  const emulated = process.env.AWS_ENDPOINT_URL !== undefined && process.env.AWS_ENDPOINT_URL !== '';
  return {
    // Emulators serve buckets by path, not by virtual host.
    s3: new S3Client({ region, ...(emulated ? { forcePathStyle: true } : {}) }),
    sagemaker: new SageMakerClient({ region }),
  };
}

export async function uploadObjects(
  s3: S3Client,
  bucket: string,
  objects: readonly { key: string; body: Buffer; contentType: string }[],
): Promise<void> {
  for (const o of objects) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: o.key, Body: o.body, ContentType: o.contentType }));
  }
}

export interface PipelineSpec {
  readonly name: string;
  readonly definition: string;
  readonly roleArn: string;
  readonly description: string;
  readonly tags: readonly { Key: string; Value: string }[];
}

/** Creates the pipeline, or updates its definition if it exists. Returns what it did and the pipeline ARN. */
export async function upsertPipeline(
  sagemaker: SageMakerClient,
  spec: PipelineSpec,
): Promise<{ action: 'created' | 'updated'; arn: string }> {
  let exists = true;
  try {
    await sagemaker.send(new DescribePipelineCommand({ PipelineName: spec.name }));
  } catch (err) {
    if (!isSageMakerNotFound(err)) throw err;
    exists = false;
  }
  if (!exists) {
    try {
      const created = await sagemaker.send(
        new CreatePipelineCommand({
          PipelineName: spec.name,
          PipelineDefinition: spec.definition,
          PipelineDescription: spec.description,
          RoleArn: spec.roleArn,
          Tags: [...spec.tags],
        }),
      );
      return { action: 'created', arn: created.PipelineArn ?? '' };
    } catch (err) {
      // A concurrent build created it first: fall through to the update.
      if (!isSageMakerAlreadyExists(err)) throw err;
    }
  }
  const updated = await sagemaker.send(
    new UpdatePipelineCommand({
      PipelineName: spec.name,
      PipelineDefinition: spec.definition,
      PipelineDescription: spec.description,
      RoleArn: spec.roleArn,
    }),
  );
  return { action: 'updated', arn: updated.PipelineArn ?? '' };
}

/** Display name of the execution for a commit: how a retried build finds the run it already started. */
export const executionDisplayName = (commit: string) => `commit-${commit}`;

/** Idempotency token for StartPipelineExecution: the same pipeline and commit always give the same token. */
export function executionToken(pipelineName: string, commit: string): string {
  return createHash('sha256').update(`${pipelineName}\n${commit}`, 'utf8').digest('hex');
}

export async function findExecutionForCommit(
  sagemaker: SageMakerClient,
  pipelineName: string,
  commit: string,
): Promise<{ arn: string; status: string } | undefined> {
  return findExecutionByDisplayName(sagemaker, pipelineName, executionDisplayName(commit));
}

export async function findExecutionByDisplayName(
  sagemaker: SageMakerClient,
  pipelineName: string,
  wanted: string,
): Promise<{ arn: string; status: string } | undefined> {
  const pages = paginateListPipelineExecutions(
    { client: sagemaker, pageSize: 100 },
    { PipelineName: pipelineName, SortBy: 'CreationTime', SortOrder: 'Descending' },
  );
  for await (const page of pages) {
    for (const summary of page.PipelineExecutionSummaries ?? []) {
      if (summary.PipelineExecutionDisplayName === wanted && summary.PipelineExecutionArn !== undefined) {
        return { arn: summary.PipelineExecutionArn, status: summary.PipelineExecutionStatus ?? 'Unknown' };
      }
    }
  }
  return undefined;
}

/**
 * Starts the pipeline for a commit unless an execution for that commit exists. The display name marks the commit
 * (found by listing first), and the client request token derived from it makes the service itself deduplicate a
 * start that races with another. A scheduled run passes its own name (`run`: one execution per schedule slot).
 */
export async function startExecutionOnce(
  sagemaker: SageMakerClient,
  input: {
    pipelineName: string;
    commit: string;
    branch: string;
    parameters: Record<string, string>;
    run?: { displayName: string; token: string; description: string };
  },
): Promise<{ arn: string; started: boolean; status?: string }> {
  const run = input.run ?? {
    displayName: executionDisplayName(input.commit),
    token: executionToken(input.pipelineName, input.commit),
    description: `commit ${input.commit}`,
  };
  const existing = await findExecutionByDisplayName(sagemaker, input.pipelineName, run.displayName);
  if (existing !== undefined) return { arn: existing.arn, started: false, status: existing.status };
  const started = await sagemaker.send(
    new StartPipelineExecutionCommand({
      PipelineName: input.pipelineName,
      PipelineExecutionDisplayName: run.displayName,
      PipelineExecutionDescription: run.description,
      PipelineParameters: Object.entries(input.parameters).map(([Name, Value]) => ({ Name, Value })),
      ClientRequestToken: run.token,
    }),
  );
  if (started.PipelineExecutionArn === undefined) throw new Error('StartPipelineExecution returned no execution ARN');
  return { arn: started.PipelineExecutionArn, started: true };
}

const TERMINAL: readonly string[] = [
  PipelineExecutionStatus.SUCCEEDED,
  PipelineExecutionStatus.FAILED,
  PipelineExecutionStatus.STOPPED,
];

/** Polls until the execution ends; returns its final status and failure reason. */
export async function waitForExecution(
  sagemaker: SageMakerClient,
  arn: string,
  options: { intervalMs: number; timeoutMs: number; onStatus?: (status: string) => void },
): Promise<{ status: string; failureReason?: string }> {
  const deadline = Date.now() + options.timeoutMs;
  let last = '';
  for (;;) {
    const described = await sagemaker.send(new DescribePipelineExecutionCommand({ PipelineExecutionArn: arn }));
    const status = described.PipelineExecutionStatus ?? 'Unknown';
    if (status !== last) options.onStatus?.(status);
    last = status;
    if (TERMINAL.includes(status)) return { status, failureReason: described.FailureReason || undefined };
    if (Date.now() >= deadline) throw new Error(`execution ${arn} still ${status} after ${options.timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}

/** Link to the pipeline in the SageMaker console of its region. */
export function consoleLink(region: string, pipelineName: string, executionArn: string): string {
  const host = region.startsWith('cn-') ? 'console.amazonaws.cn' : 'console.aws.amazon.com';
  const executionId = executionArn.split('/').pop() ?? '';
  return `https://${region}.${host}/sagemaker/home?region=${region}#/pipelines/${encodeURIComponent(
    pipelineName,
  )}/executions/${encodeURIComponent(executionId)}`;
}

/**
 * Makes sure a model package group exists and belongs to the project (contract 1): creates it with the project's
 * tags when missing; refuses one whose `sagemaker:project-id` tag is another project's (group names alone never
 * prove membership: project `churn`'s model `v2` and project `churn-v2` share a name shape).
 */
export async function ensureModelPackageGroup(
  sagemaker: SageMakerClient,
  input: { name: string; description: string; projectName: string; projectId: string },
): Promise<'created' | 'exists'> {
  let arn: string | undefined;
  try {
    arn = (await sagemaker.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: input.name })))
      .ModelPackageGroupArn;
  } catch (err) {
    // The build role describes only its project's groups or untagged ones (lib/constructs/isolation.ts).
    if (isAccessDenied(err)) throw anotherProjectsGroup(input, 'another project (access denied to this project)');
    if (!isSageMakerNotFound(err)) throw err;
  }
  if (arn === undefined) {
    try {
      await sagemaker.send(
        new CreateModelPackageGroupCommand({
          ModelPackageGroupName: input.name,
          ModelPackageGroupDescription: input.description.slice(0, 1024),
          Tags: [
            { Key: 'sagemaker:project-name', Value: input.projectName },
            { Key: 'sagemaker:project-id', Value: input.projectId },
          ],
        }),
      );
      return 'created';
    } catch (err) {
      // A concurrent build created it first: check its tags below.
      if (!/already exists/i.test((err as Error).message ?? '')) throw err;
      arn = (await sagemaker.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: input.name })))
        .ModelPackageGroupArn;
    }
  }
  const tags = (await sagemaker.send(new ListTagsCommand({ ResourceArn: arn }))).Tags ?? [];
  const owner = tags.find((t) => t.Key === 'sagemaker:project-id')?.Value;
  if (owner !== input.projectId) {
    throw anotherProjectsGroup(input, owner === undefined ? 'no project' : `project id ${owner}`);
  }
  return 'exists';
}

function anotherProjectsGroup(input: { name: string; projectId: string }, owner: string): Error {
  return new Error(
    `model package group ${input.name} exists but belongs to ${owner}, not this project (${input.projectId}); ` +
      'rename the model in pipeline.yaml',
  );
}

/** Each Condition step's outcome in an execution: step name → true (passed) / false. */
export async function conditionOutcomes(
  sagemaker: SageMakerClient,
  executionArn: string,
): Promise<Record<string, boolean>> {
  const outcomes: Record<string, boolean> = {};
  const pages = paginateListPipelineExecutionSteps({ client: sagemaker }, { PipelineExecutionArn: executionArn });
  for await (const page of pages) {
    for (const step of page.PipelineExecutionSteps ?? []) {
      const outcome = step.Metadata?.Condition?.Outcome;
      if (step.StepName !== undefined && outcome !== undefined) outcomes[step.StepName] = outcome === 'True';
    }
  }
  return outcomes;
}
