/**
 * The app's one typed, validated configuration, read from CDK context (`cdk.json` and `-c key=value`).
 *
 * Every key is checked here, once, before any construct exists: a bad value throws a {@link ConfigError} that names
 * the key, the value and what is allowed, so `cdk synth` fails before it writes anything. Nothing here calls AWS.
 */
import {
  CiPrincipal,
  GITHUB_REPOSITORY,
  HTTPS_URL,
  IAM_PRINCIPAL_ARN,
  OIDC_PROVIDER_ARN,
} from './constructs/source/ci-principal';
import { platformVersion } from './seed-code';
import { SKLEARN_REGISTRIES } from '../sagemaker-pipeline/src/images';

/** Where the project's code lives: CodeCommit (built in), or elsewhere with Jenkins or GitHub Actions as CI. */
export const SOURCE_PROVIDERS = ['codecommit', 'external-ci'] as const;
export type SourceProvider = (typeof SOURCE_PROVIDERS)[number];

/** The former name of `external-ci`, still accepted: a synth with it warns ({@link AppConfig.warnings}). */
export const DEPRECATED_SOURCE_PROVIDER = 'jenkins';
export const JENKINS_DEPRECATION =
  'Context key "sourceProvider": "jenkins" is deprecated (it also means GitHub Actions); use "external-ci", which ' +
  'synthesizes the same template (-c sourceProvider=external-ci, or "sourceProvider": "external-ci" in cdk.json).';

/** Who runs CI for an `external-ci` project, and the repository Studio shows. */
export interface CiConfig {
  /** From `ciPrincipalArn` (an IAM role or user), `githubRepository` (GitHub OIDC), or neither (the account). */
  readonly principal: CiPrincipal;
  /**
   * Context `ciReleasePrincipalArn`: who assumes the release role, when it is not `principal` (required with
   * `ciPrincipalArn`, so a branch's Jenkinsfile, which runs as the train principal, cannot approve).
   */
  readonly releasePrincipal?: CiPrincipal;
  /** Context `repositoryUrl`. @default - https://github.com/<githubRepository>.git, or none */
  readonly repositoryUrl?: string;
}

/** Context keys that configure the `external-ci` source provider only. */
export const CI_CONTEXT_KEYS = [
  'ciPrincipalArn',
  'ciReleasePrincipalArn',
  'githubRepository',
  'githubOidcProviderArn',
  'repositoryUrl',
] as const;

/** Log retention values CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export interface AppConfig {
  /** The AWS account the baseline stack is deployed to (context `account`, or the CLI's CDK_DEFAULT_ACCOUNT). */
  readonly account: string;
  /** The AWS region the baseline stack is deployed to (context `region`, or the CLI's CDK_DEFAULT_REGION). */
  readonly region: string;
  /** Context `sourceProvider` (`jenkins`, deprecated, is read as `external-ci`). */
  readonly sourceProvider: SourceProvider;
  /** Deprecation messages of the configuration, which a synth reports as warnings (empty when none). */
  readonly warnings: readonly string[];
  /** CI of an `external-ci` project (context `ciPrincipalArn`, `githubRepository`, ...); undefined for `codecommit`. */
  readonly ci?: CiConfig;
  /** Context `studioPrincipalArns`: IAM role ARNs allowed to launch the product from SageMaker Studio. */
  readonly studioPrincipalArns: readonly string[];
  /** Context `branchPrefix`: branches under it get their own pipeline. */
  readonly branchPrefix: string;
  /** Context `mainBranch`: merges and pushes to it release a model. */
  readonly mainBranch: string;
  /** Context `reconcileIntervalMinutes`: how often the branch Lambda reconciles branches with branch stacks. */
  readonly reconcileIntervalMinutes: number;
  /** Context `intentTtlDays`: how long the release Lambda remembers a release intent. */
  readonly intentTtlDays: number;
  /**
   * Context `approveOnPushToMain` (default false): whether a push to main approves the model of its head. Off, only
   * a pull request merge that CodeCommit confirms (merged, approved by its rules) approves.
   */
  readonly approveOnPushToMain: boolean;
  /** Context `logRetentionDays`: retention of the Lambda log groups. */
  readonly logRetentionDays: (typeof LOG_RETENTION_DAYS)[number];
  /** Context `productVersion`: the name of the Service Catalog product version this synth produces. */
  readonly productVersion: string;
  /** Context `productVersionLocked`: refuse to synthesize a changed template under an existing version name. */
  readonly productVersionLocked: boolean;
  /** Context `retainedProductVersions`: earlier version names kept in the product, from their snapshots. */
  readonly retainedProductVersions: readonly string[];
  /**
   * Context `releaseSnapshot`: write the current version's template to the committed `product-stack-snapshots/`
   * (`npm run release:snapshot`); any other synth writes it inside the cloud assembly only (lib/snapshots.ts).
   */
  readonly releaseSnapshot: boolean;
  /** Context `alarmEmail`: an address subscribed to each project's alarm topic. @default - none */
  readonly alarmEmail?: string;
  /** Context `maxBranchPipelines`: at most this many branch pipelines per project; further branches are refused. */
  readonly maxBranchPipelines: number;
  /** Context `concurrentBuildLimit`: at most this many train builds of a project run at once (CodeBuild queues more). */
  readonly concurrentBuildLimit: number;
  /**
   * Context `mainApprovers`: the approval pool of the approval rule on the main branch, as CodeCommit approval pool
   * members (IAM ARNs, `arn:aws:sts::<account>:assumed-role/<role>/*` for everyone who assumes a role). @default - any
   * member of the account with permission to approve
   */
  readonly mainApprovers: readonly string[];
  /** Context `mainApprovalsRequired`: approvals a pull request into main needs (its author's never counts). */
  readonly mainApprovalsRequired: number;
  /** Context `warehouse`: the SQL warehouse `sql:` data sources read (docs/sql-source.md). @default - none */
  readonly warehouse?: WarehouseConfig;
  /** Context `retrain`: scheduled retraining of the main branch; undefined (off) unless set. */
  readonly retrain?: RetrainConfig;
  /** Context `serving`: the stages that serve approved models; undefined when the key is not set (no serving). */
  readonly serving?: ServingConfig;
}

/** The SQL warehouse of the projects: its Secrets Manager secret (RDS JSON shape) and where extract jobs run. */
export interface WarehouseConfig {
  /** The secret's full ARN, with the 6-character suffix Secrets Manager adds, so the grant names exactly it. */
  readonly secretArn: string;
  /** Subnets of the extract processing jobs (with a route to the warehouse and to Secrets Manager). */
  readonly subnetIds: readonly string[];
  /** Security groups of the extract processing jobs (the warehouse's must admit them). */
  readonly securityGroupIds: readonly string[];
}

/** Scheduled retraining of the main branch (docs/retraining.md). */
export interface RetrainConfig {
  /** An EventBridge Scheduler `cron(...)` (6 fields) or `rate(...)` expression. */
  readonly schedule: string;
  /** IANA time zone the cron expression and the run date are read in. @default 'UTC' */
  readonly timeZone: string;
  /** Each tuned model runs one training job; such versions are never chosen as warm-start parents. @default false */
  readonly testMode: boolean;
  /** How many of the latest Approved versions' tuning jobs warm-start a tuned model (1 to 5). @default 1 */
  readonly maxParents: number;
  /** Length of the date window SQL sources read, ending on the run date. @default 30 */
  readonly windowDays: number;
}

/** The keys of context `retrain`. */
export const RETRAIN_KEYS = ['schedule', 'timeZone', 'testMode', 'maxParents', 'windowDays'] as const;
const CRON_FIELD = /^[-0-9A-Za-z*?,/#]+$/;
const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;

/** A context value that is not allowed. The message names the key. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`Invalid configuration: context key "${key}" ${message}`);
  }
}

/** Reads a context key; `tryGetContext` in CDK apps, a plain record in tests. */
export type ContextReader = (key: string) => unknown;

const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const ACCOUNT = /^\d{12}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
/** CodeCommit approval pool members: IAM users and roles, or sessions of an assumed role (wildcards allowed). */
const APPROVAL_POOL_MEMBER =
  /^arn:aws[a-z-]*:(iam::\d{12}:(user|role)\/[\w+=,.@/*-]+|sts::\d{12}:assumed-role\/[\w+=,.@-]+\/[\w+=,.@*-]+)$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
/** The end of a branch prefix: without one, `experiment` would also match `experimental-x`. */
const PREFIX_SEPARATORS = ['/', '-', '_'] as const;

/**
 * Regions the product works in: those where SageMaker publishes the scikit-learn images the seed pipeline runs on
 * (`sagemaker-pipeline/src/images.ts`, from the SageMaker Python SDK's table). A synth for any other region is refused:
 * it would deploy, and every build there would fail on a missing image.
 */
export const SUPPORTED_REGIONS: readonly string[] = Object.keys(SKLEARN_REGISTRIES).sort();

/** What to do when the CDK CLI found no account or region: the message of a missing `account`/`region`. */
export const MISSING_ENVIRONMENT_HINT =
  'the CDK CLI found no AWS credentials to take it from. Configure credentials (`aws configure`, `AWS_PROFILE=...`, ' +
  'or `aws sso login`) and run the command again, or name the target on the command line: ' +
  '`-c account=<12-digit account id> -c region=<region>` (for example `-c account=111111111111 -c region=us-east-1`)';
/** A git branch name (a conservative subset of `git check-ref-format`): segments of [A-Za-z0-9._-] joined by `/`. */
const BRANCH_NAME = /^(?!.*\.\.)(?!.*\/\/)(?!.*\.lock(\/|$))[A-Za-z0-9_][A-Za-z0-9._/-]*$/;
/** Service Catalog provisioning artifact names: at most 100 characters; kept to a file-name-safe set. */
const VERSION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function readString(read: ContextReader, key: string, fallback: string | undefined): string {
  const value = read(key);
  if (value === undefined || value === null || value === '') {
    if (fallback === undefined) throw new ConfigError(key, 'is required and was not set');
    return fallback;
  }
  if (typeof value !== 'string') throw new ConfigError(key, `must be a string, got ${show(value)}`);
  return value;
}

/** `account` / `region`: the context, else the CLI's environment; missing both says how to provide them. */
function readEnvironment(read: ContextReader, key: 'account' | 'region', fallback: string | undefined): string {
  const value = read(key);
  if ((value === undefined || value === null || value === '') && (fallback === undefined || fallback === '')) {
    throw new ConfigError(key, `is required and was not set: ${MISSING_ENVIRONMENT_HINT}`);
  }
  return readString(read, key, fallback);
}

/**
 * `branchPrefix`: unset means the default; set, it must be a branch name start that ends with a separator, so the
 * prefix `experiment/` never matches `experimental-x`. An empty value (`-c branchPrefix=`) is refused, not
 * replaced by the default: it would otherwise silently train every branch or none.
 */
function readBranchPrefix(read: ContextReader): string {
  const raw = read('branchPrefix');
  if (raw === undefined || raw === null) return 'experiment/';
  if (raw === '') {
    throw new ConfigError(
      'branchPrefix',
      'is empty: it must name the branches that train, such as "experiment/" (remove the key for the default)',
    );
  }
  const branchPrefix = readString(read, 'branchPrefix', undefined);
  if (!BRANCH_NAME.test(branchPrefix) || branchPrefix.length > 100) {
    throw new ConfigError(
      'branchPrefix',
      `must be the start of a git branch name (letters, digits, ".", "_", "-", "/"; at most 100), got ${show(branchPrefix)}`,
    );
  }
  if (!PREFIX_SEPARATORS.some((separator) => branchPrefix.endsWith(separator))) {
    throw new ConfigError(
      'branchPrefix',
      `must end with a separator (${PREFIX_SEPARATORS.map((s) => `"${s}"`).join(', ')}), got ${show(branchPrefix)}: ` +
        `without one it would also match branches such as ${show(`${branchPrefix}al-x`)}; use ${show(`${branchPrefix}/`)}`,
    );
  }
  return branchPrefix;
}

function readEnum<T extends string>(read: ContextReader, key: string, allowed: readonly T[], fallback: T): T {
  const value = readString(read, key, fallback);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(key, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${show(value)}`);
  }
  return value as T;
}

function readInteger(read: ContextReader, key: string, min: number, max: number, fallback: number): number {
  const raw = read(key);
  if (raw === undefined || raw === null || raw === '') return fallback;
  const value = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(key, `must be an integer from ${min} to ${max}, got ${show(raw)}`);
  }
  return value;
}

function readBoolean(read: ContextReader, key: string, fallback: boolean): boolean {
  const raw = read(key);
  if (raw === undefined || raw === null || raw === '') return fallback;
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  throw new ConfigError(key, `must be true or false, got ${show(raw)}`);
}

/**
 * A list of strings: a JSON array in `cdk.json`; on the command line (`-c key=...`) a JSON array or a
 * comma-separated string.
 */
function readStringList(read: ContextReader, key: string): string[] {
  const raw = read(key);
  if (raw === undefined || raw === null || raw === '') return [];
  let value: unknown = raw;
  if (typeof raw === 'string') {
    const text = raw.trim();
    if (text.startsWith('[')) {
      try {
        value = JSON.parse(text) as unknown;
      } catch {
        throw new ConfigError(key, `must be a JSON array of strings, got ${show(raw)}`);
      }
    } else {
      value = text.split(',').map((part) => part.trim());
    }
  }
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string' && item.length > 0)) {
    throw new ConfigError(key, `must be a list of non-empty strings, got ${show(raw)}`);
  }
  return value;
}

function readOptional(read: ContextReader, key: string, pattern: RegExp, what: string): string | undefined {
  const raw = read(key);
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw !== 'string' || !pattern.test(raw)) throw new ConfigError(key, `must be ${what}, got ${show(raw)}`);
  return raw;
}

const SECRET_ARN =
  /^arn:aws[a-z-]*:secretsmanager:[a-z]{2}(-[a-z]+)+-\d:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
const SECURITY_GROUP_ID = /^sg-[0-9a-f]{8,17}$/;
const WAREHOUSE_KEYS = ['secretArn', 'subnetIds', 'securityGroupIds'] as const;

/** Context `warehouse`: an object in cdk.json, or its JSON on the command line (`-c warehouse='{...}'`). */
function readWarehouse(read: ContextReader): WarehouseConfig | undefined {
  const raw = read('warehouse');
  if (raw === undefined || raw === null || raw === '') return undefined;
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      throw new ConfigError(
        'warehouse',
        `must be a JSON object { secretArn, subnetIds, securityGroupIds }, got ${show(raw)}`,
      );
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(
      'warehouse',
      `must be an object { secretArn, subnetIds, securityGroupIds }, got ${show(raw)}`,
    );
  }
  const record = value as Record<string, unknown>;
  const unknown = Object.keys(record).filter((k) => !(WAREHOUSE_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new ConfigError(
      'warehouse',
      `has unknown keys ${unknown.join(', ')} (allowed: ${WAREHOUSE_KEYS.join(', ')})`,
    );
  }
  const secretArn = record.secretArn;
  if (typeof secretArn !== 'string' || !SECRET_ARN.test(secretArn)) {
    throw new ConfigError(
      'warehouse',
      `secretArn must be the full ARN of a Secrets Manager secret, with the 6-character suffix ` +
        `(arn:aws:secretsmanager:<region>:<account>:secret:<name>-AbCdEf), got ${show(secretArn)}`,
    );
  }
  const ids = (key: 'subnetIds' | 'securityGroupIds', pattern: RegExp, max: number, example: string) => {
    const list = record[key];
    if (
      !Array.isArray(list) ||
      list.length === 0 ||
      list.length > max ||
      !list.every((id): id is string => typeof id === 'string' && pattern.test(id))
    ) {
      throw new ConfigError('warehouse', `${key} must be a list of 1 to ${max} ids like ${example}, got ${show(list)}`);
    }
    if (new Set(list).size !== list.length) {
      throw new ConfigError('warehouse', `${key} must not repeat an id, got ${show(list)}`);
    }
    return list;
  };
  return {
    secretArn,
    subnetIds: ids('subnetIds', SUBNET_ID, 16, '"subnet-0123456789abcdef0"'),
    securityGroupIds: ids('securityGroupIds', SECURITY_GROUP_ID, 5, '"sg-0123456789abcdef0"'),
  };
}

/** The CI keys: only with sourceProvider `external-ci`, and at most one principal. */
function readCi(read: ContextReader, sourceProvider: SourceProvider): CiConfig | undefined {
  if (sourceProvider !== 'external-ci') {
    for (const key of CI_CONTEXT_KEYS) {
      const value = read(key);
      if (value !== undefined && value !== null && value !== '') {
        throw new ConfigError(
          key,
          `applies only to sourceProvider "external-ci", got ${show(value)} with ${show(sourceProvider)}`,
        );
      }
    }
    return undefined;
  }
  const arn = readOptional(
    read,
    'ciPrincipalArn',
    IAM_PRINCIPAL_ARN,
    'an IAM role or user ARN (arn:aws:iam::<account>:role/<name>)',
  );
  const repository = readOptional(read, 'githubRepository', GITHUB_REPOSITORY, 'a GitHub repository "owner/repo"');
  const providerArn = readOptional(
    read,
    'githubOidcProviderArn',
    OIDC_PROVIDER_ARN,
    'the ARN of the IAM OIDC provider for token.actions.githubusercontent.com',
  );
  const repositoryUrl = readOptional(read, 'repositoryUrl', HTTPS_URL, 'an https:// clone URL');
  if (arn !== undefined && repository !== undefined) {
    throw new ConfigError(
      'githubRepository',
      `cannot be set together with ciPrincipalArn ${show(arn)}: choose one CI principal`,
    );
  }
  const releaseArn = readOptional(
    read,
    'ciReleasePrincipalArn',
    IAM_PRINCIPAL_ARN,
    'an IAM role or user ARN (arn:aws:iam::<account>:role/<name>) used only by jobs of the main branch',
  );
  if (releaseArn !== undefined && repository !== undefined) {
    throw new ConfigError(
      'ciReleasePrincipalArn',
      'cannot be set with githubRepository: GitHub OIDC already trusts only the main branch for the release role',
    );
  }
  if (arn !== undefined && releaseArn === undefined) {
    throw new ConfigError(
      'ciReleasePrincipalArn',
      `is required with ciPrincipalArn ${show(arn)}: the release role needs a principal of its own (a Jenkins ` +
        'credential only jobs of main may use), or any branch Jenkinsfile could approve a model',
    );
  }
  if (releaseArn !== undefined && releaseArn === arn) {
    throw new ConfigError(
      'ciReleasePrincipalArn',
      `must differ from ciPrincipalArn ${show(arn)}: every branch build runs as that principal`,
    );
  }
  if (providerArn !== undefined && repository === undefined) {
    throw new ConfigError('githubOidcProviderArn', 'needs githubRepository');
  }
  const principal: CiPrincipal =
    arn !== undefined
      ? { kind: 'iam', arn }
      : repository !== undefined
        ? { kind: 'github-oidc', repository, providerArn }
        : { kind: 'account' };
  return {
    principal,
    ...(releaseArn !== undefined ? { releasePrincipal: { kind: 'iam', arn: releaseArn } as const } : {}),
    repositoryUrl,
  };
}

/**
 * Reads and validates the whole configuration. `env` supplies CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION, which the
 * CDK CLI sets from the caller's credentials; context `account` / `region` win over them (offline synth).
 */
export function readConfig(read: ContextReader, env: NodeJS.ProcessEnv = process.env): AppConfig {
  const account = readEnvironment(read, 'account', env.CDK_DEFAULT_ACCOUNT);
  if (!ACCOUNT.test(account))
    throw new ConfigError('account', `must be a 12-digit AWS account id, got ${show(account)}`);
  const region = readEnvironment(read, 'region', env.CDK_DEFAULT_REGION);
  if (!REGION.test(region))
    throw new ConfigError('region', `must be an AWS region such as "us-east-1", got ${show(region)}`);
  if (!SUPPORTED_REGIONS.includes(region)) {
    throw new ConfigError(
      'region',
      `is ${show(region)}, where SageMaker publishes no scikit-learn image for the training pipeline (every build ` +
        `would fail). Supported regions: ${SUPPORTED_REGIONS.join(', ')}`,
    );
  }

  const deprecatedProvider = read('sourceProvider') === DEPRECATED_SOURCE_PROVIDER;
  const sourceProvider: SourceProvider = deprecatedProvider
    ? 'external-ci'
    : readEnum(read, 'sourceProvider', SOURCE_PROVIDERS, 'codecommit');
  const warnings = deprecatedProvider ? [JENKINS_DEPRECATION] : [];
  const ci = readCi(read, sourceProvider);

  const studioPrincipalArns = readStringList(read, 'studioPrincipalArns');
  for (const arn of studioPrincipalArns) {
    if (!IAM_ROLE_ARN.test(arn)) {
      throw new ConfigError(
        'studioPrincipalArns',
        `must hold IAM role ARNs (arn:aws:iam::<account>:role/<name>), got ${show(arn)}`,
      );
    }
  }
  if (new Set(studioPrincipalArns).size !== studioPrincipalArns.length) {
    throw new ConfigError('studioPrincipalArns', `must not repeat an ARN, got ${show(studioPrincipalArns)}`);
  }
  for (const arn of studioPrincipalArns) {
    const principalAccount = arn.split(':')[4];
    if (principalAccount !== account) {
      throw new ConfigError(
        'studioPrincipalArns',
        `must hold roles of account ${account}, where the portfolio is deployed; ${show(arn)} is in account ` +
          `${principalAccount}. Service Catalog portfolios are shared with other accounts by portfolio sharing, ` +
          'not by principal association: deploy the baseline in that account, or name its Studio roles there',
      );
    }
  }

  const branchPrefix = readBranchPrefix(read);
  const mainBranch = readString(read, 'mainBranch', 'main');
  if (!BRANCH_NAME.test(mainBranch) || mainBranch.endsWith('/') || mainBranch.length > 100) {
    throw new ConfigError('mainBranch', `must be a git branch name such as "main", got ${show(mainBranch)}`);
  }
  if (mainBranch.startsWith(branchPrefix)) {
    throw new ConfigError(
      'mainBranch',
      `must not be under branchPrefix ${show(branchPrefix)}, got ${show(mainBranch)}`,
    );
  }

  const reconcileIntervalMinutes = readInteger(read, 'reconcileIntervalMinutes', 5, 1440, 60);
  const intentTtlDays = readInteger(read, 'intentTtlDays', 1, 365, 14);
  const approveOnPushToMain = readBoolean(read, 'approveOnPushToMain', false);
  const retention = readInteger(read, 'logRetentionDays', 1, 3653, 90);
  const logRetentionDays = LOG_RETENTION_DAYS.find((days) => days === retention);
  if (logRetentionDays === undefined) {
    throw new ConfigError(
      'logRetentionDays',
      `must be one of ${LOG_RETENTION_DAYS.join(', ')}, got ${show(retention)}`,
    );
  }

  const productVersion = readString(read, 'productVersion', platformVersion());
  if (!VERSION_NAME.test(productVersion)) {
    throw new ConfigError('productVersion', `must match ${VERSION_NAME.source}, got ${show(productVersion)}`);
  }
  const productVersionLocked = readBoolean(read, 'productVersionLocked', false);
  const retainedProductVersions = readStringList(read, 'retainedProductVersions');
  for (const name of retainedProductVersions) {
    if (!VERSION_NAME.test(name) || name === productVersion) {
      throw new ConfigError(
        'retainedProductVersions',
        `must hold earlier version names other than productVersion ${show(productVersion)}, got ${show(name)}`,
      );
    }
  }

  const releaseSnapshot = readBoolean(read, 'releaseSnapshot', false);
  const alarmEmail = readOptional(read, 'alarmEmail', EMAIL, 'an e-mail address such as ml-team@example.com');
  const maxBranchPipelines = readInteger(read, 'maxBranchPipelines', 1, 500, 25);
  const concurrentBuildLimit = readInteger(read, 'concurrentBuildLimit', 1, 100, 4);
  const mainApprovers = readStringList(read, 'mainApprovers');
  for (const member of mainApprovers) {
    if (!APPROVAL_POOL_MEMBER.test(member)) {
      throw new ConfigError(
        'mainApprovers',
        `must hold IAM ARNs of users, roles or assumed-role sessions (arn:aws:iam::<account>:user/<name>, ` +
          `arn:aws:sts::<account>:assumed-role/<role>/*), got ${show(member)}`,
      );
    }
  }
  const mainApprovalsRequired = readInteger(read, 'mainApprovalsRequired', 1, 10, 1);
  const retrain = readRetrain(read);
  if (retrain !== undefined && sourceProvider !== 'codecommit') {
    throw new ConfigError(
      'retrain',
      `needs sourceProvider "codecommit": the schedule builds the head of ${show(mainBranch)} from the project's ` +
        `CodeCommit repository, and a ${show(sourceProvider)} project keeps its code outside AWS (not supported yet; ` +
        'remove "retrain" or use codecommit)',
    );
  }

  return {
    alarmEmail,
    maxBranchPipelines,
    concurrentBuildLimit,
    mainApprovers,
    mainApprovalsRequired,
    account,
    region,
    sourceProvider,
    warnings,
    ci,
    studioPrincipalArns,
    branchPrefix,
    mainBranch,
    reconcileIntervalMinutes,
    intentTtlDays,
    approveOnPushToMain,
    logRetentionDays,
    productVersion,
    productVersionLocked,
    retainedProductVersions,
    releaseSnapshot,
    warehouse: readWarehouse(read),
    retrain,
    serving: readServing(read, account, region),
  };
}

/** Context `retrain`: an object (or its JSON on the command line), or absent / `false` for off. */
export function readRetrain(read: ContextReader): RetrainConfig | undefined {
  let raw = read('retrain');
  if (raw === undefined || raw === null || raw === '' || raw === false || raw === 'false') return undefined;
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw) as unknown;
    } catch {
      throw new ConfigError(
        'retrain',
        `must be a JSON object such as {"schedule":"cron(0 3 1 * ? *)"}, got ${show(raw)}`,
      );
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError('retrain', `must be an object such as {"schedule":"cron(0 3 1 * ? *)"}, got ${show(raw)}`);
  }
  const value = raw as Record<string, unknown>;
  const unknownKeys = Object.keys(value).filter((k) => !(RETRAIN_KEYS as readonly string[]).includes(k));
  if (unknownKeys.length > 0) {
    throw new ConfigError('retrain', `has unknown key ${show(unknownKeys[0])}; allowed: ${RETRAIN_KEYS.join(', ')}`);
  }
  // Nested keys are read with the generic readers, under their full name (`retrain.maxParents`) for the errors.
  const sub: ContextReader = (key) => value[key.replace(/^retrain\./, '')];
  const schedule = value.schedule;
  if (typeof schedule !== 'string' || schedule.trim() === '') {
    throw new ConfigError(
      'retrain.schedule',
      'is required: a cron(...) or rate(...) expression, e.g. "cron(0 3 1 * ? *)"',
    );
  }
  checkScheduleExpression(schedule);
  const timeZone = readString(sub, 'retrain.timeZone', 'UTC');
  if (!isTimeZone(timeZone)) {
    throw new ConfigError(
      'retrain.timeZone',
      `must be an IANA time zone such as "Europe/Paris" or "UTC", got ${show(timeZone)}`,
    );
  }
  return {
    schedule,
    timeZone,
    testMode: readBoolean(sub, 'retrain.testMode', false),
    maxParents: readInteger(sub, 'retrain.maxParents', 1, 5, 1),
    windowDays: readInteger(sub, 'retrain.windowDays', 1, 3650, 30),
  };
}

function isTimeZone(name: string): boolean {
  if (name === 'UTC') return true;
  try {
    // Intl throws a RangeError for a zone it does not know; Scheduler takes IANA names (Area/Location).
    new Intl.DateTimeFormat('en', { timeZone: name });
    return name.includes('/');
  } catch {
    return false;
  }
}

/** EventBridge Scheduler's recurring expressions: cron with six fields (one of day-of-month, day-of-week is `?`), or rate. */
function checkScheduleExpression(expression: string): void {
  const fail = (why: string) => {
    throw new ConfigError('retrain.schedule', `${why}, got ${show(expression)}`);
  };
  const rate = RATE.exec(expression);
  if (rate !== null) {
    const n = Number(rate[1]);
    const unit = rate[2] ?? '';
    if (n < 1) fail('must be a rate of at least 1');
    if (n === 1 && unit.endsWith('s')) fail(`must use the singular unit with 1 ("rate(1 ${unit.slice(0, -1)})")`);
    if (n > 1 && !unit.endsWith('s')) fail(`must use the plural unit with ${n} ("rate(${n} ${unit}s)")`);
    return;
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron === null) {
    fail(
      'must be a recurring EventBridge Scheduler expression: "cron(minutes hours day-of-month month day-of-week year)" or "rate(<n> minutes|hours|days)" (one-time "at(...)" schedules do not retrain)',
    );
  }
  const fields = (cron?.[1] ?? '').trim().split(/\s+/);
  if (fields.length !== 6)
    fail(`must have 6 cron fields (minutes hours day-of-month month day-of-week year), not ${fields.length}`);
  if (!fields.every((f) => CRON_FIELD.test(f)))
    fail('has a cron field with characters other than digits, letters and * ? , - / L #');
  const [, , dayOfMonth, , dayOfWeek] = fields;
  if ((dayOfMonth === '?') === (dayOfWeek === '?'))
    fail('must have "?" in exactly one of day-of-month and day-of-week');
}

/** A project a serving stage serves: its name, its SageMaker project id, and where its approved artifacts are. */
export interface ServedProjectConfig {
  readonly name: string;
  /** The SageMaker project id (`sagemaker:project-id` tag of its model package groups; Studio shows it). */
  readonly id: string;
  /**
   * The project's artifact bucket (where approved artifacts are); the deploy function may read only there.
   * @default - any bucket of the registry account (the stage role's policy says so; a cross-account stage still
   * reads only buckets whose policy grants it)
   */
  readonly artifactBucket?: string;
}

/** One serving stage: a multi-model endpoint and its deploy function, in the registry account or another. */
export interface ServingStageConfig {
  /** Lower-case name (`sandbox`, `qa`, `production`): stack `MultibranchMlops-Serving-<name>`, SSM path, endpoint. */
  readonly name: string;
  /** @default - the registry account */
  readonly account: string;
  /** @default - the app's region */
  readonly region: string;
  /** How long a version must have stayed Approved before this stage serves it. @default 0 */
  readonly delayMinutes: number;
  /** @default 'ml.m5.large' (CPU: the scikit-learn container serves multiple models on CPU) */
  readonly instanceType: string;
  /** @default 1 */
  readonly instanceCount: number;
}

export interface ServingConfig {
  /** The account of the model registry (where projects are provisioned). @default - context `account` */
  readonly registryAccount: string;
  /** The region of the model registry. @default - context `region` */
  readonly registryRegion: string;
  readonly projects: readonly ServedProjectConfig[];
  readonly stages: readonly ServingStageConfig[];
  /** Served artifacts kept per model (the current one included) before older ones are pruned. @default 5 */
  readonly retainArtifacts: number;
  /** Version of SageMaker's scikit-learn inference image. @default '1.2-1' */
  readonly frameworkVersion: string;
}

/** The context keys `serving` accepts (anything else is a typo, refused). */
export const SERVING_KEYS = ['registryAccount', 'projects', 'stages', 'retainArtifacts', 'frameworkVersion'] as const;
const STAGE_KEYS = ['name', 'account', 'region', 'delayMinutes', 'instanceType', 'instanceCount'];
const PROJECT_KEYS = ['name', 'id', 'artifactBucket'];
const STAGE_NAME = /^[a-z][a-z0-9]{0,15}$/;
/** SageMaker's project name pattern, lower case (as the product template requires). */
const SERVED_PROJECT_NAME = /^[a-z](-*[a-z0-9]){0,31}$/;
const PROJECT_ID = /^[A-Za-z0-9-]{1,16}$/;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const INSTANCE_TYPE = /^ml\.[a-z0-9]+\.[a-z0-9]+$/;
const FRAMEWORK_VERSION = /^\d+\.\d+-\d+$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `serving` as a JSON object (cdk.json) or a JSON string (`-c serving='{...}'`). */
function readServing(read: ContextReader, account: string, region: string): ServingConfig | undefined {
  const raw = read('serving');
  if (raw === undefined || raw === null || raw === '') return undefined;
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      throw new ConfigError('serving', `must be a JSON object, got ${show(raw)}`);
    }
  }
  const fail = (where: string, message: string): never => {
    throw new ConfigError('serving', `${where} ${message}`);
  };
  if (!isRecord(value)) return fail('', `must be an object with ${SERVING_KEYS.join(', ')}, got ${show(raw)}`);
  const unknownKeys = (object: Record<string, unknown>, allowed: readonly string[], where: string) => {
    for (const key of Object.keys(object)) {
      if (!allowed.includes(key)) fail(`${where}.${key}`, `is not a known key (allowed: ${allowed.join(', ')})`);
    }
  };
  unknownKeys(value, SERVING_KEYS, 'serving');
  const optionalString = (
    object: Record<string, unknown>,
    key: string,
    where: string,
    pattern: RegExp,
    what: string,
  ) => {
    const v = object[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !pattern.test(v)) return fail(`${where}.${key}`, `must be ${what}, got ${show(v)}`);
    return v;
  };
  const integer = (
    object: Record<string, unknown>,
    key: string,
    where: string,
    min: number,
    max: number,
    fallback: number,
  ) => {
    const v = object[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      return fail(`${where}.${key}`, `must be an integer from ${min} to ${max}, got ${show(v)}`);
    }
    return v;
  };

  const registryAccount =
    optionalString(value, 'registryAccount', 'serving', ACCOUNT, 'a 12-digit AWS account id') ?? account;
  const retainArtifacts = integer(value, 'retainArtifacts', 'serving', 2, 100, 5);
  const frameworkVersion =
    optionalString(value, 'frameworkVersion', 'serving', FRAMEWORK_VERSION, 'an image version such as "1.2-1"') ??
    '1.2-1';

  if (!Array.isArray(value.projects) || value.projects.length === 0) {
    fail(
      'serving.projects',
      `must list the served projects as [{"name": ..., "id": ...}], got ${show(value.projects)}`,
    );
  }
  const projects = (value.projects as unknown[]).map((p, i): ServedProjectConfig => {
    const where = `serving.projects[${i}]`;
    if (!isRecord(p)) return fail(where, `must be {"name": <project name>, "id": <project id>}, got ${show(p)}`);
    unknownKeys(p, PROJECT_KEYS, where);
    const name = optionalString(p, 'name', where, SERVED_PROJECT_NAME, 'a lower-case SageMaker project name');
    const id = optionalString(p, 'id', where, PROJECT_ID, 'the SageMaker project id (for example "p-abc123def456")');
    if (name === undefined) return fail(`${where}.name`, 'is required');
    if (id === undefined)
      return fail(`${where}.id`, 'is required (Studio shows it; it is the sagemaker:project-id tag)');
    const artifactBucket = optionalString(p, 'artifactBucket', where, BUCKET_NAME, 'an S3 bucket name');
    return { name, id, artifactBucket };
  });
  for (const key of ['name', 'id'] as const) {
    const seen = projects.map((p) => p[key]);
    const dup = seen.find((v, i) => seen.indexOf(v) !== i);
    if (dup !== undefined) fail('serving.projects', `must not repeat the ${key} ${show(dup)}`);
  }

  if (!Array.isArray(value.stages) || value.stages.length === 0) {
    fail('serving.stages', `must list at least one stage as [{"name": "sandbox"}, ...], got ${show(value.stages)}`);
  }
  const stages = (value.stages as unknown[]).map((s, i): ServingStageConfig => {
    const where = `serving.stages[${i}]`;
    if (!isRecord(s)) return fail(where, `must be an object such as {"name": "sandbox"}, got ${show(s)}`);
    unknownKeys(s, STAGE_KEYS, where);
    const name = optionalString(s, 'name', where, STAGE_NAME, 'lower-case letters and digits, at most 16');
    if (name === undefined) return fail(`${where}.name`, 'is required');
    return {
      name,
      account: optionalString(s, 'account', where, ACCOUNT, 'a 12-digit AWS account id') ?? registryAccount,
      region: optionalString(s, 'region', where, REGION, 'an AWS region such as "us-east-1"') ?? region,
      delayMinutes: integer(s, 'delayMinutes', where, 0, 60 * 24 * 90, 0),
      instanceType:
        optionalString(s, 'instanceType', where, INSTANCE_TYPE, 'a SageMaker instance type such as "ml.m5.large"') ??
        'ml.m5.large',
      instanceCount: integer(s, 'instanceCount', where, 1, 20, 1),
    };
  });
  const names = stages.map((s) => s.name);
  const dupStage = names.find((v, i) => names.indexOf(v) !== i);
  if (dupStage !== undefined) fail('serving.stages', `must not repeat the stage name ${show(dupStage)}`);
  const otherRegion = stages.find((s) => s.region !== region);
  if (otherRegion !== undefined) {
    fail(
      `serving.stages[${stages.indexOf(otherRegion)}].region`,
      `must be the registry's region ${show(region)}: model package state changes are regional events, and ` +
        `cross-region forwarding is not built, got ${show(otherRegion.region)}`,
    );
  }
  return { registryAccount, registryRegion: region, projects, stages, retainArtifacts, frameworkVersion };
}
