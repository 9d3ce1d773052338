import { ConfigError, readConfig } from '../../lib/config';

const BASE: Record<string, unknown> = { account: '123456789012', region: 'eu-west-1' };
const PROJECTS = [{ name: 'churn', id: 'p-abc123' }];

function read(serving: unknown) {
  const merged: Record<string, unknown> = { ...BASE, serving };
  return readConfig((key) => merged[key], {});
}

function messageOf(serving: unknown): string {
  try {
    read(serving);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('readConfig: serving', () => {
  it('has no serving without the key', () => {
    expect(readConfig((key) => BASE[key], {}).serving).toBeUndefined();
  });

  it('applies the defaults: same account and region, no delay, one ml.m5.large, five artifacts kept', () => {
    expect(read({ projects: PROJECTS, stages: [{ name: 'sandbox' }] }).serving).toEqual({
      registryAccount: '123456789012',
      registryRegion: 'eu-west-1',
      projects: [{ name: 'churn', id: 'p-abc123', artifactBucket: undefined }],
      stages: [
        {
          name: 'sandbox',
          account: '123456789012',
          region: 'eu-west-1',
          delayMinutes: 0,
          instanceType: 'ml.m5.large',
          instanceCount: 1,
        },
      ],
      retainArtifacts: 5,
      frameworkVersion: '1.2-1',
    });
  });

  it('accepts the key as a JSON string (-c serving=...)', () => {
    const serving = read(
      JSON.stringify({ projects: PROJECTS, stages: [{ name: 'qa', account: '222222222222', delayMinutes: 60 }] }),
    ).serving;
    expect(serving?.stages[0]).toMatchObject({ name: 'qa', account: '222222222222', delayMinutes: 60 });
  });

  it.each([
    [{ projects: PROJECTS, stages: [] }, /serving\.stages must list at least one stage/],
    [{ stages: [{ name: 'qa' }] }, /serving\.projects must list the served projects/],
    [{ projects: [{ name: 'churn' }], stages: [{ name: 'qa' }] }, /serving\.projects\[0\]\.id is required/],
    [
      { projects: [{ name: 'Churn', id: 'p-1' }], stages: [{ name: 'qa' }] },
      /projects\[0\]\.name must be a lower-case/,
    ],
    [{ projects: PROJECTS, stages: [{ name: 'QA' }] }, /stages\[0\]\.name must be lower-case/],
    [{ projects: PROJECTS, stages: [{ name: 'qa', account: '12' }] }, /stages\[0\]\.account must be a 12-digit/],
    [
      { projects: PROJECTS, stages: [{ name: 'qa', delayMinutes: -1 }] },
      /stages\[0\]\.delayMinutes must be an integer/,
    ],
    [{ projects: PROJECTS, stages: [{ name: 'qa', instanceType: 'm5.large' }] }, /instanceType must be a SageMaker/],
    [{ projects: PROJECTS, stages: [{ name: 'qa', region: 'us-east-1' }] }, /region must be the registry's region/],
    [{ projects: PROJECTS, stages: [{ name: 'qa' }, { name: 'qa' }] }, /must not repeat the stage name "qa"/],
    [{ projects: [...PROJECTS, ...PROJECTS], stages: [{ name: 'qa' }] }, /must not repeat the name "churn"/],
    [{ projects: PROJECTS, stages: [{ name: 'qa', delay: 5 }] }, /stages\[0\]\.delay is not a known key/],
    [{ projects: PROJECTS, stages: [{ name: 'qa' }], retainArtifacts: 1 }, /retainArtifacts must be an integer from 2/],
    ['{not json', /must be a JSON object/],
  ])('refuses %j, naming what is wrong', (serving, message) => {
    expect(messageOf(serving)).toMatch(/^Invalid configuration: context key "serving" /);
    expect(messageOf(serving)).toMatch(message);
  });
});
