/**
 * Names of everything that exists once per experiment branch, derived from the project and the branch name.
 *
 * Pure functions, shared by the branch Lambda, the release Lambda, the CDK app and the SageMaker pipeline run
 * command, so that every part computes the same name for the same branch.
 *
 * Encoding of a branch into a name-safe "slug":
 * - Ordinary branches, whose `/`-separated segments are lower-case `[a-z0-9]` words joined by single hyphens
 *   (`experiment/deeper-trees`), map losslessly: `/` becomes `--` (`experiment--deeper-trees`). Because segments
 *   cannot contain `--` nor start or end with `-`, this is reversible, so distinct branches get distinct names.
 * - Any other branch (upper case, underscores, dots, unicode, shell characters, ...), and any name that would be too
 *   long for the service, keeps a readable sanitized part and ends with `---` and a hash of the full branch name.
 *   `---` never occurs in a lossless slug, so a hashed name never equals a lossless one.
 * - Upper case is hashed because SageMaker treats names case-insensitively (its ARNs are lower case): git's
 *   `experiment/Foo` and `experiment/foo` are two branches, so they must not differ only in case.
 */
import { createHash } from 'node:crypto';

/**
 * SageMaker's rule for project names (CreateProject ProjectName: `^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}`, so `Churn`
 * and `1churn` are valid), together with its 32-character limit.
 */
export const PROJECT_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}$/;
export const PROJECT_NAME_MAX_LENGTH = 32;

const LOSSLESS_BRANCH = /^[a-z0-9]+(-[a-z0-9]+)*(\/[a-z0-9]+(-[a-z0-9]+)*)*$/;
const HASH_SEPARATOR = '---';
/**
 * Hex digits of the branch hash: 16 (64 bits), so two branches of a project collide with a chance of about n²/2⁶⁵
 * (10⁻⁸ at a million hashed branch names). Names made before 0.2 used 10 (40 bits: a collision is likely after about
 * a million names); {@link legacyBranchNames} still recognizes them.
 */
export const HASH_LENGTH = 16;
export const LEGACY_HASH_LENGTH = 10;

export class InvalidNameError extends Error {
  override readonly name = 'InvalidNameError';
}

/** Hex digest prefix of the full branch name: what keeps names apart when sanitizing or truncating loses information. */
export function branchHash(branchName: string, length: number = HASH_LENGTH): string {
  return createHash('sha256').update(branchName, 'utf8').digest('hex').slice(0, length);
}

export function assertProjectName(projectName: string): void {
  if (projectName.length > PROJECT_NAME_MAX_LENGTH) {
    throw new InvalidNameError(
      `project name ${JSON.stringify(projectName)} is longer than ${PROJECT_NAME_MAX_LENGTH} characters`,
    );
  }
  if (!PROJECT_NAME_PATTERN.test(projectName)) {
    throw new InvalidNameError(
      `project name ${JSON.stringify(projectName)} does not match SageMaker's pattern ${PROJECT_NAME_PATTERN.source}`,
    );
  }
}

export function assertBranchName(branchName: string): void {
  if (typeof branchName !== 'string' || branchName.length === 0) {
    throw new InvalidNameError('branch name must be a non-empty string');
  }
  if (branchName.startsWith('refs/')) {
    throw new InvalidNameError(`branch name ${JSON.stringify(branchName)} must be the short name, not a full ref`);
  }
}

/**
 * The slug of `branchName`, at most `maxLength` characters, made of `[A-Za-z0-9-]`, starting and ending with a
 * letter or digit.
 */
export function branchSlug(branchName: string, maxLength: number, hashLength: number = HASH_LENGTH): string {
  assertBranchName(branchName);
  if (maxLength < HASH_SEPARATOR.length + hashLength + 1) {
    throw new InvalidNameError(`maxLength ${maxLength} leaves no room for a branch slug`);
  }
  if (LOSSLESS_BRANCH.test(branchName)) {
    const lossless = branchName.split('/').join('--');
    if (lossless.length <= maxLength) return lossless;
  }
  const budget = maxLength - HASH_SEPARATOR.length - hashLength;
  const readable = branchName
    .replace(/[^A-Za-z0-9]+/g, '-')
    .slice(0, budget)
    .replace(/^-+|-+$/g, '');
  const hash = branchHash(branchName, hashLength);
  // A branch with no letter or digit still gets the separator, so it can never equal a lossless slug.
  return `${readable.length > 0 ? readable : 'b'}${HASH_SEPARATOR}${hash}`;
}

function named(
  projectName: string,
  infix: string,
  branchName: string,
  maxLength: number,
  hashLength: number = HASH_LENGTH,
): string {
  assertProjectName(projectName);
  const head = `${projectName}-${infix}`;
  return `${head}${branchSlug(branchName, maxLength - head.length, hashLength)}`;
}

/**
 * What every branch stack name starts with: CloudFormation stack names start with a letter, SageMaker project names
 * may start with a digit (`1churn`).
 */
export const BRANCH_STACK_PREFIX = 'mbm-';

/** The start of every branch stack name of the project (IAM scopes the branch function's stacks by it). */
export function branchStackPrefix(projectName: string): string {
  return `${BRANCH_STACK_PREFIX}${projectName}-branch-`;
}

/**
 * The start of the branch stack names of versions before 0.2 (`<project>-branch-<slug>`): the branch function still
 * finds and deletes such stacks (by the project's tags, never by the name alone).
 */
export function legacyBranchStackPrefix(projectName: string): string {
  return `${projectName}-branch-`;
}

/** CloudFormation stack of the branch: `mbm-<project>-branch-<slug>`, letter first, `[A-Za-z0-9-]`, at most 128. */
export function branchStackName(projectName: string, branchName: string): string {
  return BRANCH_STACK_PREFIX + named(projectName, 'branch-', branchName, 128 - BRANCH_STACK_PREFIX.length);
}

/** CodePipeline pipeline of the branch: `[A-Za-z0-9.@_-]`, at most 100 characters. */
export function codePipelineName(projectName: string, branchName: string): string {
  return named(projectName, '', branchName, 100);
}

/** SageMaker pipeline of the branch: `[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}`. */
export function sageMakerPipelineName(projectName: string, branchName: string): string {
  return named(projectName, '', branchName, 256);
}

/**
 * The names the branch had before the hash grew to 16 hex digits (10 then), or undefined when they are the current
 * ones (a branch whose names are not hashed). The branch function still finds, heals and deletes what was created
 * under them; the tag value is compared the same way.
 */
export function legacyBranchNames(
  projectName: string,
  branchName: string,
): { stack: string; codePipeline: string; sageMakerPipeline: string; tag: string } | undefined {
  const legacy = {
    stack: named(projectName, 'branch-', branchName, 128, LEGACY_HASH_LENGTH),
    codePipeline: named(projectName, '', branchName, 100, LEGACY_HASH_LENGTH),
    sageMakerPipeline: named(projectName, '', branchName, 256, LEGACY_HASH_LENGTH),
    tag: tagValue(branchName, LEGACY_HASH_LENGTH),
  };
  return legacy.stack === branchStackName(projectName, branchName) &&
    legacy.sageMakerPipeline === sageMakerPipelineName(projectName, branchName) &&
    legacy.tag === branchTagValue(branchName)
    ? undefined
    : legacy;
}

/** Tags every per-branch resource carries; the branch Lambda only touches stacks that carry the project's. */
export const TAG_PROJECT_NAME = 'sagemaker:project-name';
export const TAG_PROJECT_ID = 'sagemaker:project-id';
export const TAG_BRANCH = 'multibranch-mlops:branch';

/** AWS's rule for tag values: at most 256 characters of letters, spaces, digits and `_.:/=+-@`. */
export const TAG_VALUE_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const TAG_VALUE_MAX_LENGTH = 256;

/**
 * The value of the `multibranch-mlops:branch` tag: the branch itself when it is a valid tag value, otherwise its
 * allowed characters (others become `-`), cut to fit, followed by `---` and the branch hash. The exact branch name
 * is kept in the branch stack's `BranchName` parameter.
 */
export function branchTagValue(branchName: string): string {
  return tagValue(branchName, HASH_LENGTH);
}

function tagValue(branchName: string, hashLength: number): string {
  assertBranchName(branchName);
  if (branchName.length <= TAG_VALUE_MAX_LENGTH && TAG_VALUE_PATTERN.test(branchName)) return branchName;
  const budget = TAG_VALUE_MAX_LENGTH - HASH_SEPARATOR.length - hashLength;
  let readable = '';
  // Whole code points only, counted in UTF-16 units (never fewer than AWS's characters).
  for (const char of branchName.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]+/gu, '-')) {
    if (readable.length + char.length > budget) break;
    readable += char;
  }
  return `${readable}${HASH_SEPARATOR}${branchHash(branchName, hashLength)}`;
}

/** `refs/heads/x` → `x`; anything that is not a branch ref → undefined. */
export function branchFromRef(ref: string): string | undefined {
  return ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
}

/** Whether `branchName` is an experiment branch: under the prefix, with something after it. */
export function isUnderPrefix(branchName: string, prefix: string): boolean {
  return branchName.startsWith(prefix) && branchName.length > prefix.length;
}

/**
 * SageMaker pipeline of the main branch, which retrains on a schedule: `<project>-main` for the branch `main`. It is
 * the branch's own name (`sageMakerPipelineName`), so no experiment branch can be given main's pipeline.
 */
export function mainPipelineName(projectName: string, mainBranch = 'main'): string {
  return sageMakerPipelineName(projectName, mainBranch);
}
