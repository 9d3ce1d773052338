/**
 * Early validation of construct props (issue 17), as aws-cdk-lib validates its own: in the constructor, before
 * anything is created, with zod. Only literal values are checked: a token (a CloudFormation parameter, a reference)
 * is resolved at deploy time and passes. A refused value throws a {@link PropError} that names the construct (class
 * and path), the prop, the value and the fix, so a construct used outside lib/config.ts fails as clearly.
 */
import { Duration, Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';
import { z } from 'zod';
import {
  ACCOUNT_ID_PATTERN,
  APPROVAL_POOL_MEMBER_PATTERN,
  BRANCH_NAME_PATTERN,
  EMAIL_PATTERN,
  INSTANCE_TYPE_PATTERN,
  STAGE_NAME_PATTERN,
} from '../../contracts/patterns';

/** A prop value a construct refuses. */
export class PropError extends Error {
  override readonly name = 'PropError';
}

/** What a prop must be: the schema of a literal value, what it is in words, and how to fix a bad one. */
export interface PropRule {
  /** The schema a literal value must satisfy. */
  readonly schema: z.ZodType;
  /** What the value must be, completing "must be …". */
  readonly what: string;
  /** How to fix a refused value (the configuration key, when one sets it). */
  readonly fix: string;
}

function show(value: unknown): string {
  if (value instanceof Duration) return value.toString();
  return JSON.stringify(value) ?? String(value);
}

/**
 * Throws a {@link PropError} when `value` is a literal (not a token) that `rule` refuses; `undefined` passes.
 * `where` names the construct: `<Class> at "<path>"`.
 */
export function checkProp(where: string, prop: string, value: unknown, rule: PropRule): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  const literal = Array.isArray(value) ? value.filter((item) => !Token.isUnresolved(item)) : value;
  if (rule.schema.safeParse(literal).success) return;
  throw new PropError(`${where}: prop ${prop} must be ${rule.what}, got ${show(value)}. Fix: ${rule.fix}.`);
}

/** The rules of a construct's props, by prop name; an object prop may have rules for its own keys. */
export type PropRules<P> = { readonly [K in keyof P]?: PropRule | PropRules<P[K]> };

function isRule(rule: PropRule | object): rule is PropRule {
  return 'schema' in rule;
}

/** Checks each prop that has a rule ({@link checkProp}); an object prop's keys are named `prop.key`. */
export function checkProps<P extends object>(where: string, props: P, rules: PropRules<P>, prefix = ''): void {
  for (const [prop, rule] of Object.entries(rules) as Array<[keyof P & string, PropRule | PropRules<unknown>]>) {
    const value = props[prop];
    if (isRule(rule)) checkProp(where, `${prefix}${prop}`, value, rule);
    else if (typeof value === 'object' && value !== null) checkProps(where, value, rule, `${prefix}${prop}.`);
  }
}

/**
 * The props check of a construct, declared once next to it: `const validate = propChecker<XProps>('X', { … })`;
 * the constructor runs it before it creates anything, `super(scope, validate(scope, id, props))` (it returns `id`).
 */
export function propChecker<P extends object>(
  construct: string,
  rules: PropRules<P>,
): (scope: IConstruct, id: string, props: P) => string {
  return (scope, id, props) => {
    const path = scope.node.path === '' ? id : `${scope.node.path}/${id}`;
    checkProps(`${construct} at "${path}"`, props, rules);
    return id;
  };
}

/** A string matching `pattern`. */
export function patternRule(pattern: RegExp, what: string, fix: string): PropRule {
  return { schema: z.string().regex(pattern), what, fix };
}

/** An integer from `min` to `max`; `fix` names where the value comes from. */
export function integerRule(min: number, max: number, fix: string): PropRule {
  return { schema: z.number().int().min(min).max(max), what: `an integer from ${min} to ${max}`, fix };
}

/** A Duration from `min` to `max` `unit`s (a Duration made from a token passes). */
export function durationRule(unit: 'minutes' | 'days', min: number, max: number, fix: string): PropRule {
  const amount = (d: Duration) =>
    unit === 'minutes' ? d.toMinutes({ integral: false }) : d.toDays({ integral: false });
  return {
    schema: z.custom<Duration>(
      (d) => d instanceof Duration && (d.isUnresolved() || (amount(d) >= min && amount(d) <= max)),
    ),
    what: `a duration of ${min} to ${max} ${unit}`,
    fix,
  };
}

export const EMAIL_RULE = patternRule(
  EMAIL_PATTERN,
  'an e-mail address',
  'give an address such as ml-team@example.com (context alarmEmail), or leave it out for no subscription',
);
export const MAIN_BRANCH_RULE: PropRule = {
  schema: z.string().max(100).regex(BRANCH_NAME_PATTERN).regex(/[^/]$/),
  what: 'a git branch name such as "main"',
  fix: 'use e.g. "main" (context mainBranch)',
};
/** The start of a branch name, ending with a separator so that it never matches a longer word. */
export const BRANCH_PREFIX_RULE: PropRule = {
  schema: z
    .string()
    .max(100)
    .regex(BRANCH_NAME_PATTERN)
    .regex(/[/_-]$/),
  what: 'the start of a git branch name ending with "/", "-" or "_"',
  fix: 'use e.g. "experiment/" (context branchPrefix)',
};
export const APPROVERS_RULE: PropRule = {
  schema: z.array(z.string().regex(APPROVAL_POOL_MEMBER_PATTERN)),
  what: 'IAM ARNs of users, roles or assumed-role sessions',
  fix:
    'list e.g. "arn:aws:iam::111111111111:role/Reviewers" or "arn:aws:sts::111111111111:assumed-role/Reviewers/*" ' +
    '(context mainApprovers)',
};
export const STAGE_NAME_RULE = patternRule(
  STAGE_NAME_PATTERN,
  'lower-case letters and digits, at most 16, starting with a letter',
  'name the stage e.g. "sandbox" or "qa" (context serving.stages[].name)',
);
export const REGISTRY_ACCOUNT_RULE = patternRule(
  ACCOUNT_ID_PATTERN,
  'a 12-digit AWS account id',
  'set context serving.registryAccount, or leave it out for the app account',
);
export const INSTANCE_TYPE_RULE = patternRule(
  INSTANCE_TYPE_PATTERN,
  'a SageMaker instance type',
  'use e.g. "ml.m5.large" (context serving.stages[].instanceType)',
);
export const SERVED_PROJECTS_RULE: PropRule = {
  schema: z.array(z.unknown()).min(1),
  what: 'at least one served project',
  fix: 'list them in context serving.projects',
};
/** A key prefix: ends with `/`. */
export const KEY_PREFIX_RULE = patternRule(/\/$/, 'a key prefix ending with "/"', 'end the prefix with "/"');

/** The retention values CloudWatch Logs accepts (aws-cdk-lib's RetentionDays). */
export const LOG_RETENTION_RULE: PropRule = {
  schema: z.custom<number>((days) => Object.values(logs.RetentionDays).includes(days as logs.RetentionDays)),
  what: 'a retention CloudWatch Logs accepts (logs.RetentionDays)',
  fix: 'use a logs.RetentionDays value (context logRetentionDays: 1, 3, 5, 7, 14, 30, 60, 90, ... 3653)',
};

/** EventBridge Scheduler's recurring expressions: `cron(...)` with six fields, `?` in exactly one day field; `rate(...)`. */
function isRecurringSchedule(expression: string): boolean {
  const rate = /^rate\((\d+) (minute|hour|day)(s?)\)$/.exec(expression);
  if (rate !== null) return Number(rate[1]) >= 1 && (Number(rate[1]) === 1) === (rate[3] === '');
  const fields = /^cron\((.*)\)$/.exec(expression)?.[1]?.trim().split(/\s+/) ?? [];
  return (
    fields.length === 6 &&
    fields.every((f) => /^[-0-9A-Za-z*?,/#]+$/.test(f)) &&
    (fields[2] === '?') !== (fields[4] === '?')
  );
}

export const SCHEDULE_RULE: PropRule = {
  schema: z.string().refine(isRecurringSchedule),
  what: 'a recurring EventBridge Scheduler expression, "cron(<6 fields>)" with "?" in one day field or "rate(<n> <unit>)"',
  fix: 'use e.g. "cron(0 3 1 * ? *)" or "rate(7 days)" (context retrain.schedule)',
};

export const TIME_ZONE_RULE: PropRule = {
  schema: z.string().refine((name) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: name });
      return name === 'UTC' || name.includes('/');
    } catch {
      return false;
    }
  }),
  what: 'an IANA time zone',
  fix: 'use e.g. "Europe/Paris" or "UTC" (context retrain.timeZone)',
};
