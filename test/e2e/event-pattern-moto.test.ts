/**
 * A second opinion on the home-made event pattern matcher (support/event-pattern.ts) that nobody here wrote: moto's
 * own EventBridge rule matching. Every event pattern of the synthesized templates (project template, both source
 * providers, and the branch template) becomes a rule on moto's default bus with an SQS queue as target; every
 * published sample event (../shared/fixtures/aws-events), each sample of a pattern's detail type fitted to it, and mutations of the
 * fitted events (a field removed, another value, upper case, a prefix cut short, the value inside an array) are put
 * with PutEvents; what each queue receives must be exactly what the home-made matcher says matches.
 *
 * What it cannot prove: that moto matches as EventBridge does (it is a second, independent implementation, not
 * AWS); operators the templates do not use are not exercised (the matcher throws on them).
 *
 * Equal patterns (a rule both source providers' templates have) become one rule, and equal events (a sample fitted
 * to two equal patterns) are put once: moto's delivery depends on the pattern and the event only, so one delivery
 * answers for every copy (each costs moto a JSONPath parser built from scratch, ~40 ms), and every (pattern, event)
 * pair is still compared.
 */
import * as fs from 'node:fs';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { appTemplates, removeApp } from '../support/app';
import { DeployedTemplate, logicalIdsOfType } from '../support/cfn-template';
import { deploymentOf } from '../support/deployment';
import { awsEvent, EVENTS_DIR } from '../support/fixtures';
import { MotoServer, startMoto, useMotoEnvironment } from '../support/moto';
import { matchesEventPattern } from './support/event-pattern';

type Json = Record<string, unknown>;

interface Pattern {
  readonly name: string;
  readonly pattern: Json;
}

interface TestEvent {
  readonly id: string;
  readonly why: string;
  readonly source: string;
  readonly detailType: string;
  readonly resources: string[];
  readonly detail: Json;
}

const MARK = 'oracle-event-id';

function patternsOf(stack: DeployedTemplate, label: string): Pattern[] {
  return logicalIdsOfType(stack.template, 'AWS::Events::Rule')
    .map((id) => ({ id, pattern: stack.properties(id).EventPattern as Json | undefined }))
    .filter((r): r is { id: string; pattern: Json } => r.pattern !== undefined)
    .map((r) => ({ name: `${label} ${r.id}`, pattern: r.pattern }));
}

/** Leaf paths of a pattern with their conditions, e.g. ['detail', 'referenceName'] → [{ prefix: 'experiment/' }]. */
function leaves(pattern: Json, at: string[] = []): { path: string[]; conditions: unknown[] }[] {
  return Object.entries(pattern).flatMap(([key, sub]) =>
    Array.isArray(sub) ? [{ path: [...at, key], conditions: sub }] : leaves(sub as Json, [...at, key]),
  );
}

/** The flat event moto builds from a PutEvents entry, as far as patterns see it. */
function asEnvelope(e: TestEvent): Json {
  return { source: e.source, 'detail-type': e.detailType, resources: e.resources, detail: e.detail };
}

function fromEnvelope(id: string, why: string, envelope: Json): TestEvent {
  const detail = structuredClone((envelope.detail as Json | undefined) ?? {});
  detail[MARK] = id;
  const source = envelope.source;
  return {
    id,
    why,
    // The SageMaker sample carries `source` as a list; PutEvents takes a string.
    source: String(Array.isArray(source) ? source[0] : source),
    detailType: String(envelope['detail-type']),
    resources: ((envelope.resources as unknown[] | undefined) ?? []).map(String),
    detail,
  };
}

function setAt(target: Json, path: string[], value: unknown): void {
  const last = path[path.length - 1] ?? '';
  let node: Json = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null || Array.isArray(node[key])) node[key] = {};
    node = node[key] as Json;
  }
  if (value === undefined) delete node[last];
  else node[last] = value;
}

/** A value that satisfies a condition (literal or prefix). */
const satisfying = (condition: unknown): string =>
  typeof condition === 'string' ? condition : `${(condition as { prefix: string }).prefix}x`;

function eventsFor(patterns: Pattern[]): TestEvent[] {
  const samples = fs
    .readdirSync(EVENTS_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({ file: f, event: awsEvent<Json>(f) }));
  const events: TestEvent[] = [];
  let n = 0;
  const add = (why: string, envelope: Json) => events.push(fromEnvelope(`e${++n}`, why, envelope));
  for (const { file, event } of samples) add(`sample ${file}`, event);
  for (const { name, pattern } of patterns) {
    // Fitted and mutated: the samples of the pattern's own detail type (the others stay as they are, above).
    const types = (pattern['detail-type'] as unknown[] | undefined) ?? [];
    for (const { file, event } of samples.filter(({ event }) => types.includes(event['detail-type']))) {
      const fitted = structuredClone(event);
      for (const { path, conditions } of leaves(pattern)) {
        setAt(fitted, path, path[0] === 'resources' ? [satisfying(conditions[0])] : satisfying(conditions[0]));
      }
      add(`${file} fitted to ${name}`, fitted);
      for (const { path, conditions } of leaves(pattern)) {
        const top = path.length === 1;
        const value = satisfying(conditions[0]);
        const mutate = (why: string, v: unknown) => {
          const mutated = structuredClone(fitted);
          setAt(mutated, path, v);
          add(`${file} fitted to ${name}, ${path.join('.')} ${why}`, mutated);
        };
        const wrap = (v: unknown) => (path[0] === 'resources' ? [v] : v);
        mutate('another value', wrap(`${value}-other`.replace(/^/, 'z')));
        mutate('upper case', wrap(value.toUpperCase()));
        mutate('as one element of an array', [value, 'other']);
        if (typeof conditions[0] === 'object') {
          const prefix = (conditions[0] as { prefix: string }).prefix;
          mutate('equal to the prefix', wrap(prefix));
          mutate('the prefix cut short', wrap(prefix.slice(0, -1)));
        }
        if (!top) {
          mutate('removed', undefined);
          mutate('a number', 7);
          mutate('null', null);
          mutate('an object', { [path[path.length - 1] ?? 'x']: value });
        }
        if (path[0] === 'resources') mutate('empty', []);
      }
    }
  }
  return events;
}

describe('event patterns: the home-made matcher agrees with moto', () => {
  let moto: MotoServer;
  let patterns: Pattern[];
  beforeAll(async () => {
    const codecommit = appTemplates();
    const externalCi = appTemplates({ context: { sourceProvider: 'external-ci', githubRepository: 'acme/churn' } });
    try {
      const dc = deploymentOf(codecommit);
      const dj = deploymentOf(externalCi);
      patterns = [
        ...patternsOf(dc.product, 'product'),
        ...patternsOf(dj.product, 'external-ci product'),
        ...(dc.branch ? patternsOf(dc.branch, 'branch') : []),
      ];
    } finally {
      removeApp(codecommit);
      removeApp(externalCi);
    }
    moto = await startMoto();
    useMotoEnvironment(moto.endpoint);
  });
  afterAll(async () => moto.stop());

  it('finds the patterns of every template', () => {
    expect(patterns.length).toBeGreaterThanOrEqual(5);
    expect(patterns.some((p) => p.name.startsWith('branch'))).toBe(true);
  });

  it('delivers through moto exactly what the home-made matcher matches, for every pattern and event', async () => {
    const events = new EventBridgeClient({});
    const sqs = new SQSClient({});
    // One rule and queue per distinct pattern, one PutEvents entry per distinct event (see the header).
    const distinctPatterns = new Map(patterns.map((p) => [JSON.stringify(p.pattern), p]));
    const queues: { pattern: Pattern; url: string }[] = [];
    for (const [i, pattern] of [...distinctPatterns.values()].entries()) {
      const queue = await sqs.send(new CreateQueueCommand({ QueueName: `oracle-${i}` }));
      const url = queue.QueueUrl ?? '';
      const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
      await events.send(new PutRuleCommand({ Name: `oracle-${i}`, EventPattern: JSON.stringify(pattern.pattern) }));
      await events.send(
        new PutTargetsCommand({
          Rule: `oracle-${i}`,
          // Only the event's detail (which carries its id): moto parses one JSONPath per delivery instead of eight.
          Targets: [
            {
              Id: 'q',
              Arn: attributes.Attributes?.QueueArn,
              InputTransformer: { InputPathsMap: { detail: '$.detail' }, InputTemplate: '<detail>' },
            },
          ],
        }),
      );
      queues.push({ pattern, url });
    }

    const all = eventsFor(patterns);
    const put = new Map<string, TestEvent>();
    /** The event put for `e`: the first one equal to it, apart from its id. */
    const putFor = (e: TestEvent): TestEvent => {
      const key = JSON.stringify(asEnvelope({ ...e, detail: { ...e.detail, [MARK]: '' } }));
      if (!put.has(key)) put.set(key, e);
      return put.get(key) as TestEvent;
    };
    all.forEach(putFor);
    const distinctEvents = [...put.values()];
    for (let i = 0; i < distinctEvents.length; i += 10) {
      const out = await events.send(
        new PutEventsCommand({
          Entries: distinctEvents.slice(i, i + 10).map((e) => ({
            Source: e.source,
            DetailType: e.detailType,
            Resources: e.resources,
            Detail: JSON.stringify(e.detail),
          })),
        }),
      );
      expect(out.FailedEntryCount ?? 0).toBe(0);
    }

    const deliveredTo = new Map<string, Set<string>>();
    for (const { pattern, url } of queues) {
      const delivered = new Set<string>();
      deliveredTo.set(JSON.stringify(pattern.pattern), delivered);
      for (;;) {
        const batch = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
        const messages = batch.Messages ?? [];
        if (messages.length === 0) break;
        for (const m of messages) {
          delivered.add(String((JSON.parse(m.Body ?? '{}') as Json)[MARK]));
        }
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: url,
            Entries: messages.map((m, k) => ({ Id: String(k), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
      }
    }
    const disagreements: string[] = [];
    let matched = 0;
    let sloppy = 0;
    for (const pattern of patterns) {
      const delivered = deliveredTo.get(JSON.stringify(pattern.pattern)) as Set<string>;
      for (const e of all) {
        const byMoto = delivered.has(putFor(e).id);
        // The comparison can fail: a matcher that ignored case would disagree with moto on the upper-case mutations.
        const lower = (v: unknown) => JSON.parse(JSON.stringify(v).toLowerCase()) as Json;
        if (matchesEventPattern(lower(pattern.pattern), lower(asEnvelope(e))) !== byMoto) sloppy++;
        const ours = matchesEventPattern(pattern.pattern, asEnvelope(e));
        if (ours) matched++;
        if (ours !== byMoto) {
          disagreements.push(`${pattern.name} / ${e.why}: home-made ${ours}, moto ${byMoto}`);
        }
      }
    }
    // Both outcomes occur, so agreement is not the trivial kind.
    expect(matched).toBeGreaterThan(patterns.length * 10);
    expect(matched).toBeLessThan(all.length * patterns.length);
    expect(disagreements).toEqual([]);
    expect(sloppy).toBeGreaterThan(0);
    process.stdout.write(
      `event patterns: ${patterns.length} patterns x ${all.length} events = ${patterns.length * all.length} pairs, ` +
        `${matched} matches, ${disagreements.length} disagreements (moto: ${distinctPatterns.size} rules, ` +
        `${distinctEvents.length} events)\n`,
    );
  });
});
