/**
 * Issue 10, attack 10 (alarms notify nobody): each project has one encrypted SNS topic for alarms, publishing only
 * over TLS, which every alarm of the project notifies (when it fires and when it recovers), with an optional e-mail
 * subscription from configuration. What it cannot prove: that CloudWatch delivers (the key policy grants it the
 * documented permissions; delivery is AWS's).
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { appTemplates, buildApp, removeApp } from '../support/app';

function topicOf(template: Template): string {
  const topics = Object.keys(template.findResources('AWS::SNS::Topic'));
  expect(topics).toHaveLength(1);
  return topics[0]!;
}

describe.each([
  ['codecommit', {}],
  ['external-ci', { sourceProvider: 'external-ci' }],
])('alarm topic of a %s project', (_, context) => {
  let template: Template;
  beforeAll(() => {
    const built = appTemplates({ context: { ...context, alarmEmail: 'ml-team@example.com' } });
    template = built.productTemplate;
    removeApp(built);
  }, 120_000);

  it('has one topic, encrypted with a rotated customer managed key CloudWatch may use', () => {
    const topic = topicOf(template);
    const [keyId] = Object.keys(template.findResources('AWS::KMS::Key'));
    template.hasResource('AWS::SNS::Topic', { Properties: { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } } });
    const [key] = Object.values(template.findResources('AWS::KMS::Key')) as {
      Properties: { EnableKeyRotation: boolean; KeyPolicy: { Statement: Record<string, unknown>[] } };
    }[];
    expect(key?.Properties.EnableKeyRotation).toBe(true);
    const forCloudWatch = key?.Properties.KeyPolicy.Statement.find(
      (s) => JSON.stringify(s.Principal) === JSON.stringify({ Service: 'cloudwatch.amazonaws.com' }),
    );
    expect([forCloudWatch?.Action].flat().sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    // EventBridge rules that alarm through the topic (a failed scheduled retrain) publish with the key too: the
    // same two actions, from this account only; no other service principal may use the key.
    const forEvents = key?.Properties.KeyPolicy.Statement.find(
      (s) => JSON.stringify(s.Principal) === JSON.stringify({ Service: 'events.amazonaws.com' }),
    );
    expect([forEvents?.Action].flat().sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    expect(forEvents?.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } });
    const services = key?.Properties.KeyPolicy.Statement.flatMap((s) =>
      JSON.stringify(s.Principal).includes('Service') ? [JSON.stringify(s.Principal)] : [],
    );
    expect(services?.sort()).toEqual([
      JSON.stringify({ Service: 'cloudwatch.amazonaws.com' }),
      JSON.stringify({ Service: 'events.amazonaws.com' }),
    ]);
    expect(topic).toBeDefined();
  });

  it('accepts publishing over TLS only', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('is notified by every alarm of the project, when it fires and when it recovers', () => {
    const topic = topicOf(template);
    const alarms = Object.entries(template.findResources('AWS::CloudWatch::Alarm'));
    // Each function has an errors alarm and a dead-letter alarm (2 functions, or 1 with the external-ci provider).
    expect(alarms.length).toBeGreaterThanOrEqual(2);
    for (const [id, alarm] of alarms) {
      const props = (alarm as { Properties: { AlarmActions?: unknown; OKActions?: unknown } }).Properties;
      expect({ id, actions: props.AlarmActions, ok: props.OKActions }).toEqual({
        id,
        actions: [{ Ref: topic }],
        ok: [{ Ref: topic }],
      });
    }
  });

  it('subscribes the configured address', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ml-team@example.com',
      TopicArn: { Ref: topicOf(template) },
    });
  });
});

it('has no subscription without alarmEmail, and refuses a malformed address', () => {
  const built = appTemplates();
  try {
    built.productTemplate.resourceCountIs('AWS::SNS::Subscription', 0);
  } finally {
    removeApp(built);
  }
  expect(() => buildApp({ context: { alarmEmail: 'not-an-address' } })).toThrow(
    /context key "alarmEmail" must be an e-mail address/,
  );
});
