/**
 * Who assumes the roles of an `external-ci` project (Jenkins or GitHub Actions): the principal kinds, their
 * validation, and the IAM principals the roles trust. Shared by the ExternalCiSource construct and the configuration
 * (lib/config.ts), which read the same patterns.
 */
import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  GITHUB_OIDC_PROVIDER_ARN_PATTERN,
  GITHUB_REPOSITORY_PATTERN,
  IAM_PRINCIPAL_ARN_PATTERN,
} from '../../../contracts/patterns';

/** GitHub Actions' OIDC issuer, without the scheme, as IAM condition keys name it. */
export const GITHUB_OIDC_ISSUER = 'token.actions.githubusercontent.com';

/** The principal that assumes the CI roles. */
export type CiPrincipal =
  /** An IAM role or user ARN, for example the role of the Jenkins controller or agents. */
  | { readonly kind: 'iam'; readonly arn: string }
  /**
   * This account: any IAM principal of the account whose own policy allows sts:AssumeRole on the roles (the
   * account's administrators decide who). The fallback when configuration names no principal.
   */
  | { readonly kind: 'account' }
  /**
   * GitHub Actions through the account's OIDC provider for token.actions.githubusercontent.com, for one repository.
   */
  | {
      readonly kind: 'github-oidc';
      /** `owner/repo`. */
      readonly repository: string;
      /**
       * ARN of the IAM OIDC provider for GitHub Actions (one per account, created once outside the project).
       * @default - arn:<partition>:iam::<account>:oidc-provider/token.actions.githubusercontent.com
       */
      readonly providerArn?: string;
    };

/** Throws, naming the prop and the fix, when the principals could let a branch build approve or are malformed. */
export function validateCiPrincipals(principal: CiPrincipal, release: CiPrincipal | undefined): void {
  if (principal.kind === 'iam') {
    if (!Token.isUnresolved(principal.arn) && !IAM_PRINCIPAL_ARN_PATTERN.test(principal.arn)) {
      throw new Error(
        `principal.arn ${JSON.stringify(principal.arn)} must be an IAM role or user ARN ` +
          '(arn:aws:iam::<account>:role/<name> or :user/<name>); assumed-role session ARNs cannot be trusted',
      );
    }
  } else if (principal.kind === 'github-oidc') {
    if (!GITHUB_REPOSITORY_PATTERN.test(principal.repository)) {
      throw new Error(`principal.repository ${JSON.stringify(principal.repository)} must be "owner/repo"`);
    }
    const providerArn = principal.providerArn;
    if (
      providerArn !== undefined &&
      !Token.isUnresolved(providerArn) &&
      !GITHUB_OIDC_PROVIDER_ARN_PATTERN.test(providerArn)
    ) {
      throw new Error(
        `principal.providerArn ${JSON.stringify(providerArn)} must be the ARN of the IAM OIDC provider ` +
          'for token.actions.githubusercontent.com',
      );
    }
  }
  if (principal.kind === 'iam' && release === undefined) {
    throw new Error(
      'releasePrincipal is required when principal is an IAM principal: every branch build runs as it, so it must ' +
        'not be able to assume the release role (give the release role a principal only jobs of main use)',
    );
  }
  if (release !== undefined) {
    if (release.kind !== 'iam') throw new Error('releasePrincipal must be an IAM principal ({ kind: "iam", arn })');
    if (!Token.isUnresolved(release.arn) && !IAM_PRINCIPAL_ARN_PATTERN.test(release.arn)) {
      throw new Error(`releasePrincipal.arn ${JSON.stringify(release.arn)} must be an IAM role or user ARN`);
    }
    if (principal.kind === 'iam' && principal.arn === release.arn) {
      throw new Error(`releasePrincipal.arn must differ from principal.arn ${JSON.stringify(principal.arn)}`);
    }
  }
}

function githubProviderArn(scope: Construct, principal: { readonly providerArn?: string }): string {
  return (
    principal.providerArn ??
    Stack.of(scope).formatArn({
      service: 'iam',
      region: '',
      resource: 'oidc-provider',
      resourceName: GITHUB_OIDC_ISSUER,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    })
  );
}

/**
 * The principals of the train role and (by default) the release role: with GitHub OIDC, the repository's branches
 * under `branchPrefix` and its `mainBranch` only.
 */
export function ciPrincipals(
  scope: Construct,
  principal: CiPrincipal,
  branchPrefix: string,
  mainBranch: string,
): [iam.IPrincipal, iam.IPrincipal] {
  if (principal.kind === 'iam') {
    return [new iam.ArnPrincipal(principal.arn), new iam.ArnPrincipal(principal.arn)];
  }
  if (principal.kind === 'account') {
    return [new iam.AccountRootPrincipal(), new iam.AccountRootPrincipal()];
  }
  const providerArn = githubProviderArn(scope, principal);
  const subject = `repo:${principal.repository}:ref:refs/heads/`;
  const audience = { [`${GITHUB_OIDC_ISSUER}:aud`]: 'sts.amazonaws.com' };
  return [
    new iam.WebIdentityPrincipal(providerArn, {
      StringEquals: audience,
      StringLike: { [`${GITHUB_OIDC_ISSUER}:sub`]: `${subject}${branchPrefix}*` },
    }),
    new iam.WebIdentityPrincipal(providerArn, {
      StringEquals: { ...audience, [`${GITHUB_OIDC_ISSUER}:sub`]: `${subject}${mainBranch}` },
    }),
  ];
}

/** Who assumes the report role: the CI principal; with GitHub OIDC, pull request workflows of the repository. */
export function ciReportPrincipal(scope: Construct, principal: CiPrincipal): iam.IPrincipal {
  if (principal.kind === 'iam') return new iam.ArnPrincipal(principal.arn);
  if (principal.kind === 'account') return new iam.AccountRootPrincipal();
  return new iam.WebIdentityPrincipal(githubProviderArn(scope, principal), {
    StringEquals: {
      [`${GITHUB_OIDC_ISSUER}:aud`]: 'sts.amazonaws.com',
      [`${GITHUB_OIDC_ISSUER}:sub`]: `repo:${principal.repository}:pull_request`,
    },
  });
}
