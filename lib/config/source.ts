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
import type { CiPrincipal } from '../constructs/source/ci-principal';
import { type Refusal, show } from './errors';
import { contextString, isUnset, optionalString } from './values';

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
/** The values of `sourceProvider` that mean `external-ci`. */
const EXTERNAL_CI_NAMES: readonly unknown[] = ['external-ci', ...Object.keys(DEPRECATED_SOURCE_PROVIDERS)];
const IAM_PRINCIPAL = 'an IAM role or user ARN (arn:aws:iam::<account>:role/<name>)';

/**
 * A CI key's schema: `schema` for an `external-ci` project; for any other, the key must not be set (checked here, in
 * the key's turn, so the message says the key does not apply before anything about its value).
 */
function ciKey(schema: z.ZodType<string | undefined>, provider: unknown): z.ZodType<string | undefined> {
  if (EXTERNAL_CI_NAMES.includes(provider)) return schema;
  return z
    .unknown()
    .refine(isUnset, {
      error: (issue) =>
        `applies only to sourceProvider "external-ci" (formerly "jenkins"), got ${show(issue.input)} with ` +
        show(provider),
    })
    .transform(() => undefined);
}

/**
 * The schemas of `sourceProvider` and the CI keys, in the order they are checked; `provider` is the context value of
 * `sourceProvider` (the CI keys apply only to `external-ci`).
 */
export function sourceShape(provider: unknown) {
  const named = isUnset(provider) ? 'codecommit' : provider;
  return {
    sourceProvider: contextString('codecommit').pipe(
      z.enum(PROVIDER_NAMES, {
        error: (issue) =>
          `must be one of ${SOURCE_PROVIDERS.map((p) => `"${p}"`).join(', ')}, got ${show(issue.input)}`,
      }),
    ),
    ciPrincipalArn: ciKey(optionalString(IAM_PRINCIPAL_ARN_PATTERN, IAM_PRINCIPAL), named),
    ciReleasePrincipalArn: ciKey(
      optionalString(IAM_PRINCIPAL_ARN_PATTERN, `${IAM_PRINCIPAL} used only by jobs of the main branch`),
      named,
    ),
    githubRepository: ciKey(optionalString(GITHUB_REPOSITORY_PATTERN, 'a GitHub repository "owner/repo"'), named),
    githubOidcProviderArn: ciKey(
      optionalString(
        GITHUB_OIDC_PROVIDER_ARN_PATTERN,
        'the ARN of the IAM OIDC provider for token.actions.githubusercontent.com',
      ),
      named,
    ),
    repositoryUrl: ciKey(optionalString(HTTPS_URL_PATTERN, 'an https:// clone URL'), named),
  };
}

type SourceValues = z.output<z.ZodObject<ReturnType<typeof sourceShape>>>;

/** The provider a context value names (`jenkins` reads as `external-ci`). */
export function providerOf(values: Pick<SourceValues, 'sourceProvider'>): SourceProvider {
  const name = values.sourceProvider;
  return name === 'jenkins' ? DEPRECATED_SOURCE_PROVIDERS[name] : name;
}

/**
 * The rules between the CI keys of an `external-ci` project: one CI principal; a release principal of its own with
 * an IAM principal (so a branch build cannot approve), none with GitHub OIDC (which already trusts only main).
 */
export function sourceRefusal(values: SourceValues): Refusal | undefined {
  if (providerOf(values) !== 'external-ci') return undefined;
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
