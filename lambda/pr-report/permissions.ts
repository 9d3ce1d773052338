/**
 * The API actions the report makes, by resource, shared by the function's IAM policy
 * (lib/constructs/pr-report.ts), the GitHub report policy (lib/constructs/source/external-ci-source.ts) and the test that checks
 * each call the code makes is in one of them (test/lambda/pr-report/permissions.test.ts).
 */

/** On the project's repository. */
export const PR_REPORT_CODECOMMIT_ACTIONS = [
  'codecommit:GetPullRequest',
  'codecommit:ListPullRequests',
  'codecommit:GetCommentsForPullRequest',
  'codecommit:PostCommentForPullRequest',
  'codecommit:UpdateComment',
] as const;

/** On the project's model package groups (membership: the `sagemaker:project-id` tag). */
export const PR_REPORT_GROUP_ACTIONS = ['sagemaker:ListTags'] as const;
/** On the versions of the project's groups. */
export const PR_REPORT_PACKAGE_ACTIONS = ['sagemaker:DescribeModelPackage'] as const;
/** On the project's branch pipelines. */
export const PR_REPORT_PIPELINE_ACTIONS = ['sagemaker:ListPipelineExecutions'] as const;
/** On executions of the project's branch pipelines. */
export const PR_REPORT_EXECUTION_ACTIONS = [
  'sagemaker:DescribePipelineDefinitionForExecution',
  'sagemaker:ListPipelineExecutionSteps',
] as const;
/** Support no resource-level permission. */
export const PR_REPORT_LIST_ACTIONS = ['sagemaker:ListModelPackageGroups', 'sagemaker:ListModelPackages'] as const;
/** What reading metrics needs (the GitHub variant's read-only policy): everything but the CodeCommit actions. */
export const PR_REPORT_READ_ACTIONS = [
  ...PR_REPORT_GROUP_ACTIONS,
  ...PR_REPORT_PACKAGE_ACTIONS,
  ...PR_REPORT_PIPELINE_ACTIONS,
  ...PR_REPORT_EXECUTION_ACTIONS,
  ...PR_REPORT_LIST_ACTIONS,
  's3:GetObject',
] as const;
