/**
 * Context `sourceProvider` and the keys of an `external-ci` project: who runs its CI (an IAM principal, GitHub OIDC,
 * or the account) and the repository Studio shows. `jenkins`, the provider's former name, is still accepted and
 * reported as deprecated.
 */
import * as z from 'zod';
import {
  GITHUB_OIDC_PROVIDER_ARN_PATTERN,
  GITHUB_REPOSITORY_PATTERN,
  HTTPS_URL_PATTERN,
  IAM_PRINCIPAL_ARN_PATTERN,
} from '../../contracts/patterns';
import type { CiPrincipal } from '../constructs/jenkins-source';
import { type Refusal, show } from './errors';
import { contextString, optionalString } from './values';

/**
 * Where the project's code lives: `codecommit` (a repository created per project, built in), or `external-ci` (any
 * git server, with Jenkins, GitHub Actions or any CI driving the builds).
 */
export const SOURCE_PROVIDERS = ['codecommit', 'external-ci'] as const;
export type SourceProvider = (typeof SOURCE_PROVIDERS)[number];

/** Former names of source providers, still accepted: each reads as its new name and adds a warning. */
export const DEPRECATED_SOURCE_PROVIDERS = { jenkins: 'external-ci' } as const satisfies Record<string, SourceProvider>;

/** The warning of context `sourceProvider=jenkins`. */
export const JENKINS_DEPRECATION =
  "sourceProvider 'jenkins' is deprecated: use 'external-ci' (same behaviour: Jenkins, GitHub Actions or any CI)";

/** Who runs CI for an `external-ci` project, and the repository Studio shows. */
export interface CiConfig {
  /** From `ciPrincipalArn` (an IAM role or user), `githubRepository` (GitHub OIDC), or neither (the account). */
  readonly principal: CiPrincipal;
  /**
   * Context `ciReleasePrincipalArn`: who assumes the release role, when it is not `principal` (required with
   * `ciPrincipalArn`, so a branch's Jenkinsfile, which runs as the train principal, cannot approve).
   * @default - `principal` (GitHub OIDC: the main branch only; the account)
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

const PROVIDER_NAMES = [...SOURCE_PROVIDERS, ...(Object.keys(DEPRECATED_SOURCE_PROVIDERS) as ['jenkins'])] as const;
const IAM_PRINCIPAL = 'an IAM role or user ARN (arn:aws:iam::<account>:role/<name>)';

/** The schemas of `sourceProvider` and the CI keys, in the order they are checked. */
export const sourceShape = {
  sourceProvider: contextString('codecommit').pipe(
    z.enum(PROVIDER_NAMES, {
      error: (issue) => `must be one of ${SOURCE_PROVIDERS.map((p) => `"${p}"`).join(', ')}, got ${show(issue.input)}`,
    }),
  ),
  ciPrincipalArn: optionalString(IAM_PRINCIPAL_ARN_PATTERN, IAM_PRINCIPAL),
  githubRepository: optionalString(GITHUB_REPOSITORY_PATTERN, 'a GitHub repository "owner/repo"'),
  githubOidcProviderArn: optionalString(
    GITHUB_OIDC_PROVIDER_ARN_PATTERN,
    'the ARN of the IAM OIDC provider for token.actions.githubusercontent.com',
  ),
  repositoryUrl: optionalString(HTTPS_URL_PATTERN, 'an https:// clone URL'),
  ciReleasePrincipalArn: optionalString(
    IAM_PRINCIPAL_ARN_PATTERN,
    `${IAM_PRINCIPAL} used only by jobs of the main branch`,
  ),
};

type SourceValues = z.output<z.ZodObject<typeof sourceShape>>;

/** The provider a context value names (`jenkins` reads as `external-ci`). */
export function providerOf(values: Pick<SourceValues, 'sourceProvider'>): SourceProvider {
  const name = values.sourceProvider;
  return name === 'jenkins' ? DEPRECATED_SOURCE_PROVIDERS[name] : name;
}

/**
 * The rules between the keys: CI keys only with `external-ci`; one CI principal; a release principal of its own with
 * an IAM principal (so a branch build cannot approve), none with GitHub OIDC (which already trusts only main).
 */
export function sourceRefusal(values: SourceValues): Refusal | undefined {
  const provider = providerOf(values);
  if (provider !== 'external-ci') {
    const key = CI_CONTEXT_KEYS.find((k) => values[k] !== undefined);
    return key === undefined
      ? undefined
      : [
          [key],
          `applies only to sourceProvider "external-ci" (formerly "jenkins"), got ${show(values[key])} with ` +
            show(provider),
        ];
  }
  const { ciPrincipalArn: arn, githubRepository: repository, ciReleasePrincipalArn: releaseArn } = values;
  if (arn !== undefined && repository !== undefined) {
    return [['githubRepository'], `cannot be set together with ciPrincipalArn ${show(arn)}: choose one CI principal`];
  }
  if (releaseArn !== undefined && repository !== undefined) {
    return [
      ['ciReleasePrincipalArn'],
      'cannot be set with githubRepository: GitHub OIDC already trusts only the main branch for the release role',
    ];
  }
  if (arn !== undefined && releaseArn === undefined) {
    return [
      ['ciReleasePrincipalArn'],
      `is required with ciPrincipalArn ${show(arn)}: the release role needs a principal of its own (a Jenkins ` +
        'credential only jobs of main may use), or any branch Jenkinsfile could approve a model',
    ];
  }
  if (releaseArn !== undefined && releaseArn === arn) {
    return [
      ['ciReleasePrincipalArn'],
      `must differ from ciPrincipalArn ${show(arn)}: every branch build runs as that principal`,
    ];
  }
  if (values.githubOidcProviderArn !== undefined && repository === undefined) {
    return [['githubOidcProviderArn'], 'needs githubRepository'];
  }
  return undefined;
}

/** The CI of an `external-ci` project; undefined for `codecommit`. */
export function ciOf(values: SourceValues): CiConfig | undefined {
  if (providerOf(values) !== 'external-ci') return undefined;
  const { ciPrincipalArn: arn, githubRepository: repository, ciReleasePrincipalArn: releaseArn } = values;
  const principal: CiPrincipal =
    arn !== undefined
      ? { kind: 'iam', arn }
      : repository !== undefined
        ? { kind: 'github-oidc', repository, providerArn: values.githubOidcProviderArn }
        : { kind: 'account' };
  return {
    principal,
    ...(releaseArn !== undefined ? { releasePrincipal: { kind: 'iam', arn: releaseArn } as const } : {}),
    repositoryUrl: values.repositoryUrl,
  };
}

/** The warnings of the source keys: a deprecated provider name. */
export function sourceWarnings(values: Pick<SourceValues, 'sourceProvider'>): string[] {
  return values.sourceProvider === 'jenkins' ? [JENKINS_DEPRECATION] : [];
}
