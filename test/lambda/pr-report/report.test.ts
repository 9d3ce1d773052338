/**
 * Cases moto cannot play: it answers ListTags of a missing resource with an HTML error page, where SageMaker answers
 * a not-found error (mocked here with the SDK's own error shape).
 */
import { CodeCommitClient, ListPullRequestsCommand } from '@aws-sdk/client-codecommit';
import { S3Client } from '@aws-sdk/client-s3';
import { ListTagsCommand, ResourceNotFound, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { handlePrReportEvent } from '../../../lambda/pr-report/report';
import { createLogger } from '../../../lambda/shared/logger';
import { awsEvent } from '../../support/fixtures';

const codecommit = mockClient(CodeCommitClient);
const sagemaker = mockClient(SageMakerClient);

it('ignores a model package event of a group that does not exist (forged, or deleted since)', async () => {
  codecommit.on(ListPullRequestsCommand).resolves({ pullRequestIds: [] });
  sagemaker
    .on(ListTagsCommand)
    .rejects(new ResourceNotFound({ message: 'model-package-group/model-demo-gone not found', $metadata: {} }));
  const event = awsEvent<{ detail: Record<string, unknown> }>('sagemaker-model-package-state-change.json');
  event.detail.ModelPackageGroupName = 'model-demo-gone';
  event.detail.ModelPackageArn = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/model-demo-gone/1';
  const result = await handlePrReportEvent(event, {
    config: {
      projectName: 'demo',
      projectId: 'p-1',
      repositoryName: 'model-demo-train',
      mainBranch: 'main',
      branchPrefix: 'experiment/',
      artifactBucket: 'demo-artifacts',
      region: 'us-east-1',
    },
    codecommit: new CodeCommitClient({}),
    sagemaker: new SageMakerClient({}),
    s3: new S3Client({}),
    authorArn: async () => 'arn:aws:sts::123456789012:assumed-role/r/s',
    logger: createLogger({}, { write: () => undefined }),
  });
  expect(result).toMatchObject({ outcome: 'ignored', message: expect.stringContaining('does not exist') });
});
