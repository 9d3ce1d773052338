/**
 * What the run command calls, as IAM actions, for whoever grants the build role its permissions (least privilege:
 * these actions on the project's pipelines, the artifact bucket's code prefix and the pipeline role, nothing else).
 */
export const RUN_COMMAND_PERMISSIONS = {
  /** On `arn:<partition>:s3:::<artifact bucket>/*` (the keys are `<pipeline>/code/<commit>/...`). */
  s3: ['s3:PutObject'],
  /** On `arn:<partition>:sagemaker:<region>:<account>:pipeline/<project>-*`; AddTags for the tags given at creation. */
  sagemaker: [
    'sagemaker:AddTags',
    'sagemaker:CreatePipeline',
    'sagemaker:DescribePipeline',
    'sagemaker:DescribePipelineExecution',
    'sagemaker:ListPipelineExecutions',
    'sagemaker:StartPipelineExecution',
    'sagemaker:UpdatePipeline',
  ],
  /** On the pipeline role (`SAGEMAKER_PIPELINE_ROLE_ARN`), with `iam:PassedToService` = `sagemaker.amazonaws.com`. */
  iam: ['iam:PassRole'],
} as const;
