import { PrReportConfig } from '../../../lambda/pr-report/config';
import { routeEvent } from '../../../lambda/pr-report/route';
import { ValidationError } from '../../../contracts/errors';
import { awsEvent } from '../../support/fixtures';

/** Configured so that AWS's published samples (repository MyDemoRepo, branch test-branch) are this project's. */
const config: PrReportConfig = {
  projectName: 'mypipeline',
  projectId: 'p-1',
  repositoryName: 'MyDemoRepo',
  mainBranch: 'main',
  branchPrefix: 'test-',
  artifactBucket: 'bucket-1',
  region: 'us-east-1',
};

describe('routeEvent on the documented samples', () => {
  it.each(['codecommit-pullRequestCreated.json', 'codecommit-pullRequestSourceBranchUpdated.json'])(
    '%s → report on that pull request',
    (file) => {
      expect(routeEvent(awsEvent(file), config)).toEqual({
        action: 'pull-request',
        pullRequestId: '1',
        eventId: '98377d67-EXAMPLE',
      });
    },
  );

  it.each([
    'codecommit-pullRequestMergeStatusUpdated.json',
    'codecommit-pullRequestStatusChanged.json',
    'codecommit-referenceUpdated.json',
  ])('%s → ignored', (file) => {
    expect(routeEvent(awsEvent(file), config).action).toBe('ignore');
  });

  it('a model package state change in a group named like the project → report; any other group → ignored', () => {
    const event = awsEvent<{ detail: Record<string, unknown> }>('sagemaker-model-package-state-change.json');
    expect(routeEvent(event, config)).toMatchObject({
      action: 'ignore',
      reason: expect.stringContaining('versionedmp'),
    });
    event.detail.ModelPackageGroupName = 'model-mypipeline-ranker';
    expect(routeEvent(event, config)).toMatchObject({ action: 'model-package', group: 'model-mypipeline-ranker' });
  });

  it('a pipeline execution status change: Failed and Executing of a project pipeline → report; Succeeded → ignored', () => {
    const event = awsEvent<{ detail: Record<string, unknown> }>('sagemaker-pipeline-execution-status-change.json');
    expect(routeEvent(event, { ...config, projectName: 'mypipeline' })).toMatchObject({ action: 'ignore' });
    event.detail.currentPipelineExecutionStatus = 'Failed';
    expect(routeEvent(event, config)).toMatchObject({ action: 'pipeline', pipelineName: 'myPipeline-123' });
    expect(routeEvent(event, { ...config, projectName: 'other' })).toMatchObject({ action: 'ignore' });
  });

  it('rejects a pull request event of the documented type that lacks a required field, naming it', () => {
    const event = awsEvent<{ detail: Record<string, unknown> }>('codecommit-pullRequestCreated.json');
    delete event.detail.pullRequestId;
    expect(() => routeEvent(event, config)).toThrow(ValidationError);
    expect(() => routeEvent(event, config)).toThrow(/detail\.pullRequestId/);
  });
});
