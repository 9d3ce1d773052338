/**
 * What the run command calls, as IAM actions, for whoever grants the build role its permissions (least privilege:
 * these actions on the project's pipelines, the artifact bucket's code prefix and the pipeline role, nothing else).
 */
export const RUN_COMMAND_PERMISSIONS = {
  /** On `arn:<partition>:s3:::<artifact bucket>/*` (the keys are `<pipeline>/code/<commit>/...`). */
  s3: ['s3:PutObject'],
  /**
   * On `arn:<partition>:sagemaker:<region>:<account>:pipeline/<project>-*` and its executions; AddTags for the tags
   * given at creation; ListPipelineExecutionSteps for `--wait` to report each model's gate.
   */
  sagemaker: [
    'sagemaker:AddTags',
    'sagemaker:CreatePipeline',
    'sagemaker:DescribePipeline',
    'sagemaker:DescribePipelineExecution',
    'sagemaker:ListPipelineExecutionSteps',
    'sagemaker:ListPipelineExecutions',
    'sagemaker:StartPipelineExecution',
    'sagemaker:UpdatePipeline',
  ],
  /**
   * Only for a pipeline file with several models (contract 1): the groups `model-<project>-<name>` of the models
   * after the first, created when missing with the tags `sagemaker:project-name` and `sagemaker:project-id`
   * (CreateModelPackageGroup with `aws:RequestTag/sagemaker:project-id` = the project's id; AddTags for the tags given
   * at creation), and an existing group's tags read to refuse one of another project (DescribeModelPackageGroup,
   * ListTags, on `model-package-group/model-<project>-*`).
   */
  modelPackageGroups: [
    'sagemaker:AddTags',
    'sagemaker:CreateModelPackageGroup',
    'sagemaker:DescribeModelPackageGroup',
    'sagemaker:ListTags',
  ],
  /** On the pipeline role (`SAGEMAKER_PIPELINE_ROLE_ARN`), with `iam:PassedToService` = `sagemaker.amazonaws.com`. */
  iam: ['iam:PassRole'],
} as const;
