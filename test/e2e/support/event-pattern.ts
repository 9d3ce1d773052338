/**
 * EventBridge event pattern matching, cut down to what the synthesized templates use, as the EventBridge user
 * guide describes it ("Event pattern syntax", "Content filtering", "Arrays in event patterns"). moto 5.2 does not
 * implement TestEventPattern, so the end-to-end tests match with this; test/e2e/event-pattern-moto.test.ts checks
 * it against moto's own rule matching (PutEvents → rule → SQS target) for every synthesized pattern, every sample
 * event and their mutations.
 *
 * Supported (all the templates use):
 * - a pattern is an object; every key must match (AND);
 * - a key whose pattern value is an object matches the event's object at that key (or, for an array of objects,
 *   any element);
 * - a key whose pattern value is an array lists conditions, any of which may match (OR): a string literal, or
 *   `{ "prefix": "<string>" }`;
 * - a field the event does not have matches nothing; if the event's value is an array, a condition matches when it
 *   matches any element; strings compare case-sensitively.
 *
 * Anything else (`$or`, `suffix`, `anything-but`, `numeric`, `exists`, `cidr`, `wildcard`, `equals-ignore-case`,
 * non-string literals) throws {@link EventPatternError}, naming it: a template that starts using it must extend this
 * module together with the moto cross-check, rather than match silently wrong.
 */

export class EventPatternError extends Error {
  override readonly name = 'EventPatternError';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether `event` matches `pattern` (an EventBridge event pattern, as an object or its JSON text). */
export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  const parsed: unknown = typeof pattern === 'string' ? JSON.parse(pattern) : pattern;
  if (!isObject(parsed)) throw new EventPatternError('an event pattern must be a JSON object');
  assertSupported(parsed, '');
  return matchObject(parsed, event);
}

/** Checks every part of the pattern up front, so an unsupported one fails whatever the event holds. */
function assertSupported(pattern: Record<string, unknown>, where: string): void {
  for (const [key, sub] of Object.entries(pattern)) {
    const at = where ? `${where}.${key}` : key;
    if (key === '$or') throw new EventPatternError(`${at}: $or is not used by the templates, so not supported here`);
    if (isObject(sub)) {
      assertSupported(sub, at);
      continue;
    }
    if (!Array.isArray(sub)) {
      throw new EventPatternError(`${at}: a pattern value must be an object or an array, got ${JSON.stringify(sub)}`);
    }
    if (sub.length === 0) throw new EventPatternError(`${at}: an empty list of conditions never matches`);
    for (const condition of sub) {
      if (typeof condition === 'string') continue;
      if (isObject(condition)) {
        const keys = Object.keys(condition);
        if (keys.length === 1 && keys[0] === 'prefix' && typeof condition.prefix === 'string') continue;
        throw new EventPatternError(
          `${at}: operator ${JSON.stringify(condition)} is not used by the templates, so not supported here ` +
            '(supported: string literals and { "prefix": string })',
        );
      }
      throw new EventPatternError(`${at}: literal ${JSON.stringify(condition)} is not a string, so not supported here`);
    }
  }
}

function matchObject(pattern: Record<string, unknown>, value: unknown): boolean {
  if (Array.isArray(value)) return value.some((element) => matchObject(pattern, element));
  if (!isObject(value)) return false;
  return Object.entries(pattern).every(([key, sub]) => {
    if (!Object.prototype.hasOwnProperty.call(value, key)) return false;
    const field = value[key];
    if (isObject(sub)) return matchObject(sub, field);
    const leaves = Array.isArray(field) ? field : [field];
    return (sub as (string | { prefix: string })[]).some((condition) =>
      leaves.some((leaf) =>
        typeof condition === 'string'
          ? leaf === condition
          : typeof leaf === 'string' && leaf.startsWith(condition.prefix),
      ),
    );
  });
}
