/**
 * The source providers by name (context `sourceProvider`): what each needs built before synthesis, and how the
 * project template creates it. The one place that maps a provider name to its strategy.
 */
import { Construct } from 'constructs';
import { CodeCommitProjectSource } from './codecommit-project-source';
import { ExternalCiProjectSource } from './external-ci-project-source';
import { ProjectBuildInputs, ProjectSource } from './project-source';
import type { SourceProvider } from '../../config';
import type { ProjectConfig } from '../../project-product-stack';

export * from './project-source';
export { CodeCommitProjectSource } from './codecommit-project-source';
export { ExternalCiProjectSource } from './external-ci-project-source';

/** What the project template gives the provider it creates. */
export interface ProjectSourceOptions {
  /** The SageMaker project name; a CloudFormation parameter in the product stack. */
  readonly projectName: string;
  /** The project's configuration. */
  readonly config: ProjectConfig;
  /**
   * The files built before synthesis.
   * @default - none (a provider that needs them throws, naming the fix)
   */
  readonly buildInputs?: ProjectBuildInputs;
}

export interface SourceProviderEntry {
  /** Whether the provider's project needs {@link ProjectBuildInputs} (the seed code and the per-branch template). */
  readonly needsBuildInputs: boolean;
  /** Creates the provider's source in `scope` (the product stack). */
  readonly create: (scope: Construct, options: ProjectSourceOptions) => ProjectSource;
}

export const SOURCE_PROVIDER_ENTRIES: Record<SourceProvider, SourceProviderEntry> = {
  codecommit: {
    needsBuildInputs: true,
    create: (scope, { projectName, config, buildInputs }) =>
      new CodeCommitProjectSource(scope, {
        projectName,
        buildInputs,
        branchPrefix: config.branchPrefix,
        mainBranch: config.mainBranch,
        reconcileIntervalMinutes: config.reconcileIntervalMinutes,
        maxBranchPipelines: config.maxBranchPipelines,
        mainApprovers: config.mainApprovers,
        mainApprovalsRequired: config.mainApprovalsRequired,
        retrain: config.retrain,
      }),
  },
  'external-ci': {
    needsBuildInputs: false,
    create: (_scope, { projectName, config }) =>
      new ExternalCiProjectSource({
        projectName,
        principal: config.ci?.principal ?? { kind: 'account' },
        releasePrincipal: config.ci?.releasePrincipal,
        branchPrefix: config.branchPrefix,
        mainBranch: config.mainBranch,
        repositoryUrl: config.ci?.repositoryUrl,
      }),
  },
};

/** The entry of `provider`; throws, naming the allowed values, for a name no strategy has. */
export function sourceProviderEntry(provider: SourceProvider): SourceProviderEntry {
  const entry = SOURCE_PROVIDER_ENTRIES[provider] as SourceProviderEntry | undefined;
  if (entry === undefined) {
    throw new Error(
      `sourceProvider ${JSON.stringify(provider)} is not one of ${Object.keys(SOURCE_PROVIDER_ENTRIES).join(', ')}`,
    );
  }
  return entry;
}

/** The source of a project whose configuration names `provider`. */
export function createProjectSource(
  scope: Construct,
  provider: SourceProvider,
  options: ProjectSourceOptions,
): ProjectSource {
  return sourceProviderEntry(provider).create(scope, options);
}
