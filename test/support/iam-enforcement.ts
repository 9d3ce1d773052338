/**
 * The run-time IAM oracle: moto_server with its IAM access control on (moto docs, "IAM-like access control":
 * `INITIAL_NO_AUTH_ACTION_COUNT`, here switched on through `/moto-api/reset-auth`), so code under test calls AWS as
 * its synthesized role and a call the role does not allow fails.
 *
 *   const admin = await enableIamEnforcement(moto);      // the test's own clients: an admin user (env credentials)
 *   const session = await credentialsForRole(moto, { roleName, path, trustPolicy, policies, label: 'release' });
 *   spawn(..., { env: { ...session.env } });              // the code under test: the role's assumed-role session
 *   session.calls / session.denied()                       // every call it made through the counting proxy
 *
 * Each role session gets its own small HTTP proxy in front of moto (its `AWS_ENDPOINT_URL`), which records the
 * calls made with it and the ones moto denied (HTTP 403 AccessDenied*), for the report and for the assertion that
 * nothing was denied.
 *
 * What moto cannot prove, and this harness does not claim (read from moto 5.2's moto/iam/access_control.py and
 * moto/core/responses.py):
 * - moto names the request's resource only for S3, SQS, IAM and STS; every other service is authorized against
 *   the resource `*`, which a scoped `Resource` never matches. {@link forMoto} therefore widens the `Resource` of
 *   statements whose actions are all of other services to `*`: for those, moto proves the ACTIONS only.
 * - moto fills no condition context, and an unmet condition makes its statement DENY (even an Allow). So
 *   {@link forMoto} drops `Condition` from Allow statements (wider, never narrower) and drops conditional Deny
 *   statements (they would deny everything). Conditions (`aws:ResourceTag/...`, `iam:PassedToService`, ...) are
 *   evaluated by test/support/iam-policy.ts in the template tests, not here.
 * - resource policies, permission boundaries and services moto lacks (CodeCommit: the stand-in; CodePipeline and
 *   CodeBuild: played by the tests) are not authorized at all.
 */
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetRoleCommand,
  IAMClient,
  UpdateAssumeRolePolicyCommand,
  NoSuchEntityException,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { PolicyDocument, PolicyStatement } from './iam-policy';
import type { MotoServer } from './moto';

export interface Call {
  readonly action: string;
  readonly status: number;
  readonly denied: boolean;
  readonly error?: string;
}

export interface RoleSession {
  readonly label: string;
  readonly roleArn: string;
  /** Environment for the code under test: the session's credentials and the counting proxy as endpoint. */
  readonly env: Record<string, string>;
  readonly calls: Call[];
  denied(): Call[];
  /**
   * Another endpoint counted into the same `calls`, forwarding to `upstream` (a stand-in in front of moto, such as
   * the SageMaker steps stand-in): so the calls the code under test sends there are counted, and moto still
   * authorizes the ones the stand-in forwards.
   */
  through(upstream: string): Promise<string>;
  stop(): Promise<void>;
}

const iam = () => new IAMClient({});

/**
 * Creates an admin user for the test's own clients (its keys go to process.env), then turns IAM enforcement on:
 * from now on every request to `moto` must be signed by credentials moto knows, and is authorized by their policies.
 * On the worker's shared server it lasts until the next suite leases the server, which turns it off first
 * (test/support/moto.ts).
 */
export async function enableIamEnforcement(moto: MotoServer): Promise<{ accessKeyId: string; userArn: string }> {
  const client = iam();
  const userName = 'test-admin';
  const user = await client.send(new CreateUserCommand({ UserName: userName }));
  const userArn = user.User?.Arn ?? '';
  adminArn = userArn;
  await client.send(
    new PutUserPolicyCommand({
      UserName: userName,
      PolicyName: 'everything',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      }),
    }),
  );
  const key = await client.send(new CreateAccessKeyCommand({ UserName: userName }));
  const accessKeyId = key.AccessKey?.AccessKeyId;
  const secret = key.AccessKey?.SecretAccessKey;
  if (!accessKeyId || !secret) throw new Error('moto returned no access key');
  process.env.AWS_ACCESS_KEY_ID = accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = secret;
  delete process.env.AWS_SESSION_TOKEN;
  await setAuthCount(moto, 0);
  // Proves enforcement is on: an unknown key is refused.
  const probe = await fetch(`${moto.endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIDUNKNOWN/20240101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=x',
    },
    body: 'Action=GetCallerIdentity&Version=2011-06-15',
  });
  if (probe.status < 400) throw new Error('moto accepted an unknown access key: IAM enforcement is not on');
  return { accessKeyId, userArn };
}

/** The admin user of {@link enableIamEnforcement}: who assumes the roles. */
let adminArn: string | undefined;

/** Turns enforcement off again (before moto.reset(), which forgets the admin user). */
export async function disableIamEnforcement(moto: MotoServer): Promise<void> {
  await setAuthCount(moto, Number.POSITIVE_INFINITY);
}

async function setAuthCount(moto: MotoServer, count: number): Promise<void> {
  const res = await fetch(`${moto.endpoint}/moto-api/reset-auth`, {
    method: 'POST',
    body: Number.isFinite(count) ? String(count) : 'inf',
  });
  if (!res.ok) throw new Error(`moto reset-auth failed: HTTP ${res.status}`);
}

export interface RoleSpec {
  /** Name in reports. */
  readonly label: string;
  readonly roleName: string;
  /** @default '/' */
  readonly path?: string;
  readonly trustPolicy: unknown;
  /** The role's identity policies, resolved (no intrinsics). */
  readonly policies: readonly PolicyDocument[];
}

/**
 * The role (created if missing) with exactly `policies` as inline policies, assumed: credentials for the code
 * under test, with a counting proxy in front of moto.
 */
export async function credentialsForRole(moto: MotoServer, spec: RoleSpec): Promise<RoleSession> {
  const client = iam();
  let roleArn: string;
  try {
    roleArn = (await client.send(new GetRoleCommand({ RoleName: spec.roleName }))).Role?.Arn ?? '';
  } catch (err) {
    if (!(err instanceof NoSuchEntityException)) throw err;
    const created = await client.send(
      new CreateRoleCommand({
        RoleName: spec.roleName,
        Path: spec.path ?? '/',
        AssumeRolePolicyDocument: JSON.stringify(spec.trustPolicy),
      }),
    );
    roleArn = created.Role?.Arn ?? '';
  }
  // The test assumes the role on the service's behalf: moto 5.2 cannot evaluate a trust policy with a Service
  // principal only (it fails with HTTP 500), so in moto the role trusts the test's admin user. The template's own
  // trust policies are asserted by the template tests, not here.
  if (!adminArn) throw new Error('call enableIamEnforcement first');
  await client.send(
    new UpdateAssumeRolePolicyCommand({
      RoleName: spec.roleName,
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: adminArn }, Action: 'sts:AssumeRole' }],
      }),
    }),
  );
  for (const [index, document] of forMoto(spec.policies).entries()) {
    await client.send(
      new PutRolePolicyCommand({
        RoleName: spec.roleName,
        PolicyName: `policy-${index}`,
        PolicyDocument: JSON.stringify(document),
      }),
    );
  }
  const assumed = await new STSClient({}).send(
    new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: spec.label.replace(/[^\w+=,.@-]/g, '-').slice(0, 64) }),
  );
  const credentials = assumed.Credentials;
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken) {
    throw new Error(`AssumeRole ${roleArn} returned no credentials`);
  }
  const calls: Call[] = [];
  const proxy = await startCountingProxy(moto.endpoint, calls);
  const others: { stop: () => Promise<void> }[] = [];
  return {
    label: spec.label,
    roleArn,
    calls,
    denied: () => calls.filter((c) => c.denied),
    env: {
      AWS_ACCESS_KEY_ID: credentials.AccessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.SecretAccessKey,
      AWS_SESSION_TOKEN: credentials.SessionToken,
      AWS_ENDPOINT_URL: proxy.endpoint,
    },
    async through(upstream: string) {
      const other = await startCountingProxy(upstream, calls);
      others.push(other);
      return other.endpoint;
    },
    stop: async () => {
      await Promise.all([proxy, ...others].map((p) => p.stop()));
    },
  };
}

/** Services whose requests moto 5.2 authorizes against a real resource ARN (the rest against `*`). */
const MOTO_RESOURCE_SERVICES = new Set(['s3', 'sqs', 'iam', 'sts']);

/**
 * The policies as moto can evaluate them (see the header): Allow statements lose their conditions, and their
 * resources widen to `*` unless every action is of a service moto authorizes by resource; conditional Deny
 * statements are dropped. Never narrower than the original, so a call moto denies is denied by the original too.
 */
export function forMoto(policies: readonly PolicyDocument[]): PolicyDocument[] {
  return policies.map((policy) => {
    const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
    const kept = (statements as PolicyStatement[]).flatMap((statement): PolicyStatement[] => {
      if (statement.Effect === 'Deny') return statement.Condition ? [] : [statement];
      const actions = [statement.Action ?? []].flat();
      const byResource = actions.length > 0 && actions.every((a) => MOTO_RESOURCE_SERVICES.has(a.split(':')[0] ?? ''));
      const rest: PolicyStatement = { ...statement };
      delete (rest as { Condition?: unknown }).Condition;
      return [byResource ? rest : { ...rest, Resource: '*' }];
    });
    return { Version: '2012-10-17', Statement: kept };
  });
}

/** The API action of a request: JSON protocols name it in X-Amz-Target, query protocols in `Action=`. */
function actionOf(req: http.IncomingMessage, body: Buffer): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop() ?? target;
  const text = body.subarray(0, 2000).toString();
  const query = /(?:^|&)Action=([A-Za-z0-9]+)/.exec(text) ?? /[?&]Action=([A-Za-z0-9]+)/.exec(req.url ?? '');
  if (query?.[1]) return query[1];
  const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1];
  return `${service ?? '?'} ${req.method} ${(req.url ?? '').split('?')[0]}`;
}

async function startCountingProxy(
  target: string,
  calls: Call[],
): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const forward = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          const out: Buffer[] = [];
          answer.on('data', (c: Buffer) => out.push(c));
          answer.on('end', () => {
            const text = Buffer.concat(out);
            const status = answer.statusCode ?? 0;
            const snippet = text.subarray(0, 600).toString();
            const denied = status === 403 && /AccessDenied|not authorized/i.test(snippet);
            calls.push({
              action: actionOf(req, body),
              status,
              denied,
              ...(status >= 400 ? { error: snippet.replace(/\s+/g, ' ').slice(0, 300) } : {}),
            });
            res.writeHead(status, answer.headers);
            res.end(text);
          });
        },
      );
      forward.on('error', (err) => {
        res.writeHead(502);
        res.end(String(err));
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** `label: N calls, M denied` lines, for reports. */
export function callReport(sessions: readonly RoleSession[]): string[] {
  return sessions.map((s) => `${s.label}: ${s.calls.length} calls, ${s.denied().length} denied`);
}
