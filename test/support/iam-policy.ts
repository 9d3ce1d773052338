/**
 * An IAM policy evaluator for tests: does a set of identity policies allow one request?
 *
 *   isAllowed(policies, 'events:ListTargetsByRule', 'arn:aws:events:us-east-1:111111111111:rule/SC-1-pp-x-Rule')
 *   isAllowed(policies, 'iam:PassRole', roleArn, { 'iam:PassedToService': 'lambda.amazonaws.com' })
 *
 * What it evaluates, as the IAM User Guide's "Policy evaluation logic" describes it for one identity:
 * - an explicit `Deny` wins; otherwise an `Allow` whose action, resource and conditions all match allows; otherwise
 *   the request is implicitly denied;
 * - `Action` / `NotAction`: case-insensitive, `*` and `?` wildcards;
 * - `Resource` / `NotResource`: case-sensitive, `*` and `?` wildcards (ARN segments are not treated specially,
 *   as IAM does not for `*`); a request resource of `*` stands for an action without resource-level permissions,
 *   and only a statement whose resource is `*` grants it;
 * - `Condition`: `String(Not)Equals(IgnoreCase)`, `String(Not)Like`, `Arn(Not)Equals`, `Arn(Not)Like`, `Bool`,
 *   `Null`, with `...IfExists` and the `ForAnyValue:` / `ForAllValues:` set prefixes; keys are case-insensitive;
 *   a key the context lacks fails the operator (negated operators and `IfExists` pass, as IAM documents).
 * What it does not: resource policies, permission boundaries, SCPs, session policies, policy variables (`${...}`
 * throws), numeric/date/IP operators (throw). An operator it does not know throws rather than guessing, so a
 * condition can never silently pass or fail.
 */

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: PolicyStatement | readonly PolicyStatement[];
}

/** Condition keys of the request, e.g. `{ 'iam:PassedToService': 'lambda.amazonaws.com' }`. */
export type RequestContext = Readonly<Record<string, string | readonly string[] | boolean | undefined>>;

export type Decision = 'allowed' | 'implicitly-denied' | 'explicitly-denied';

export interface Evaluation {
  readonly decision: Decision;
  /** Sids (or statement indexes) of the statements that allowed or denied the request. */
  readonly statements: readonly string[];
}

export class PolicyEvaluationError extends Error {
  override readonly name = 'PolicyEvaluationError';
}

const list = <T>(value: T | readonly T[] | undefined): readonly T[] =>
  value === undefined ? [] : Array.isArray(value) ? (value as readonly T[]) : [value as T];

/** Whether `policies` allow `action` on `resource` with the request's condition keys `context`. */
export function isAllowed(
  policies: readonly PolicyDocument[],
  action: string,
  resource: string,
  context: RequestContext = {},
): boolean {
  return evaluate(policies, action, resource, context).decision === 'allowed';
}

/** The decision and the statements that made it. */
export function evaluate(
  policies: readonly PolicyDocument[],
  action: string,
  resource: string,
  context: RequestContext = {},
): Evaluation {
  if (!/^[A-Za-z0-9-]+:[A-Za-z0-9]+$/.test(action)) {
    throw new PolicyEvaluationError(`the request action ${JSON.stringify(action)} is not service:Action`);
  }
  const allows: string[] = [];
  const denies: string[] = [];
  policies.forEach((policy, p) => {
    list(policy.Statement).forEach((statement, s) => {
      const id = statement.Sid ?? `policy ${p} statement ${s}`;
      if (!statementMatches(statement, action, resource, context, id)) return;
      (statement.Effect === 'Deny' ? denies : allows).push(id);
    });
  });
  if (denies.length > 0) return { decision: 'explicitly-denied', statements: denies };
  if (allows.length > 0) return { decision: 'allowed', statements: allows };
  return { decision: 'implicitly-denied', statements: [] };
}

/** Compiled wildcard patterns: the oracles test the same few hundred patterns tens of thousands of times. */
const compiled = new Map<string, RegExp>();

/** `*` and `?` wildcard match of a whole string. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let regex = compiled.get(key);
  if (regex === undefined) {
    const source = pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&')))
      .join('');
    regex = new RegExp(`^${source}$`, ignoreCase ? 'is' : 's');
    compiled.set(key, regex);
  }
  return regex.test(value);
}

function statementMatches(
  statement: PolicyStatement,
  action: string,
  resource: string,
  context: RequestContext,
  id: string,
): boolean {
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
    throw new PolicyEvaluationError(`${id}: Effect must be Allow or Deny, got ${JSON.stringify(statement.Effect)}`);
  }
  const actionHit = (patterns: readonly string[]) => patterns.some((p) => wildcardMatch(p, action, true));
  if (statement.Action !== undefined && !actionHit(list(statement.Action))) return false;
  if (statement.NotAction !== undefined && actionHit(list(statement.NotAction))) return false;
  if (statement.Action === undefined && statement.NotAction === undefined) {
    throw new PolicyEvaluationError(`${id}: a statement needs Action or NotAction`);
  }
  const resourceHit = (patterns: readonly string[]) =>
    patterns.some((p) => {
      if (typeof p !== 'string') throw new PolicyEvaluationError(`${id}: unresolved resource ${JSON.stringify(p)}`);
      if (p.includes('${')) throw new PolicyEvaluationError(`${id}: policy variables are not evaluated (${p})`);
      return resource === '*' ? p === '*' : wildcardMatch(p, resource);
    });
  if (statement.Resource !== undefined && !resourceHit(list(statement.Resource))) return false;
  if (statement.NotResource !== undefined && resourceHit(list(statement.NotResource))) return false;
  if (statement.Resource === undefined && statement.NotResource === undefined) {
    throw new PolicyEvaluationError(`${id}: a statement needs Resource or NotResource`);
  }
  return Object.entries(statement.Condition ?? {}).every(([operator, block]) =>
    Object.entries(block).every(([key, expected]) => conditionMatches(operator, key, expected, context, id)),
  );
}

function contextValue(context: RequestContext, key: string): readonly string[] | undefined {
  const found = Object.entries(context).find(([k]) => k.toLowerCase() === key.toLowerCase());
  if (found === undefined || found[1] === undefined) return undefined;
  const value = found[1];
  return typeof value === 'boolean' ? [String(value)] : list(value as string | readonly string[]);
}

function conditionMatches(
  rawOperator: string,
  key: string,
  expectedRaw: unknown,
  context: RequestContext,
  id: string,
): boolean {
  let operator = rawOperator;
  let set: 'any' | 'all' | undefined;
  if (operator.startsWith('ForAnyValue:')) [set, operator] = ['any', operator.slice('ForAnyValue:'.length)];
  else if (operator.startsWith('ForAllValues:')) [set, operator] = ['all', operator.slice('ForAllValues:'.length)];
  const ifExists = operator.endsWith('IfExists');
  if (ifExists) operator = operator.slice(0, -'IfExists'.length);
  const expected = list(expectedRaw as unknown).map((v) => {
    if (typeof v !== 'string' && typeof v !== 'boolean') {
      throw new PolicyEvaluationError(`${id}: condition ${rawOperator} ${key} has an unresolved value`);
    }
    return String(v);
  });
  const actual = contextValue(context, key);

  if (operator === 'Null') {
    const wantsAbsent = expected.map((e) => e.toLowerCase()).includes('true');
    return (actual === undefined) === wantsAbsent;
  }
  const test = valueTest(operator, rawOperator, id);
  if (actual === undefined) {
    if (set === 'all') return true; // ForAllValues over an empty set is true
    return ifExists || test.negated;
  }
  const one = (value: string) => test.match(value, expected);
  if (set === 'any') return actual.some(one);
  if (set === 'all') return actual.every(one);
  return test.negated ? actual.every(one) : actual.some(one);
}

function valueTest(
  operator: string,
  raw: string,
  id: string,
): { negated: boolean; match: (value: string, expected: readonly string[]) => boolean } {
  const positive = (m: (v: string, e: string) => boolean) => ({
    negated: false,
    match: (v: string, es: readonly string[]) => es.some((e) => m(v, e)),
  });
  const negative = (m: (v: string, e: string) => boolean) => ({
    negated: true,
    match: (v: string, es: readonly string[]) => !es.some((e) => m(v, e)),
  });
  switch (operator) {
    case 'StringEquals':
    case 'ArnEquals':
      return positive((v, e) => v === e);
    case 'StringNotEquals':
    case 'ArnNotEquals':
      return negative((v, e) => v === e);
    case 'StringEqualsIgnoreCase':
      return positive((v, e) => v.toLowerCase() === e.toLowerCase());
    case 'StringNotEqualsIgnoreCase':
      return negative((v, e) => v.toLowerCase() === e.toLowerCase());
    case 'StringLike':
    case 'ArnLike':
      return positive((v, e) => wildcardMatch(e, v));
    case 'StringNotLike':
    case 'ArnNotLike':
      return negative((v, e) => wildcardMatch(e, v));
    case 'Bool':
      return positive((v, e) => v.toLowerCase() === e.toLowerCase());
    default:
      throw new PolicyEvaluationError(
        `${id}: condition operator ${raw} is not evaluated by test/support/iam-policy.ts`,
      );
  }
}
