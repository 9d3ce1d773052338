import { awsEvent } from '../support/fixtures';
import { EventPatternError, matchesEventPattern } from './support/event-pattern';

// Examples from the EventBridge user guide ("Content filtering", "Arrays in event patterns"), and the CodeCommit
// samples the handlers receive.
const referenceCreated = awsEvent('codecommit-referenceCreated.json');
const referenceDeleted = awsEvent('codecommit-referenceDeleted.json');

describe('EventBridge event pattern matcher', () => {
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
  });

  it('does not match a field the event lacks, except with exists: false', () => {
    expect(matchesEventPattern({ detail: { commitId: [{ prefix: '' }] } }, referenceDeleted)).toBe(false);
    expect(matchesEventPattern({ detail: { commitId: [{ exists: false }] } }, referenceDeleted)).toBe(true);
    expect(matchesEventPattern({ detail: { oldCommitId: [{ exists: true }] } }, referenceDeleted)).toBe(true);
    expect(matchesEventPattern({ detail: { oldCommitId: [{ exists: false }] } }, referenceDeleted)).toBe(false);
    expect(matchesEventPattern({ detail: { commitId: [{ 'anything-but': 'x' }] } }, referenceDeleted)).toBe(false);
    expect(matchesEventPattern({ nothing: { here: ['x'] } }, referenceDeleted)).toBe(false);
  });

  it('treats exists as a test on leaf values: an object does not exist as a leaf', () => {
    expect(matchesEventPattern({ detail: [{ exists: true }] }, referenceCreated)).toBe(false);
  });

  it('matches prefix and suffix, also ignoring case', () => {
    const pattern = (op: unknown) => ({ detail: { referenceName: [op] } });
    const event = { detail: { referenceName: 'experiment/deeper-trees' } };
    expect(matchesEventPattern(pattern({ prefix: 'experiment/' }), event)).toBe(true);
    expect(matchesEventPattern(pattern({ prefix: 'main' }), event)).toBe(false);
    expect(matchesEventPattern(pattern({ prefix: { 'equals-ignore-case': 'EXPERIMENT/' } }), event)).toBe(true);
    expect(matchesEventPattern(pattern({ suffix: '-trees' }), event)).toBe(true);
    expect(matchesEventPattern(pattern({ suffix: { 'equals-ignore-case': '-TREES' } }), event)).toBe(true);
    expect(matchesEventPattern(pattern({ 'equals-ignore-case': 'Experiment/Deeper-Trees' }), event)).toBe(true);
    expect(matchesEventPattern(pattern({ wildcard: 'experiment/*-trees' }), event)).toBe(true);
    expect(matchesEventPattern(pattern({ wildcard: 'experiment/*-data' }), event)).toBe(false);
    expect(matchesEventPattern({ n: [{ prefix: '1' }] }, { n: 12 })).toBe(false);
  });

  it('matches anything-but with values, lists and prefixes, but never a missing field', () => {
    const event = { detail: { state: 'initializing', n: 5 } };
    expect(matchesEventPattern({ detail: { state: [{ 'anything-but': 'initializing' }] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { state: [{ 'anything-but': ['stopped', 'x'] }] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { state: [{ 'anything-but': { suffix: 'ing' } }] } }, event)).toBe(false);
    expect(
      matchesEventPattern({ detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'INIT' } }] } }, event),
    ).toBe(true);
    expect(matchesEventPattern({ detail: { n: [{ 'anything-but': 5 }] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { gone: [{ 'anything-but': 'x' }] } }, event)).toBe(false);
  });

  it('matches numeric ranges, cidr blocks and literal null, true and numbers', () => {
    const event = { detail: { c: 3, ip: '10.0.0.42', z: null, b: true } };
    expect(matchesEventPattern({ detail: { c: [{ numeric: ['>', 0, '<=', 5] }] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { c: [{ numeric: ['>', 3] }] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { c: [3.0] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { c: ['3'] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { ip: [{ cidr: '10.0.0.0/24' }] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { ip: [{ cidr: '10.0.1.0/24' }] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { z: [null] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { b: [true] } }, event)).toBe(true);
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

  it('matches $or when one alternative matches', () => {
    const pattern = {
      detail: { $or: [{ referenceName: ['main'] }, { referenceName: [{ prefix: 'my' }] }] },
    };
    expect(matchesEventPattern(pattern, referenceCreated)).toBe(true);
    expect(matchesEventPattern(pattern, { detail: { referenceName: 'other' } })).toBe(false);
  });

  it('rejects an operator it does not know, naming it and where it is', () => {
    expect(() => matchesEventPattern({ detail: { x: [{ contains: 'a' }] } }, { detail: { x: 'abc' } })).toThrow(
      new EventPatternError('detail.x: unknown operator contains'),
    );
    expect(() => matchesEventPattern({ detail: { x: 'a' } }, {})).toThrow(EventPatternError);
    expect(() => matchesEventPattern({ x: [] }, { x: 1 })).toThrow(/empty list/);
    expect(() => matchesEventPattern(['x'], {})).toThrow(/JSON object/);
  });
});
