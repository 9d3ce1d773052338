/**
 * The training state of a pull request report (collect.ts, step 2): the head commit's execution of the branch's
 * pipeline, its failed steps, and what the report says of each model: registered, running, stopped, failed at a
 * quality gate or a step, or not started.
 */
import {
  ListPipelineExecutionsCommand,
  ListPipelineExecutionStepsCommand,
  PipelineExecutionStep,
  PipelineExecutionSummary,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { isAccessDenied } from '../../contracts/sdk-errors/match';
import { isSageMakerNotFound } from '../../contracts/sdk-errors/sagemaker';
import type { ReportTarget } from './collect';
import { DefinitionFacts, GateFacts } from './definition';
import { TrainingState, VersionFacts } from './render';

/** The display name the run command gives the one execution of a commit. */
export const executionDisplayName = (commit: string) => `commit-${commit}`;

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

export async function failedSteps(sagemaker: SageMakerClient, executionArn: string): Promise<PipelineExecutionStep[]> {
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

export function stateOf(
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
