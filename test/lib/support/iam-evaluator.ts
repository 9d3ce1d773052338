/**
 * A small evaluator of IAM identity policies, written from IAM's documented semantics
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html and
 * reference_policies_elements_condition_operators.html), for the operators the project's policies use:
 * - Action: case-insensitive, `*` and `?` wildcards; Resource: `*` and `?` wildcards, matched per ARN segment
 *   (partition, service, region, account) and on the rest of the ARN (which may hold `:` and `/`);
 * - an explicit Deny wins over any Allow; no Allow is an implicit deny;
 * - condition operators (AND between operators and keys, OR between the values of one key): StringEquals,
 *   StringNotEquals, StringLike, StringNotLike, ArnEquals, ArnLike, ArnNotEquals, ArnNotLike, Bool, Null, each with
 *   `IfExists`, and the set prefixes `ForAllValues:` / `ForAnyValue:`. A key missing from the request makes a
 *   positive operator false and a negated one true; `...IfExists` is true when the key is missing; `ForAllValues` is
 *   true for a missing key, `ForAnyValue` false. Key names are case-insensitive, string values case-sensitive.
 * It does not model resource policies, permission boundaries, SCPs or session policies: the project's roles have none
 * but the buckets' SSL-only policies, which only deny.
 */

export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** The request: one action on one resource, with its context keys (a missing key is absent). */
export interface Request {
  readonly action: string;
  readonly resource: string;
  readonly context: Readonly<Record<string, string | readonly string[]>>;
}

const list = (value: unknown): string[] =>
  value === undefined ? [] : (Array.isArray(value) ? value : [value]).map((v) => String(v));

/** IAM's wildcard match: `*` any run of characters, `?` one character. */
const compiled = new Map<string, RegExp>();
export function wildcardMatch(pattern: string, value: string, caseInsensitive = false): boolean {
  const cacheKey = `${caseInsensitive ? 'i' : 's'}${pattern}`;
  const cached = compiled.get(cacheKey);
  if (cached !== undefined) return cached.test(value);
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const regex = new RegExp(`^${source}$`, caseInsensitive ? 'si' : 's');
  compiled.set(cacheKey, regex);
  return regex.test(value);
}

/** Resource match: `*` matches all; otherwise partition, service, region and account segment by segment, then the rest. */
export function resourceMatch(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const split = (text: string) => {
    const parts = text.split(':');
    return [...parts.slice(0, 5), parts.slice(5).join(':')];
  };
  const p = split(pattern);
  const a = split(arn);
  if (p.length !== 6 || a.length !== 6 || p[0] !== 'arn' || a[0] !== 'arn') return false;
  return p.every((segment, i) => wildcardMatch(segment, a[i] ?? ''));
}

function actionMatches(statement: Statement, action: string): boolean {
  if (statement.Action !== undefined) return list(statement.Action).some((p) => wildcardMatch(p, action, true));
  if (statement.NotAction !== undefined) return !list(statement.NotAction).some((p) => wildcardMatch(p, action, true));
  return false;
}

function resourceMatches(statement: Statement, resource: string): boolean {
  if (statement.Resource !== undefined) return list(statement.Resource).some((p) => resourceMatch(p, resource));
  if (statement.NotResource !== undefined) return !list(statement.NotResource).some((p) => resourceMatch(p, resource));
  return false;
}

function lookup(context: Request['context'], key: string): string[] | undefined {
  const found = Object.keys(context).find((k) => k.toLowerCase() === key.toLowerCase());
  if (found === undefined) return undefined;
  return list(context[found]);
}

type Compare = (expected: string, actual: string) => boolean;
const COMPARE: Record<string, { compare: Compare; negated: boolean }> = {
  StringEquals: { compare: (e, a) => e === a, negated: false },
  StringNotEquals: { compare: (e, a) => e === a, negated: true },
  StringEqualsIgnoreCase: { compare: (e, a) => e.toLowerCase() === a.toLowerCase(), negated: false },
  StringLike: { compare: (e, a) => wildcardMatch(e, a), negated: false },
  StringNotLike: { compare: (e, a) => wildcardMatch(e, a), negated: true },
  ArnEquals: { compare: (e, a) => resourceMatch(e, a), negated: false },
  ArnLike: { compare: (e, a) => resourceMatch(e, a), negated: false },
  ArnNotEquals: { compare: (e, a) => resourceMatch(e, a), negated: true },
  ArnNotLike: { compare: (e, a) => resourceMatch(e, a), negated: true },
  Bool: { compare: (e, a) => e.toLowerCase() === a.toLowerCase(), negated: false },
};

export class UnsupportedConditionError extends Error {
  override readonly name = 'UnsupportedConditionError';
}

function conditionHolds(
  operatorName: string,
  key: string,
  expectedValue: unknown,
  context: Request['context'],
): boolean {
  const expected = list(expectedValue);
  const actual = lookup(context, key);
  let operator = operatorName;
  let set: 'all' | 'any' | undefined;
  if (operator.startsWith('ForAllValues:')) [set, operator] = ['all', operator.slice('ForAllValues:'.length)];
  else if (operator.startsWith('ForAnyValue:')) [set, operator] = ['any', operator.slice('ForAnyValue:'.length)];
  const ifExists = operator.endsWith('IfExists');
  if (ifExists) operator = operator.slice(0, -'IfExists'.length);

  if (operator === 'Null') {
    const wantsAbsent = expected.some((e) => e.toLowerCase() === 'true');
    return wantsAbsent ? actual === undefined : actual !== undefined;
  }
  const spec = COMPARE[operator];
  if (spec === undefined) throw new UnsupportedConditionError(`condition operator ${operatorName} is not modelled`);
  if (actual === undefined || actual.length === 0) {
    if (set === 'all') return true;
    if (set === 'any') return false;
    if (ifExists) return true;
    return spec.negated;
  }
  const matchesOne = (value: string) => expected.some((e) => spec.compare(e, value));
  if (set === 'all') return actual.every((v) => (spec.negated ? !matchesOne(v) : matchesOne(v)));
  if (set === 'any') return actual.some((v) => (spec.negated ? !matchesOne(v) : matchesOne(v)));
  // A single-valued key: positive operators match any listed value; negated ones match none of them.
  const value = actual[0] ?? '';
  return spec.negated ? !matchesOne(value) : matchesOne(value);
}

function conditionsHold(statement: Statement, context: Request['context']): boolean {
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, value]) => conditionHolds(operator, key, value, context)),
  );
}

export function statementApplies(statement: Statement, request: Request): boolean {
  return (
    actionMatches(statement, request.action) &&
    resourceMatches(statement, request.resource) &&
    conditionsHold(statement, request.context)
  );
}

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/** IAM's decision for one request against a principal's identity policies. */
export function evaluate(statements: readonly Statement[], request: Request): Decision {
  const applying = statements.filter((s) => statementApplies(s, request));
  if (applying.some((s) => s.Effect === 'Deny')) return 'ExplicitDeny';
  return applying.some((s) => s.Effect === 'Allow') ? 'Allow' : 'ImplicitDeny';
}

/** Condition keys (as written) that the statements use, other than aws:ResourceTag/* (fixed by the resource). */
export function requestKeys(statements: readonly Statement[]): string[] {
  const keys = new Set<string>();
  for (const s of statements) {
    for (const byKey of Object.values(s.Condition ?? {})) {
      for (const key of Object.keys(byKey)) if (!key.toLowerCase().startsWith('aws:resourcetag/')) keys.add(key);
    }
  }
  return [...keys].sort();
}

/** Every value the statements compare `key` with. */
export function valuesOf(statements: readonly Statement[], key: string): string[] {
  const values = new Set<string>();
  for (const s of statements) {
    for (const byKey of Object.values(s.Condition ?? {})) {
      for (const [k, v] of Object.entries(byKey))
        if (k.toLowerCase() === key.toLowerCase()) list(v).forEach((x) => values.add(x));
    }
  }
  return [...values];
}
