/**
 * EventBridge event pattern matching, as the EventBridge user guide describes it ("Event pattern syntax", "Content
 * filtering", "Comparison operators", "Arrays in event patterns"). moto 5.2 does not implement TestEventPattern
 * (it raises NotImplementedError), so the end-to-end tests match with this.
 *
 * - A pattern is an object; every key must match (AND). `$or` holds a list of sub-patterns, one of which must match.
 * - A key whose pattern value is an object matches the event's object at that key (or, for an array of objects,
 *   any element); a key whose pattern value is an array lists conditions, any of which may match (OR).
 * - Conditions: a literal (string, number, boolean, null; numbers compare by value), `prefix`, `suffix`
 *   (each optionally `{ "equals-ignore-case": ... }`), `equals-ignore-case`, `anything-but` (a value, a list, or
 *   `prefix` / `suffix` / `equals-ignore-case` / `wildcard`), `numeric`, `exists`, `cidr` (IPv4), `wildcard`.
 * - A field the event does not have matches only `{ "exists": false }`. If the event's value is an array, a
 *   condition matches when it matches any element.
 * - `exists` applies to leaf values only: an object is not a leaf.
 *
 * An operator this module does not know throws, naming it: a pattern that cannot be evaluated fails the test
 * rather than silently matching or not.
 */

export class EventPatternError extends Error {
  override readonly name = 'EventPatternError';
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether `event` matches `pattern` (an EventBridge event pattern, as an object or its JSON text). */
export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  const parsed: unknown = typeof pattern === 'string' ? JSON.parse(pattern) : pattern;
  if (!isObject(parsed)) throw new EventPatternError('an event pattern must be a JSON object');
  assertValid(parsed, '');
  return matchObject(parsed, event, '');
}

/** Checks every operator of the pattern up front, so that a bad one fails whatever the event holds. */
function assertValid(pattern: Record<string, unknown>, where: string): void {
  for (const [key, sub] of Object.entries(pattern)) {
    const at = where ? `${where}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(sub) || sub.length < 2 || !sub.every(isObject)) {
        throw new EventPatternError(`${at}: $or takes a list of at least two patterns`);
      }
      sub.forEach((alternative) => assertValid(alternative, where));
    } else if (isObject(sub)) {
      assertValid(sub, at);
    } else if (Array.isArray(sub)) {
      // Evaluating every condition against a string and a number exercises each operator's operand checks.
      matchConditions(sub, true, '', at);
      matchConditions(sub, true, 0, at);
    } else {
      throw new EventPatternError(`${at}: a pattern value must be an object or an array, got ${JSON.stringify(sub)}`);
    }
  }
}

function matchObject(pattern: Record<string, unknown>, value: unknown, where: string): boolean {
  if (Array.isArray(value)) return value.some((element) => matchObject(pattern, element, where));
  const object = isObject(value) ? value : undefined;
  return Object.entries(pattern).every(([key, sub]) => {
    const at = where ? `${where}.${key}` : key;
    if (key === '$or') return (sub as Record<string, unknown>[]).some((alt) => matchObject(alt, value, where));
    const field = object && Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
    const present = object !== undefined && Object.prototype.hasOwnProperty.call(object, key);
    if (isObject(sub)) return present && matchObject(sub, field, at);
    return matchConditions(sub as unknown[], present, field as Json, at);
  });
}

function matchConditions(conditions: unknown[], present: boolean, value: Json, at: string): boolean {
  if (conditions.length === 0) throw new EventPatternError(`${at}: an empty list of conditions never matches`);
  return conditions.some((condition) => {
    if (isObject(condition)) {
      const entries = Object.entries(condition);
      const [entry] = entries;
      if (entries.length !== 1 || !entry) {
        throw new EventPatternError(
          `${at}: a condition object has exactly one operator, got ${JSON.stringify(condition)}`,
        );
      }
      const [operator, operand] = entry;
      if (operator === 'exists') {
        if (typeof operand !== 'boolean') throw new EventPatternError(`${at}: exists takes true or false`);
        const isLeaf = present && !isObject(value) && !(Array.isArray(value) && value.length === 0);
        return isLeaf === operand;
      }
      if (!present) return false;
      return leaves(value).some((leaf) => matchOperator(operator, operand, leaf, at));
    }
    if (!present) return false;
    return leaves(value).some((leaf) => equalLiteral(condition, leaf));
  });
}

/** The values a condition is tested against: the value itself, or each element of an array. */
function leaves(value: Json): Json[] {
  return Array.isArray(value) ? value : [value];
}

function equalLiteral(literal: unknown, value: Json): boolean {
  if (typeof literal === 'number' && typeof value === 'number') return literal === value;
  return literal === value;
}

function stringsOf(operand: unknown, operator: string, at: string): string[] {
  const list = Array.isArray(operand) ? operand : [operand];
  if (!list.every((s) => typeof s === 'string')) {
    throw new EventPatternError(`${at}: ${operator} takes a string or a list of strings`);
  }
  return list as string[];
}

/** `prefix` / `suffix` / `equals-ignore-case` / `wildcard` operand, which may wrap `equals-ignore-case`. */
function stringTest(operator: string, operand: unknown, at: string): (s: string) => boolean {
  if ((operator === 'prefix' || operator === 'suffix') && isObject(operand)) {
    const keys = Object.keys(operand);
    if (keys.length !== 1 || keys[0] !== 'equals-ignore-case' || typeof operand['equals-ignore-case'] !== 'string') {
      throw new EventPatternError(`${at}: ${operator} takes a string or { "equals-ignore-case": string }`);
    }
    const needle = (operand['equals-ignore-case'] as string).toLowerCase();
    return operator === 'prefix' ? (s) => s.toLowerCase().startsWith(needle) : (s) => s.toLowerCase().endsWith(needle);
  }
  const needles = stringsOf(operand, operator, at);
  switch (operator) {
    case 'prefix':
      return (s) => needles.some((n) => s.startsWith(n));
    case 'suffix':
      return (s) => needles.some((n) => s.endsWith(n));
    case 'equals-ignore-case':
      return (s) => needles.some((n) => s.toLowerCase() === n.toLowerCase());
    case 'wildcard':
      return (s) => needles.some((n) => wildcardRegExp(n).test(s));
    default:
      throw new EventPatternError(`${at}: unknown string operator ${operator}`);
  }
}

function wildcardRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern.charAt(++i));
    else if (c === '*') source += '.*';
    else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`, 's');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function matchOperator(operator: string, operand: unknown, value: Json, at: string): boolean {
  switch (operator) {
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case':
    case 'wildcard': {
      const test = stringTest(operator, operand, at);
      return typeof value === 'string' && test(value);
    }
    case 'anything-but': {
      if (isObject(operand)) {
        const entries = Object.entries(operand);
        const [entry] = entries;
        if (entries.length !== 1 || !entry) throw new EventPatternError(`${at}: anything-but takes one operator`);
        const [inner, innerOperand] = entry;
        if (!['prefix', 'suffix', 'equals-ignore-case', 'wildcard'].includes(inner)) {
          throw new EventPatternError(`${at}: anything-but does not take ${inner}`);
        }
        const test = stringTest(inner, innerOperand, at);
        return typeof value === 'string' && !test(value);
      }
      const excluded = Array.isArray(operand) ? operand : [operand];
      if (!excluded.every((v) => typeof v === 'string' || typeof v === 'number')) {
        throw new EventPatternError(`${at}: anything-but takes strings or numbers`);
      }
      return !excluded.some((v) => equalLiteral(v, value));
    }
    case 'numeric':
      return typeof value === 'number' && numericMatch(operand, value, at);
    case 'cidr':
      return typeof value === 'string' && cidrMatch(operand, value, at);
    default:
      throw new EventPatternError(`${at}: unknown operator ${operator}`);
  }
}

function numericMatch(operand: unknown, value: number, at: string): boolean {
  if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0) {
    throw new EventPatternError(`${at}: numeric takes pairs of operator and number`);
  }
  for (let i = 0; i < operand.length; i += 2) {
    const op: unknown = operand[i];
    const bound: unknown = operand[i + 1];
    if (typeof bound !== 'number') throw new EventPatternError(`${at}: numeric bound ${String(bound)} is no number`);
    const ok =
      op === '<'
        ? value < bound
        : op === '<='
          ? value <= bound
          : op === '='
            ? value === bound
            : op === '>='
              ? value >= bound
              : op === '>'
                ? value > bound
                : undefined;
    if (ok === undefined) throw new EventPatternError(`${at}: unknown numeric operator ${String(op)}`);
    if (!ok) return false;
  }
  return true;
}

function ipv4ToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

function cidrMatch(operand: unknown, value: string, at: string): boolean {
  const [network, bitsText] = typeof operand === 'string' ? operand.split('/') : [];
  const base = network === undefined ? undefined : ipv4ToNumber(network);
  const bits = Number(bitsText);
  if (base === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) {
    throw new EventPatternError(`${at}: cidr takes an IPv4 block such as 10.0.0.0/24`);
  }
  const address = ipv4ToNumber(value);
  if (address === undefined) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(address / size) === Math.floor(base / size);
}
