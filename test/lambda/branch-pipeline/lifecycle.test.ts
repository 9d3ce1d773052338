/**
 * Issue 10, attack 8: deleting a project first removes its branch stacks, or refuses while they still exist; the
 * function always answers CloudFormation. Requests and answers follow CloudFormation's documented custom resource
 * protocol; CloudFormation itself is mocked (moto completes stacks at once, which could not show the refusal).
 */
import { CloudFormationClient, DeleteStackCommand, DescribeStacksCommand, Stack } from '@aws-sdk/client-cloudformation';
import { CodeCommitClient } from '@aws-sdk/client-codecommit';
import {
  DeletePipelineCommand,
  DescribePipelineCommand,
  ListTagsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { BranchPipelineDeps, handleBranchPipelineEvent } from '../../../lambda/branch-pipeline/branch-pipeline';
import { CustomResourceResponse } from '../../../lambda/branch-pipeline/lifecycle';
import { branchTagValue } from '../../../contracts/naming';
import { branchStack, CONFIG, memoryLogger } from './support';

const cloudformation = mockClient(CloudFormationClient);
const sagemaker = mockClient(SageMakerClient);

const request = (RequestType: 'Create' | 'Update' | 'Delete') => ({
  RequestType,
  ServiceToken: 'arn:aws:lambda:us-east-1:111111111111:function:SC-111111111111-pp-x-BranchAutomation',
  ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/signed',
  StackId: 'arn:aws:cloudformation:us-east-1:111111111111:stack/SC-111111111111-pp-x/uuid',
  RequestId: 'req-1',
  LogicalResourceId: 'BranchAutomationBranchStacksGuard',
  ResourceType: 'AWS::CloudFormation::CustomResource',
  ...(RequestType === 'Create' ? {} : { PhysicalResourceId: `${CONFIG.projectId}-branch-stacks` }),
  ResourceProperties: { ServiceToken: 'arn' },
});

let answers: CustomResourceResponse[];
let deps: BranchPipelineDeps;
let timeLeft: number;

beforeEach(() => {
  cloudformation.reset();
  sagemaker.reset();
  answers = [];
  timeLeft = 300_000;
  deps = {
    config: CONFIG,
    logger: memoryLogger().logger,
    cloudformation: new CloudFormationClient({}),
    codecommit: new CodeCommitClient({}),
    sagemaker: new SageMakerClient({}),
    remainingTimeMs: () => timeLeft,
    sleep: async (ms) => {
      timeLeft -= ms;
    },
    respond: async (_, response) => {
      answers.push(response);
    },
  };
  sagemaker.on(DescribePipelineCommand).resolves({ PipelineArn: 'arn:aws:sagemaker:us-east-1:1:pipeline/p' });
  sagemaker.on(DeletePipelineCommand).resolves({});
  cloudformation.on(DeleteStackCommand).resolves({});
});

const stacks = [branchStack('experiment/a', 'CREATE_COMPLETE'), branchStack('experiment/b', 'CREATE_COMPLETE')];

it('answers SUCCESS to Create and Update, touching nothing', async () => {
  for (const type of ['Create', 'Update'] as const) {
    await expect(handleBranchPipelineEvent(request(type), deps)).resolves.toMatchObject({ status: 'SUCCESS' });
  }
  expect(answers.map((a) => a.Status)).toEqual(['SUCCESS', 'SUCCESS']);
  expect(cloudformation).not.toHaveReceivedCommand(DeleteStackCommand);
});

it('on Delete removes every branch stack and SageMaker pipeline of the project, then answers SUCCESS', async () => {
  let listed = 0;
  cloudformation.on(DescribeStacksCommand).callsFake(async (input: { StackName?: string }) => {
    if (input.StackName === undefined) return { Stacks: listed++ === 0 ? stacks : [] };
    throw Object.assign(new Error(`Stack with id ${input.StackName} does not exist`), { name: 'ValidationError' });
  });
  sagemaker.on(ListTagsCommand).callsFake(async () => ({ Tags: [] }));
  let n = 0;
  sagemaker.on(ListTagsCommand).callsFake(async () => ({
    Tags: [
      { Key: 'sagemaker:project-id', Value: CONFIG.projectId },
      { Key: 'multibranch-mlops:branch', Value: branchTagValue(['experiment/a', 'experiment/b'][n++ % 2]!) },
    ],
  }));
  await expect(handleBranchPipelineEvent(request('Delete'), deps)).resolves.toMatchObject({ status: 'SUCCESS' });
  expect(cloudformation).toHaveReceivedCommandTimes(DeleteStackCommand, 2);
  expect(sagemaker).toHaveReceivedCommandTimes(DeletePipelineCommand, 2);
  expect(answers).toEqual([
    expect.objectContaining({
      Status: 'SUCCESS',
      RequestId: 'req-1',
      StackId: request('Delete').StackId,
      LogicalResourceId: 'BranchAutomationBranchStacksGuard',
      PhysicalResourceId: `${CONFIG.projectId}-branch-stacks`,
    }),
  ]);
});

it('refuses the deletion (FAILED, naming the stacks) while branch stacks are still being deleted', async () => {
  const deleting: Stack[] = stacks.map((s) => ({ ...s, StackStatus: 'DELETE_IN_PROGRESS' }));
  cloudformation.on(DescribeStacksCommand).callsFake(async (input: { StackName?: string }) => ({
    Stacks: input.StackName === undefined ? stacks : deleting.filter((s) => s.StackId === input.StackName),
  }));
  sagemaker.on(ListTagsCommand).resolves({ Tags: [] });
  await expect(handleBranchPipelineEvent(request('Delete'), deps)).resolves.toMatchObject({ status: 'FAILED' });
  expect(answers).toHaveLength(1);
  expect(answers[0]?.Status).toBe('FAILED');
  expect(answers[0]?.Reason).toMatch(/2 branch stack\(s\) of project fraud are still being deleted/);
  expect(answers[0]?.Reason).toContain(stacks[0]!.StackName);
});

it('answers FAILED rather than leaving CloudFormation waiting when listing fails', async () => {
  cloudformation.on(DescribeStacksCommand).rejects(new Error('Rate exceeded'));
  await expect(handleBranchPipelineEvent(request('Delete'), deps)).resolves.toMatchObject({ status: 'FAILED' });
  expect(answers[0]).toMatchObject({ Status: 'FAILED', Reason: 'Error: Rate exceeded' });
});
