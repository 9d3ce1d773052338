import { DEFAULT_INTENT_TTL_DAYS, loadReleaseConfig } from '../../../lambda/release-model/config';

const env = {
  PROJECT_NAME: 'demo',
  REPOSITORY_NAME: 'model-demo-train',
  MAIN_BRANCH: 'main',
  MODEL_PACKAGE_GROUP_NAME: 'model-demo',
  INTENT_TABLE_NAME: 'demo-release-intents',
  INTENT_TTL_DAYS: '30',
  PROJECT_ID: 'p-demo00000001',
  COMMIT_INDEX_TABLE_NAME: 'demo-commit-index',
  ARTIFACT_BUCKET_NAME: 'demo-artifacts',
  APPROVE_ON_PUSH_TO_MAIN: 'true',
};

describe('release function configuration', () => {
  it('reads every variable', () => {
    expect(loadReleaseConfig(env)).toEqual({
      projectName: 'demo',
      repositoryName: 'model-demo-train',
      mainBranch: 'main',
      modelPackageGroupName: 'model-demo',
      intentTableName: 'demo-release-intents',
      intentTtlDays: 30,
      projectId: 'p-demo00000001',
      commitIndexTableName: 'demo-commit-index',
      approveOnPushToMain: true,
      artifactBucketName: 'demo-artifacts',
    });
  });

  it('approves nothing on a push to main unless APPROVE_ON_PUSH_TO_MAIN is "true"', () => {
    const unset: NodeJS.ProcessEnv = { ...env };
    delete unset.APPROVE_ON_PUSH_TO_MAIN;
    expect(loadReleaseConfig(unset).approveOnPushToMain).toBe(false);
  });

  it('keeps an intent for the default number of days when INTENT_TTL_DAYS is not set', () => {
    const unset: NodeJS.ProcessEnv = { ...env };
    delete unset.INTENT_TTL_DAYS;
    expect(loadReleaseConfig(unset).intentTtlDays).toBe(DEFAULT_INTENT_TTL_DAYS);
  });

  it.each([
    ['PROJECT_NAME', undefined, 'PROJECT_NAME: is required'],
    ['REPOSITORY_NAME', '', 'REPOSITORY_NAME: must not be empty'],
    ['MAIN_BRANCH', 'refs/heads/main', 'MAIN_BRANCH: must be a short branch name'],
    ['MODEL_PACKAGE_GROUP_NAME', 'model_demo', 'MODEL_PACKAGE_GROUP_NAME: must match'],
    ['MODEL_PACKAGE_GROUP_NAME', undefined, 'MODEL_PACKAGE_GROUP_NAME: is required'],
    ['INTENT_TABLE_NAME', undefined, 'INTENT_TABLE_NAME: is required'],
    ['INTENT_TTL_DAYS', '1.5', 'INTENT_TTL_DAYS: must be a whole number of days'],
    ['INTENT_TTL_DAYS', '0', 'INTENT_TTL_DAYS: must be between 1 and 365 days'],
    ['PROJECT_NAME', 'demo_1', "PROJECT_NAME: must match SageMaker's project name pattern"],
    ['PROJECT_ID', undefined, 'PROJECT_ID: is required'],
    ['COMMIT_INDEX_TABLE_NAME', 'x', 'COMMIT_INDEX_TABLE_NAME: must be a DynamoDB table name'],
    ['APPROVE_ON_PUSH_TO_MAIN', 'yes', 'APPROVE_ON_PUSH_TO_MAIN: must be "true" or "false"'],
    ['ARTIFACT_BUCKET_NAME', 'Bad_Bucket', 'ARTIFACT_BUCKET_NAME: must be an S3 bucket name'],
  ])('rejects %s=%j, naming the variable', (name, value, message) => {
    const broken: NodeJS.ProcessEnv = { ...env, [name]: value };
    if (value === undefined) delete broken[name];
    expect(() => loadReleaseConfig(broken)).toThrow(
      expect.objectContaining({ name: 'ValidationError', message: expect.stringContaining(message) }),
    );
  });
});
