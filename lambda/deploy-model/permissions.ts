/**
 * What the deploy function calls, as IAM actions: the construct grants exactly these (lib/constructs/serving/
 * deploy-automation.ts), and the integration test checks that every command the function sends needs nothing else.
 */
export const DEPLOY_PERMISSIONS = {
  /** On the served projects' versions, `model-package/model-<project>*` + `/*`. */
  readVersions: ['sagemaker:DescribeModelPackage'],
  /** ListModelPackages supports no resource-level permission. */
  listVersions: ['sagemaker:ListModelPackages'],
  /** Same account only: on the served projects' groups (the `sagemaker:project-id` check). */
  groupTags: ['sagemaker:ListTags'],
  /** On the approved artifacts in the registry account (CopyObject's source, a pinned version when recorded). */
  readArtifacts: ['s3:GetObject', 's3:GetObjectVersion'],
  /** On the registry's keys, through S3 only. */
  decryptArtifacts: ['kms:Decrypt'],
  /** On `<serving bucket>/<prefix>*`: HeadObject, CopyObject's destination, pruning. */
  writeServed: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
  /** On the serving bucket, for keys under the prefix. */
  listServed: ['s3:ListBucket'],
  /** On `parameter/multibranch-mlops/serving/<stage>/*`. */
  parameters: ['ssm:GetParameter', 'ssm:PutParameter', 'ssm:DeleteParameter'],
} as const;

/** The IAM actions each SDK command of the function needs (`<client>:<command>` → actions). */
export const COMMAND_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  'sagemaker:ListTags': ['sagemaker:ListTags'],
  'sagemaker:ListModelPackages': ['sagemaker:ListModelPackages'],
  'sagemaker:DescribeModelPackage': ['sagemaker:DescribeModelPackage'],
  's3:HeadObject': ['s3:GetObject'],
  's3:CopyObject': ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject', 'kms:Decrypt'],
  's3:DeleteObject': ['s3:DeleteObject'],
  's3:ListObjectsV2': ['s3:ListBucket'],
  'ssm:GetParameter': ['ssm:GetParameter'],
  'ssm:PutParameter': ['ssm:PutParameter'],
  'ssm:DeleteParameter': ['ssm:DeleteParameter'],
};
