/**
 * Patterns of AWS identifiers and git names that more than one part checks: the CDK app's configuration
 * (lib/config/), construct props, the functions' environment (lambda/), and the seed code's CLI
 * (sagemaker-pipeline/src/). Defined once here, imported by all of them. Names with a rule of their own live with it
 * (`PROJECT_NAME_PATTERN` in ./naming).
 */

/** A 12-digit AWS account id. */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;

/** An AWS region name such as `us-east-1` or `us-gov-west-1`. */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** An IAM role ARN in any partition, path included (IAM's 512-character limit on path and name). */
export const IAM_ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** An IAM role or user ARN in any partition, path included: a principal a trust policy can name. */
export const IAM_PRINCIPAL_ARN_PATTERN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]{1,512}$/;

/** The ARN of the account's IAM OIDC provider for GitHub Actions. */
export const GITHUB_OIDC_PROVIDER_ARN_PATTERN =
  /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/;

/** A GitHub repository as `owner/repo`. */
export const GITHUB_REPOSITORY_PATTERN = /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9_.-]{1,100}$/;

/** An https:// URL without spaces (a clone URL). */
export const HTTPS_URL_PATTERN = /^https:\/\/[^\s]+$/;

/** An S3 bucket name (3 to 63 of lower-case letters, digits, `.` and `-`, starting and ending with a letter or digit). */
export const S3_BUCKET_NAME_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** An `s3://<bucket>/<key>` URI: group 1 is the bucket, group 2 the key. */
export const S3_URI_PATTERN = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/;

/** A 40-hex-digit git commit id, the only form the model registry's metadata uses. */
export const COMMIT_ID_PATTERN = /^[0-9a-f]{40}$/;

/**
 * The commit a model package was built from, at the start of its description (`commit <id>`, then anything after a
 * space, as the seed code writes it): group 1 is the commit id.
 */
export const MODEL_PACKAGE_DESCRIPTION_COMMIT_PATTERN = /^commit ([0-9a-f]{40})(?=\s|$)/;

/**
 * A git branch name (a conservative subset of `git check-ref-format`): segments of [A-Za-z0-9._-] joined by `/`, no
 * `..`, no `//`, no segment ending in `.lock`.
 */
export const BRANCH_NAME_PATTERN = /^(?!.*\.\.)(?!.*\/\/)(?!.*\.lock(\/|$))[A-Za-z0-9_][A-Za-z0-9._/-]*$/;

/** A SageMaker project id as the functions and the serving configuration take it (Studio shows `p-abc123def456`). */
export const PROJECT_ID_PATTERN = /^[A-Za-z0-9-]{1,16}$/;
