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
import { S3Client } from '@aws-sdk/client-s3';
import {
  DescribePipelineDefinitionForExecutionCommand,
  PipelineExecutionStep,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { sageMakerPipelineName } from '../../contracts/naming';
import { analyzeDefinition, DefinitionFacts, GateFacts } from './definition';
import {
  findApproved,
  findBranchVersion,
  listProjectGroups,
  readMetrics,
  versionFacts,
  VERSIONS_DESCRIBED,
} from './model-versions';
import { ModelReport, PrReport } from './render';
import { failedSteps, findExecution, stateOf } from './training-state';

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
      branchPkg?.CustomerMetadataProperties?.model_name ??
      register?.modelName ??
      approvedPkg?.CustomerMetadataProperties?.model_name ??
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
