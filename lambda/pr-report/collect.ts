/**
 * Gathers the facts of a pull request report from SageMaker and S3, for one branch and its head commit:
 *
 * 1. the project's models: model package groups named `model-<project>` or `model-<project>-<name>` that carry the
 *    tag `sagemaker:project-id` = this project's id (a name alone never proves membership: project `churn`'s model
 *    `v2` and project `churn-v2` share a name shape);
 * 2. the head commit's execution of the branch's pipeline (`sageMakerPipelineName(project, branch)`, display name
 *    `commit-<40-hex>`): its status, and when it failed, the failed step and, for a quality gate, metric and
 *    threshold from the execution's own definition;
 * 3. per group: the branch's newest Completed version (metadata `branch` = `branchTagValue(branch)`; the head
 *    commit's if registered, else an older commit's) and the newest Approved version, each with the metrics of its
 *    evaluation report (`ModelMetrics.ModelQuality.Statistics.S3Uri`), read only from the project's artifact bucket.
 *
 * Read-only; a problem with one model (metrics missing, unreadable) is reported in that model's section, never
 * fatal. Used by the CodeCommit function and by the seed's `report.js` alike.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeModelPackageCommand,
  DescribeModelPackageCommandOutput,
  DescribePipelineDefinitionForExecutionCommand,
  ListModelPackageGroupsCommand,
  ListModelPackagesCommand,
  ListPipelineExecutionsCommand,
  ListPipelineExecutionStepsCommand,
  ListTagsCommand,
  ModelPackageSummary,
  PipelineExecutionStep,
  PipelineExecutionSummary,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { describeError, isAccessDenied, isSageMakerNotFound } from '../../contracts/errors';
import { MODEL_METADATA } from '../../contracts/model-metadata';
import { branchTagValue, sageMakerPipelineName, TAG_PROJECT_ID } from '../../contracts/naming';
import { analyzeDefinition, DefinitionFacts, GateFacts } from './definition';
import { parseEvaluationReport } from './metrics';
import { ModelReport, PrReport, TrainingState, VersionFacts } from './render';

export interface CollectDeps {
  readonly sagemaker: SageMakerClient;
  readonly s3: S3Client;
}

export interface ReportTarget {
  readonly projectName: string;
  readonly projectId: string;
  readonly region: string;
  /** The exact git branch name. */
  readonly branch: string;
  /** The pull request's source head commit, 40 hex. */
  readonly headCommit: string;
  /** The project's artifact bucket: the only bucket evaluation reports are read from. */
  readonly artifactBucket: string;
}

/** How many of a group's newest versions are searched for the branch's (one ListModelPackages page). */
export const VERSIONS_SEARCHED = 100;
/** How many of them are described, at most, to find an older commit's version of the branch. */
export const VERSIONS_DESCRIBED = 20;

/** The display name the run command gives the one execution of a commit. */
export const executionDisplayName = (commit: string) => `commit-${commit}`;

const DESCRIPTION_COMMIT = /^commit ([0-9a-f]{40})(?=\s|$)/;

/** The project's groups, base group first, then by name. */
export async function listProjectGroups(
  sagemaker: SageMakerClient,
  projectName: string,
  projectId: string,
): Promise<{ name: string; arn: string }[]> {
  const base = `model-${projectName}`;
  const found: { name: string; arn: string }[] = [];
  let token: string | undefined;
  do {
    const page = await sagemaker.send(
      new ListModelPackageGroupsCommand({ NameContains: base, MaxResults: 100, NextToken: token }),
    );
    for (const g of page.ModelPackageGroupSummaryList ?? []) {
      const name = g.ModelPackageGroupName;
      if (name === undefined || g.ModelPackageGroupArn === undefined) continue;
      if (name === base || name.startsWith(`${base}-`)) found.push({ name, arn: g.ModelPackageGroupArn });
    }
    token = page.NextToken;
  } while (token !== undefined);
  const mine: { name: string; arn: string }[] = [];
  for (const group of found) {
    let tags;
    try {
      tags = await sagemaker.send(new ListTagsCommand({ ResourceArn: group.arn }));
    } catch (err) {
      // The role reads the tags of its project's groups only: another project's `model-<project>-…` group.
      if (isAccessDenied(err)) continue;
      throw err;
    }
    if ((tags.Tags ?? []).some((t) => t.Key === TAG_PROJECT_ID && t.Value === projectId)) mine.push(group);
  }
  return mine.sort((a, b) => (a.name === base ? -1 : b.name === base ? 1 : a.name.localeCompare(b.name)));
}

/** The head commit's execution of the branch's pipeline, if any (newest first, one page of 100). */
export async function findExecution(
  sagemaker: SageMakerClient,
  pipelineName: string,
  commit: string,
): Promise<PipelineExecutionSummary | undefined> {
  try {
    const page = await sagemaker.send(
      new ListPipelineExecutionsCommand({
        PipelineName: pipelineName,
        SortBy: 'CreationTime',
        SortOrder: 'Descending',
        MaxResults: 100,
      }),
    );
    return (page.PipelineExecutionSummaries ?? []).find(
      (e) => e.PipelineExecutionDisplayName === executionDisplayName(commit),
    );
  } catch (err) {
    // Not created yet; or named like another project's tagged pipeline, which this role may not list.
    if (isSageMakerNotFound(err) || isAccessDenied(err)) return undefined;
    throw err;
  }
}

async function failedSteps(sagemaker: SageMakerClient, executionArn: string): Promise<PipelineExecutionStep[]> {
  const failed: PipelineExecutionStep[] = [];
  let token: string | undefined;
  do {
    const page = await sagemaker.send(
      new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: executionArn, NextToken: token, MaxResults: 100 }),
    );
    failed.push(...(page.PipelineExecutionSteps ?? []).filter((s) => s.StepStatus === 'Failed'));
    token = page.NextToken;
  } while (token !== undefined);
  return failed;
}

/** `s3://bucket/key` → its parts, if the URI is in `bucket`. */
export function parseS3Uri(uri: string): { bucket: string; key: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  return m === null ? undefined : { bucket: m[1] as string, key: m[2] as string };
}

async function readMetrics(
  deps: CollectDeps,
  target: ReportTarget,
  uri: string | undefined,
): Promise<VersionFacts['metrics']> {
  if (uri === undefined) return { problem: 'the version has no ModelMetrics.ModelQuality.Statistics.S3Uri' };
  const location = parseS3Uri(uri);
  if (location === undefined) return { problem: `${uri} is not an s3:// URI` };
  if (location.bucket !== target.artifactBucket) {
    return { problem: `${uri} is outside the project's artifact bucket ${target.artifactBucket}; not read` };
  }
  try {
    const object = await deps.s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
    const text = (await object.Body?.transformToString('utf-8')) ?? '';
    return parseEvaluationReport(text);
  } catch (err) {
    return { problem: `${uri}: ${describeError(err).message}` };
  }
}

async function versionFacts(
  deps: CollectDeps,
  target: ReportTarget,
  pkg: DescribeModelPackageCommandOutput,
): Promise<VersionFacts> {
  const meta = pkg.CustomerMetadataProperties ?? {};
  return {
    arn: pkg.ModelPackageArn ?? '',
    version: pkg.ModelPackageVersion ?? 0,
    approvalStatus: pkg.ModelApprovalStatus ?? 'Unknown',
    commitId: pkg.MetadataProperties?.CommitId ?? meta[MODEL_METADATA.commitId],
    executionArn: meta[MODEL_METADATA.pipelineExecutionArn] ?? pkg.MetadataProperties?.GeneratedBy,
    metrics: await readMetrics(deps, target, pkg.ModelMetrics?.ModelQuality?.Statistics?.S3Uri),
  };
}

const describe = (sagemaker: SageMakerClient, arn: string) =>
  sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));

/** Whether a described version is this branch's (metadata `branch`) and, if given, of `commit`. */
function isBranchVersion(pkg: DescribeModelPackageCommandOutput, branch: string, commit?: string): boolean {
  const meta = pkg.CustomerMetadataProperties ?? {};
  if (meta[MODEL_METADATA.branch] !== branchTagValue(branch)) return false;
  const commitId = pkg.MetadataProperties?.CommitId ?? meta[MODEL_METADATA.commitId];
  return commit === undefined || commitId === commit;
}

/** The branch's newest Completed version in `group`: the head commit's if registered, else an older one's. */
async function findBranchVersion(
  sagemaker: SageMakerClient,
  group: string,
  target: ReportTarget,
): Promise<{ pkg?: DescribeModelPackageCommandOutput; searchedAll: boolean }> {
  const page = await sagemaker.send(
    new ListModelPackagesCommand({
      ModelPackageGroupName: group,
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: VERSIONS_SEARCHED,
    }),
  );
  const completed = (page.ModelPackageSummaryList ?? []).filter(
    (s): s is ModelPackageSummary & { ModelPackageArn: string } =>
      s.ModelPackageArn !== undefined && (s.ModelPackageStatus ?? 'Completed') === 'Completed',
  );
  const commitOf = (s: ModelPackageSummary) => DESCRIPTION_COMMIT.exec(s.ModelPackageDescription ?? '')?.[1];
  for (const summary of completed.filter((s) => commitOf(s) === target.headCommit)) {
    const pkg = await describe(sagemaker, summary.ModelPackageArn);
    if (isBranchVersion(pkg, target.branch, target.headCommit)) return { pkg, searchedAll: true };
  }
  const older = completed.filter((s) => commitOf(s) !== target.headCommit);
  for (const summary of older.slice(0, VERSIONS_DESCRIBED)) {
    const pkg = await describe(sagemaker, summary.ModelPackageArn);
    if (isBranchVersion(pkg, target.branch)) return { pkg, searchedAll: true };
  }
  return { searchedAll: page.NextToken === undefined && older.length <= VERSIONS_DESCRIBED };
}

async function findApproved(
  sagemaker: SageMakerClient,
  group: string,
): Promise<DescribeModelPackageCommandOutput | undefined> {
  const page = await sagemaker.send(
    new ListModelPackagesCommand({
      ModelPackageGroupName: group,
      ModelApprovalStatus: 'Approved',
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 1,
    }),
  );
  const arn = page.ModelPackageSummaryList?.[0]?.ModelPackageArn;
  return arn === undefined ? undefined : describe(sagemaker, arn);
}

function stateOf(
  group: string,
  candidate: VersionFacts | undefined,
  target: ReportTarget,
  execution: PipelineExecutionSummary | undefined,
  failed: readonly PipelineExecutionStep[],
  definition: DefinitionFacts,
  gateValues: ReadonlyMap<GateFacts, number | undefined>,
): TrainingState {
  if (candidate !== undefined && candidate.commitId === target.headCommit) {
    return { kind: 'registered', version: candidate.version, approvalStatus: candidate.approvalStatus };
  }
  const arn = execution?.PipelineExecutionArn;
  if (execution === undefined || arn === undefined) return { kind: 'not-started' };
  switch (execution.PipelineExecutionStatus) {
    case 'Executing':
      return { kind: 'running', executionArn: arn };
    case 'Stopping':
    case 'Stopped':
      return { kind: 'stopped', executionArn: arn };
    case 'Failed': {
      const failedNames = new Set(failed.map((s) => s.StepName));
      const gate = definition.gates.find(
        (g) => g.groups.includes(group) && g.failSteps.some((f) => failedNames.has(f)),
      );
      if (gate !== undefined) {
        return {
          kind: 'failed-gate',
          executionArn: arn,
          metric: gate.metric,
          comparison: gate.comparison,
          threshold: gate.threshold,
          value: gateValues.get(gate),
        };
      }
      const step = failed[0];
      return {
        kind: 'failed-step',
        executionArn: arn,
        step: step?.StepName ?? '(unknown step)',
        reason: step?.FailureReason ?? execution.PipelineExecutionFailureReason,
      };
    }
    default:
      return { kind: 'finished-without-version', executionArn: arn };
  }
}

/** Everything the report says, read from SageMaker and S3. */
export async function collectReport(deps: CollectDeps, target: ReportTarget): Promise<PrReport> {
  const { sagemaker } = deps;
  const pipelineName = sageMakerPipelineName(target.projectName, target.branch);
  const groups = await listProjectGroups(sagemaker, target.projectName, target.projectId);
  const execution = await findExecution(sagemaker, pipelineName, target.headCommit);
  const executionArn = execution?.PipelineExecutionArn;

  let definition: DefinitionFacts = { registers: [], gates: [] };
  let failed: PipelineExecutionStep[] = [];
  const gateValues = new Map<GateFacts, number | undefined>();
  const notes: string[] = [];
  if (executionArn !== undefined) {
    const described = await sagemaker.send(
      new DescribePipelineDefinitionForExecutionCommand({ PipelineExecutionArn: executionArn }),
    );
    definition = analyzeDefinition(described.PipelineDefinition);
    if (execution?.PipelineExecutionStatus === 'Failed') {
      failed = await failedSteps(sagemaker, executionArn);
      const failedNames = new Set(failed.map((s) => s.StepName));
      for (const gate of definition.gates.filter((g) => g.failSteps.some((f) => failedNames.has(f)))) {
        const uri = gate.reportUri?.({ id: executionArn.split('/').pop() ?? '', arn: executionArn, pipelineName });
        const metrics = await readMetrics(deps, target, uri);
        gateValues.set(gate, metrics instanceof Map ? metrics.get(gate.metric) : undefined);
      }
    }
  }

  const models: ModelReport[] = [];
  for (const group of groups) {
    const [branchSearch, approvedPkg] = await Promise.all([
      findBranchVersion(sagemaker, group.name, target),
      findApproved(sagemaker, group.name),
    ]);
    const branchPkg = branchSearch.pkg;
    if (branchPkg === undefined && !branchSearch.searchedAll) {
      notes.push(
        `No version of this branch among the ${VERSIONS_DESCRIBED} newest versions of ${group.name}; older ones were not searched.`,
      );
    }
    const candidate = branchPkg === undefined ? undefined : await versionFacts(deps, target, branchPkg);
    const baseline = approvedPkg === undefined ? undefined : await versionFacts(deps, target, approvedPkg);
    const register = definition.registers.find((r) => r.group === group.name);
    const gate = definition.gates.find((g) => g.groups.includes(group.name));
    const base = `model-${target.projectName}`;
    const model =
      branchPkg?.CustomerMetadataProperties?.[MODEL_METADATA.modelName] ??
      register?.modelName ??
      approvedPkg?.CustomerMetadataProperties?.[MODEL_METADATA.modelName] ??
      (group.name === base ? group.name : group.name.slice(base.length + 1));
    models.push({
      model,
      group: group.name,
      state: stateOf(group.name, candidate, target, execution, failed, definition, gateValues),
      candidate,
      baseline,
      gate:
        gate === undefined ? undefined : { metric: gate.metric, direction: gate.direction, threshold: gate.threshold },
    });
  }
  return {
    projectName: target.projectName,
    region: target.region,
    branch: target.branch,
    headCommit: target.headCommit,
    pipelineName,
    execution:
      executionArn === undefined
        ? undefined
        : { arn: executionArn, status: execution?.PipelineExecutionStatus ?? 'Unknown' },
    models,
    notes,
  };
}
