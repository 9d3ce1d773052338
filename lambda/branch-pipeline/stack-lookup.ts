/**
 * Finding the project's branch stacks and reading what they record (tags, parameters): the facts the stack
 * lifecycle (stacks.ts), the deletions (stack-deletion.ts) and the reconcile decide on. Read-only.
 */
import {
  CloudFormationClient,
  DescribeStacksCommand,
  paginateDescribeStacks,
  Stack,
} from '@aws-sdk/client-cloudformation';
import { createHash } from 'node:crypto';
import { isStackNotFound } from '../../contracts/sdk-errors/cloudformation';
import { branchStackPrefix, legacyBranchStackPrefix, TAG_PROJECT_ID, TAG_PROJECT_NAME } from '../../contracts/naming';
import { BranchPipelineConfig } from './config';

/** A request token for CloudFormation (`[a-zA-Z][-a-zA-Z0-9]*`, ≤128) and SageMaker (32 to 128), from its inputs. */
export function requestToken(kind: string, ...parts: string[]): string {
  return `${kind}-${createHash('sha256').update(parts.join('\u0000'), 'utf8').digest('hex').slice(0, 40)}`;
}

function tagOf(stack: Stack, key: string): string | undefined {
  return stack.Tags?.find((tag) => tag.Key === key)?.Value;
}

export function parameterOf(stack: Stack, key: string): string | undefined {
  return stack.Parameters?.find((parameter) => parameter.ParameterKey === key)?.ParameterValue;
}

/** Whether the stack carries this project's name and id tags: the only stacks this function changes. */
export function isProjectStack(stack: Stack, config: BranchPipelineConfig): boolean {
  return tagOf(stack, TAG_PROJECT_NAME) === config.projectName && tagOf(stack, TAG_PROJECT_ID) === config.projectId;
}

/** The stack by name or id, or undefined when there is none (a deleted one counts as none). */
export async function describeStack(
  cloudformation: CloudFormationClient,
  nameOrId: string,
): Promise<Stack | undefined> {
  try {
    const out = await cloudformation.send(new DescribeStacksCommand({ StackName: nameOrId }));
    const stack = out.Stacks?.[0];
    return stack === undefined || stack.StackStatus === 'DELETE_COMPLETE' ? undefined : stack;
  } catch (err) {
    if (isStackNotFound(err)) return undefined;
    throw err;
  }
}

/** The stacks named like this project's branch stacks that carry this project's tags (DescribeStacks, all pages). */
export async function listProjectBranchStacks(
  cloudformation: CloudFormationClient,
  config: BranchPipelineConfig,
): Promise<Stack[]> {
  const prefixes = [branchStackPrefix(config.projectName), legacyBranchStackPrefix(config.projectName)];
  const stacks: Stack[] = [];
  for await (const page of paginateDescribeStacks({ client: cloudformation }, {})) {
    for (const stack of page.Stacks ?? []) {
      if (
        prefixes.some((prefix) => stack.StackName?.startsWith(prefix)) &&
        stack.StackStatus !== 'DELETE_COMPLETE' &&
        isProjectStack(stack, config)
      ) {
        stacks.push(stack);
      }
    }
  }
  return stacks;
}
