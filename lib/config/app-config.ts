/** The app's configuration, as {@link readConfig} returns it: every context key read, checked and defaulted. */
import type { LOG_RETENTION_DAYS } from './limits';
import type { RetrainConfig } from './retrain';
import type { ServingConfig } from './serving';
import type { CiConfig, SourceProvider } from './source';
import type { WarehouseConfig } from './warehouse';

export interface AppConfig {
  /**
   * Context `account`: the AWS account the baseline stack is deployed to.
   * @default - the CLI's CDK_DEFAULT_ACCOUNT (from your credentials)
   */
  readonly account: string;
  /**
   * Context `region`: the AWS region the baseline stack is deployed to (one with the pipeline's images).
   * @default - the CLI's CDK_DEFAULT_REGION
   */
  readonly region: string;
  /**
   * Context `sourceProvider`: where the projects' code lives. `jenkins` (deprecated) reads as `external-ci`.
   * @default 'codecommit'
   */
  readonly sourceProvider: SourceProvider;
  /**
   * CI of an `external-ci` project (context `ciPrincipalArn`, `githubRepository`, ...).
   * @default - undefined for `codecommit`; the account as principal for `external-ci`
   */
  readonly ci?: CiConfig;
  /**
   * Context `studioPrincipalArns`: IAM role ARNs of the deployment account allowed to launch the product from
   * SageMaker Studio.
   * @default []
   */
  readonly studioPrincipalArns: readonly string[];
  /** Context `branchPrefix`: branches under it get their own pipeline. @default 'experiment/' */
  readonly branchPrefix: string;
  /** Context `mainBranch`: merges and pushes to it release a model. @default 'main' */
  readonly mainBranch: string;
  /** Context `reconcileIntervalMinutes`: how often the branch Lambda reconciles branches with branch stacks. @default 60 */
  readonly reconcileIntervalMinutes: number;
  /** Context `intentTtlDays`: how long the release Lambda remembers a release intent. @default 14 */
  readonly intentTtlDays: number;
  /**
   * Context `approveOnPushToMain`: whether a push to main approves the model of its head. Off, only a pull request
   * merge that CodeCommit confirms (merged, approved by its rules) approves.
   * @default false
   */
  readonly approveOnPushToMain: boolean;
  /** Context `logRetentionDays`: retention of the Lambda log groups. @default 90 */
  readonly logRetentionDays: (typeof LOG_RETENTION_DAYS)[number];
  /**
   * Context `productVersion`: the name of the Service Catalog product version this synth produces.
   * @default - `v<package.json version>`
   */
  readonly productVersion: string;
  /**
   * Context `productVersionLocked`: refuse to synthesize a changed template under an existing version name.
   * @default false
   */
  readonly productVersionLocked: boolean;
  /** Context `retainedProductVersions`: earlier version names kept in the product, from their snapshots. @default [] */
  readonly retainedProductVersions: readonly string[];
  /**
   * Context `releaseSnapshot`: write the current version's template to the committed `product-stack-snapshots/`
   * (`npm run release:snapshot`); any other synth writes it inside the cloud assembly only (lib/snapshots.ts).
   * @default false
   */
  readonly releaseSnapshot: boolean;
  /** Context `alarmEmail`: an address subscribed to each project's alarm topic. @default - none */
  readonly alarmEmail?: string;
  /**
   * Context `maxBranchPipelines`: at most this many branch pipelines per project; further branches are refused.
   * @default 25
   */
  readonly maxBranchPipelines: number;
  /**
   * Context `concurrentBuildLimit`: at most this many train builds of a project run at once (CodeBuild queues more).
   * @default 4
   */
  readonly concurrentBuildLimit: number;
  /**
   * Context `mainApprovers`: the approval pool of the approval rule on the main branch, as CodeCommit approval pool
   * members (IAM ARNs, `arn:aws:sts::<account>:assumed-role/<role>/*` for everyone who assumes a role).
   * @default [] (any member of the account with permission to approve)
   */
  readonly mainApprovers: readonly string[];
  /** Context `mainApprovalsRequired`: approvals a pull request into main needs (its author's never counts). @default 1 */
  readonly mainApprovalsRequired: number;
  /** Context `warehouse`: the SQL warehouse `sql:` data sources read (docs/sql-source.md). @default - none */
  readonly warehouse?: WarehouseConfig;
  /** Context `retrain`: scheduled retraining of the main branch. @default - none (off) */
  readonly retrain?: RetrainConfig;
  /** Context `serving`: the stages that serve approved models. @default - none (no serving) */
  readonly serving?: ServingConfig;
  /**
   * What the configuration accepted but should change, for the app to print (a deprecated value, such as
   * `sourceProvider=jenkins`). Never a reason to stop: bad values throw instead.
   * @default []
   */
  readonly warnings: readonly string[];
}
