/**
 * The keys of the product and its projects: who may launch it from Studio, which branches train and which releases,
 * who approves pull requests into main, the product version, and where alarms go.
 */
import * as z from 'zod';
import { BRANCH_NAME_PATTERN, IAM_ROLE_ARN_PATTERN } from '../../contracts/patterns';
import { platformVersion } from '../seed-code';
import { mustBe, type Refusal, show } from './errors';
import { contextBoolean, contextString, firstRepeated, optionalString, stringList } from './values';

/** The end of a branch prefix: without one, `experiment` would also match `experimental-x`. */
const PREFIX_SEPARATORS = ['/', '-', '_'] as const;
/** Service Catalog provisioning artifact names: at most 100 characters; kept to a file-name-safe set. */
const VERSION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
/** CodeCommit approval pool members: IAM users and roles, or sessions of an assumed role (wildcards allowed). */
const APPROVAL_POOL_MEMBER =
  /^arn:aws[a-z-]*:(iam::\d{12}:(user|role)\/[\w+=,.@/*-]+|sts::\d{12}:assumed-role\/[\w+=,.@-]+\/[\w+=,.@*-]+)$/;

const notString = (issue: { readonly input?: unknown }) => `must be a string, got ${show(issue.input)}`;
const prefixError = mustBe('the start of a git branch name (letters, digits, ".", "_", "-", "/"; at most 100)');
const branchError = mustBe('a git branch name such as "main"');

/**
 * `branchPrefix`: unset means the default; set, it must be a branch name start that ends with a separator, so the
 * prefix `experiment/` never matches `experimental-x`. An empty value (`-c branchPrefix=`) is refused, not
 * replaced by the default: it would otherwise silently train every branch or none.
 */
const branchPrefix = z.preprocess(
  (value) => (value === undefined || value === null ? 'experiment/' : value),
  z
    .string({ error: notString })
    .min(1, {
      error: 'is empty: it must name the branches that train, such as "experiment/" (remove the key for the default)',
      abort: true,
    })
    .regex(BRANCH_NAME_PATTERN, { error: prefixError, abort: true })
    .max(100, { error: prefixError, abort: true })
    .refine((prefix) => PREFIX_SEPARATORS.some((separator) => prefix.endsWith(separator)), {
      error: (issue) => {
        const prefix = String(issue.input);
        return (
          `must end with a separator (${PREFIX_SEPARATORS.map((s) => `"${s}"`).join(', ')}), got ${show(prefix)}: ` +
          `without one it would also match branches such as ${show(`${prefix}al-x`)}; use ${show(`${prefix}/`)}`
        );
      },
    }),
);

/** The schemas of the project keys, in the order they are checked. */
export const projectShape = {
  studioPrincipalArns: stringList().pipe(
    z
      .array(
        z.string().regex(IAM_ROLE_ARN_PATTERN, {
          error: (issue) => `must hold IAM role ARNs (arn:aws:iam::<account>:role/<name>), got ${show(issue.input)}`,
        }),
      )
      .refine((arns) => firstRepeated(arns) === undefined, {
        error: (issue) => `must not repeat an ARN, got ${show(issue.input)}`,
      }),
  ),
  branchPrefix,
  mainBranch: contextString('main').pipe(
    z
      .string()
      .regex(BRANCH_NAME_PATTERN, { error: branchError })
      .refine((branch) => !branch.endsWith('/'), { error: branchError })
      .max(100, { error: branchError }),
  ),
  approveOnPushToMain: contextBoolean(false),
  productVersion: contextString(platformVersion()).pipe(
    z.string().regex(VERSION_NAME, { error: (issue) => `must match ${VERSION_NAME.source}, got ${show(issue.input)}` }),
  ),
  productVersionLocked: contextBoolean(false),
  retainedProductVersions: stringList(),
  releaseSnapshot: contextBoolean(false),
  alarmEmail: optionalString(EMAIL, 'an e-mail address such as ml-team@example.com'),
  mainApprovers: stringList().pipe(
    z.array(
      z.string().regex(APPROVAL_POOL_MEMBER, {
        error: (issue) =>
          'must hold IAM ARNs of users, roles or assumed-role sessions (arn:aws:iam::<account>:user/<name>, ' +
          `arn:aws:sts::<account>:assumed-role/<role>/*), got ${show(issue.input)}`,
      }),
    ),
  ),
};

type ProjectValues = z.output<z.ZodObject<typeof projectShape>>;

/**
 * The rules between the keys: Studio roles of the deployment account (portfolios reach other accounts by sharing,
 * not by principal association); main not under the branch prefix; retained versions other than the current one.
 */
export function projectRefusal(values: ProjectValues, account: string): Refusal | undefined {
  const foreign = values.studioPrincipalArns.find((arn) => arn.split(':')[4] !== account);
  if (foreign !== undefined) {
    return [
      ['studioPrincipalArns'],
      `must hold roles of account ${account}, where the portfolio is deployed; ${show(foreign)} is in account ` +
        `${foreign.split(':')[4]}. Service Catalog portfolios are shared with other accounts by portfolio sharing, ` +
        'not by principal association: deploy the baseline in that account, or name its Studio roles there',
    ];
  }
  if (values.mainBranch.startsWith(values.branchPrefix)) {
    return [
      ['mainBranch'],
      `must not be under branchPrefix ${show(values.branchPrefix)}, got ${show(values.mainBranch)}`,
    ];
  }
  const { productVersion } = values;
  const retained = values.retainedProductVersions.find((name) => !VERSION_NAME.test(name) || name === productVersion);
  if (retained !== undefined) {
    return [
      ['retainedProductVersions'],
      `must hold earlier version names other than productVersion ${show(productVersion)}, got ${show(retained)}`,
    ];
  }
  return undefined;
}
