import { awsEvent } from '../support/fixtures';
import { EventPatternError, matchesEventPattern } from './support/event-pattern';

// Examples from the EventBridge user guide ("Content filtering", "Arrays in event patterns"), and the CodeCommit
// samples the handlers receive. Agreement with EventBridge's semantics is checked against moto's own matching in
// event-pattern-moto.test.ts.
const referenceCreated = awsEvent('codecommit-referenceCreated.json');
const referenceDeleted = awsEvent('codecommit-referenceDeleted.json');

describe('EventBridge event pattern matcher (the operators the templates use)', () => {
  it('matches literal values, ANDs keys and ORs the values of a list', () => {
    expect(matchesEventPattern({ source: ['aws.codecommit'] }, referenceCreated)).toBe(true);
    expect(matchesEventPattern({ source: ['aws.ec2', 'aws.codecommit'] }, referenceCreated)).toBe(true);
    expect(
      matchesEventPattern(
        { source: ['aws.codecommit'], 'detail-type': ['CodeCommit Pull Request State Change'] },
        referenceCreated,
      ),
    ).toBe(false);
    expect(matchesEventPattern({ detail: { event: ['referenceCreated'] } }, referenceCreated)).toBe(true);
    expect(matchesEventPattern(JSON.stringify({ detail: { event: ['referenceDeleted'] } }), referenceCreated)).toBe(
      false,
    );
    expect(matchesEventPattern({ detail: { event: ['REFERENCECREATED'] } }, referenceCreated)).toBe(false);
  });

  it('does not match a field the event lacks', () => {
    expect(matchesEventPattern({ detail: { commitId: [{ prefix: '' }] } }, referenceDeleted)).toBe(false);
    expect(matchesEventPattern({ nothing: { here: ['x'] } }, referenceDeleted)).toBe(false);
  });

  it('matches prefix on strings only', () => {
    const pattern = (op: unknown) => ({ detail: { referenceName: [op] } });
    const event = { detail: { referenceName: 'experiment/deeper-trees' } };
    expect(matchesEventPattern(pattern({ prefix: 'experiment/' }), event)).toBe(true);
    expect(matchesEventPattern(pattern({ prefix: 'main' }), event)).toBe(false);
    expect(matchesEventPattern(pattern({ prefix: 'Experiment/' }), event)).toBe(false);
    expect(matchesEventPattern({ n: [{ prefix: '1' }] }, { n: 12 })).toBe(false);
  });

  it('matches an array in the event when the intersection is not empty, and arrays of objects by element', () => {
    const event = {
      resources: ['arn:aws:autoscaling:us-east-1:123456789012:x', 'arn:aws:ec2:us-east-1:123456789012:instance/i-1'],
      detail: { items: [{ name: 'a' }, { name: 'b' }] },
    };
    expect(
      matchesEventPattern({ resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-1', 'other'] }, event),
    ).toBe(true);
    expect(matchesEventPattern({ resources: ['other'] }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { items: { name: ['b'] } } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { items: { name: ['c'] } } }, event)).toBe(false);
    // The published SageMaker sample carries `source` as an array, as JSON parsers read it.
    const sageMaker = awsEvent('sagemaker-model-package-state-change.json');
    expect(matchesEventPattern({ source: ['aws.sagemaker'] }, sageMaker)).toBe(true);
  });

  it.each([
    [{ detail: { $or: [{ a: ['x'] }, { b: ['y'] }] } }, /\$or is not used by the templates/],
    [{ detail: { x: [{ suffix: 'a' }] } }, /detail\.x: operator \{"suffix":"a"\} is not used by the templates/],
    [{ detail: { x: [{ 'anything-but': 'a' }] } }, /operator \{"anything-but":"a"\}/],
    [{ detail: { x: [{ exists: true }] } }, /operator \{"exists":true\}/],
    [{ detail: { x: [{ numeric: ['>', 1] }] } }, /operator \{"numeric"/],
    [{ detail: { x: [{ prefix: { 'equals-ignore-case': 'a' } }] } }, /operator \{"prefix"/],
    [{ detail: { x: [3] } }, /literal 3 is not a string/],
    [{ detail: { x: [null] } }, /literal null is not a string/],
    [{ detail: { x: 'a' } }, /must be an object or an array/],
    [{ x: [] }, /empty list/],
    [['x'], /JSON object/],
  ])('throws on what the templates do not use: %j', (pattern, message) => {
    expect(() => matchesEventPattern(pattern, referenceCreated)).toThrow(EventPatternError);
    expect(() => matchesEventPattern(pattern, referenceCreated)).toThrow(message);
  });
});
