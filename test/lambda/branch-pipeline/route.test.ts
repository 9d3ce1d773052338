import { routeEvent } from '../../../lambda/branch-pipeline/route';
import { ValidationError } from '../../../contracts/errors';
import { awsEvent } from '../../support/fixtures';
import { CONFIG, referenceEvent } from './support';

const rejects = (event: unknown, message: RegExp) =>
  expect(() => routeEvent(event, CONFIG)).toThrow(
    expect.objectContaining({ name: ValidationError.name, message: expect.stringMatching(message) }),
  );

describe('routing of the documented events', () => {
  it.each([
    ['referenceCreated', 'create', '3e5983DESTINATION'],
    ['referenceUpdated', 'heal', '7f0103fMERGE'],
    ['referenceDeleted', 'delete', '26a8f2EXAMPLE'],
  ] as const)('routes %s of a branch under the prefix to %s', (kind, route, commitId) => {
    expect(routeEvent(referenceEvent(kind, 'experiment/a_b'), CONFIG)).toEqual({
      kind: route,
      eventId: '01234567-EXAMPLE',
      branch: 'experiment/a_b',
      commitId,
    });
  });

  it('ignores the sample as published: its repository is not the project’s', () => {
    const route = routeEvent(awsEvent('codecommit-referenceCreated.json'), CONFIG);
    expect(route).toMatchObject({ kind: 'ignore', reason: expect.stringContaining('MyDemoRepo') });
  });

  it('ignores a branch outside the prefix, and one that only looks like it', () => {
    for (const branch of ['main', 'experimental', 'experiment/', 'feature/experiment/x']) {
      expect(routeEvent(referenceEvent('referenceCreated', branch), CONFIG)).toMatchObject({
        kind: 'ignore',
        reason: expect.stringContaining('prefix'),
      });
    }
  });

  it('ignores tags', () => {
    const event = referenceEvent('referenceCreated', 'experiment/v1');
    event.detail.referenceType = 'tag';
    event.detail.referenceFullName = 'refs/tags/experiment/v1';
    expect(routeEvent(event, CONFIG)).toMatchObject({ kind: 'ignore', reason: expect.stringContaining('tag') });
  });

  it('ignores other repository events (unreferenced merge commit)', () => {
    const event = awsEvent<{ detail: Record<string, unknown> }>('codecommit-unreferencedMergeCommitCreated.json');
    event.detail.repositoryName = CONFIG.repositoryName;
    expect(routeEvent(event, CONFIG)).toMatchObject({ kind: 'ignore' });
  });

  it('routes the reconcile input and a scheduled event to reconcile', () => {
    expect(routeEvent({ action: 'reconcile' }, CONFIG)).toMatchObject({ kind: 'reconcile' });
    const scheduled = {
      version: '0',
      id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: '2015-10-08T16:53:06Z',
      region: 'us-east-1',
      resources: ['arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule'],
      detail: {},
    };
    expect(routeEvent(scheduled, CONFIG)).toEqual({ kind: 'reconcile', eventId: scheduled.id });
  });

  it('gives each direct reconcile its own id, so its request tokens are new', () => {
    const a = routeEvent({ action: 'reconcile' }, CONFIG);
    const b = routeEvent({ action: 'reconcile' }, CONFIG);
    expect(a.eventId).not.toBe(b.eventId);
  });
});

describe('malformed events', () => {
  it('rejects an event that is neither EventBridge nor the reconcile input', () => {
    rejects({ hello: 'world' }, /unsupported event/);
    rejects(null, /unsupported event/);
    rejects('referenceCreated', /unsupported event/);
  });

  it('rejects an unknown action, naming it', () => {
    rejects({ action: 'delete-everything' }, /reconcile input: action/);
  });

  it('rejects another detail-type, naming it', () => {
    rejects(awsEvent('codecommit-pullRequestCreated.json'), /detail-type "CodeCommit Pull Request State Change"/);
  });

  it('rejects a reference event without referenceName, naming the field', () => {
    const event = referenceEvent('referenceCreated');
    delete event.detail.referenceName;
    rejects(event, /referenceCreated event: detail\.referenceName/);
  });

  it('rejects a reference event without repositoryName, naming the field', () => {
    const event = referenceEvent('referenceUpdated');
    delete event.detail.repositoryName;
    rejects(event, /detail\.repositoryName/);
  });

  it('rejects a referenceFullName that does not match referenceName', () => {
    const event = referenceEvent('referenceDeleted', 'experiment/a');
    event.detail.referenceFullName = 'refs/heads/experiment/b';
    rejects(event, /referenceFullName "refs\/heads\/experiment\/b" is not refs\/heads\/ \+ detail\.referenceName/);
  });

  it('rejects a created event without commitId and a deleted event without oldCommitId', () => {
    const created = referenceEvent('referenceCreated');
    delete created.detail.commitId;
    rejects(created, /referenceCreated event: detail\.commitId/);
    const deleted = referenceEvent('referenceDeleted');
    delete deleted.detail.oldCommitId;
    rejects(deleted, /referenceDeleted event: detail\.oldCommitId/);
  });

  it('rejects an event without an id', () => {
    const event = referenceEvent('referenceCreated');
    event.id = '';
    rejects(event, /id/);
  });
});
