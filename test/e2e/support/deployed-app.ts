/**
 * The app as deployed, without AWS: synthesizes the CDK app once (bundling on, so the Lambda assets are the esbuild
 * bundles a deployment uploads) and runs those bundles as Lambda would.
 *
 * - {@link synthesizeApp}: the cloud assembly, the project template (the Service Catalog product stack's file in the
 *   assembly) and the asset behind any S3 key the template names.
 * - {@link DeployedFunction}: one Lambda function of the template in a child process (a warm execution environment):
 *   `LAMBDA_TASK_ROOT` is the bundle's asset directory, `_HANDLER` the template's `Handler`, the environment exactly
 *   the template's `Environment.Variables` (resolved against the emulator) plus what Lambda itself sets (region,
 *   credentials, `NODE_PATH` to the SDK) and the emulator's endpoint. Each invocation gets a context whose remaining time counts down from
 *   the template's `Timeout`.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildApp, removeApp } from '../../support/app';
import { PROJECT_ROOT } from '../../support/fixtures';
import { CfnTemplate, TemplateResources } from './template-resources';

export interface SynthesizedApp {
  readonly assemblyDir: string;
  readonly productTemplate: CfnTemplate;
  /** The file or directory in the assembly of the asset published under `s3Key` (`<hash>.zip`, `<hash>.json`). */
  assetPath(s3Key: string): string;
  /** Removes the assembly. */
  remove(): void;
}

/**
 * Synthesizes the app as the tests build it (test/support/app.ts: cdk.json's context) for `account` and `region`,
 * with bundling on, so the Lambda assets are the esbuild bundles a deployment uploads.
 */
export function synthesizeApp(account: string, region: string): SynthesizedApp {
  const built = buildApp({ context: { account, region, 'aws:cdk:bundling-stacks': ['**'] } });
  const entries = fs.readdirSync(built.outdir);
  return {
    assemblyDir: built.outdir,
    productTemplate: built.productTemplate.toJSON() as CfnTemplate,
    assetPath(s3Key: string): string {
      const hash = s3Key.replace(/\.(zip|json)$/, '');
      const found = entries.filter((e) => e === `asset.${hash}` || e === `asset.${hash}.json`);
      if (found.length !== 1 || !found[0]) {
        throw new Error(`no single asset for S3 key ${s3Key} in ${built.outdir} (found ${found.join(', ')})`);
      }
      return path.join(built.outdir, found[0]);
    },
    remove: () => removeApp(built),
  };
}

export interface Invocation {
  readonly functionLogicalId: string;
  readonly event: unknown;
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: { name: string; message: string };
  /** The function's last log lines, when the invocation failed. */
  readonly logTail?: string;
}

/** Runs in the child: loads the handler as Lambda does, answers invocations over IPC. */
const RUNNER = `
const path = require('node:path');
const [file, exportName] = process.env._HANDLER.split('.');
let handler;
let initError;
try {
  handler = require(path.join(process.env.LAMBDA_TASK_ROOT, file + '.js'))[exportName];
  if (typeof handler !== 'function') throw new Error('handler ' + process.env._HANDLER + ' is not a function');
} catch (err) {
  initError = { name: err && err.name || 'Error', message: 'Runtime.InitError: ' + (err && err.message) };
}
process.on('message', async (msg) => {
  if (initError) return process.send({ id: msg.id, ok: false, error: initError });
  const deadline = Date.now() + msg.timeoutMs;
  const context = {
    awsRequestId: msg.id,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const result = await handler(msg.event, context);
    process.send({ id: msg.id, ok: true, result: result === undefined ? null : result });
  } catch (err) {
    process.send({ id: msg.id, ok: false, error: { name: err && err.name || 'Error', message: String(err && err.message) } });
  }
});
`;

interface Reply {
  readonly id: string;
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: { name: string; message: string };
}

export class DeployedFunction {
  /** Every line the function wrote (its JSON logs), for the test's failure messages. */
  readonly logs: string[] = [];
  private child?: ChildProcess;
  private readonly waiting = new Map<string, { resolve: (reply: Reply) => void; reject: (err: Error) => void }>();

  private constructor(
    readonly logicalId: string,
    readonly environment: Record<string, string>,
    private readonly taskRoot: string,
    private readonly handlerName: string,
    private readonly timeoutMs: number,
  ) {}

  /**
   * The function `logicalId` of the template, its environment resolved by `resources`, plus `runtimeEnv` (what the
   * Lambda runtime and the emulator add: region, credentials, endpoints).
   */
  static async fromTemplate(
    synthesized: SynthesizedApp,
    resources: TemplateResources,
    logicalId: string,
    runtimeEnv: Record<string, string>,
  ): Promise<DeployedFunction> {
    const resource = synthesized.productTemplate.Resources[logicalId];
    if (resource?.Type !== 'AWS::Lambda::Function') throw new Error(`${logicalId} is not a Lambda function`);
    const props = resource.Properties ?? {};
    const code = props.Code as { S3Key?: string };
    if (!code.S3Key) throw new Error(`${logicalId} has no S3 code asset`);
    const variables = (props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    const environment: Record<string, string> = {};
    for (const [name, value] of Object.entries(variables)) {
      environment[name] = await resources.resolveString(value, `${logicalId} environment variable ${name}`);
    }
    const functionName =
      props.FunctionName === undefined ? logicalId : await resources.resolveString(props.FunctionName, 'FunctionName');
    return new DeployedFunction(
      logicalId,
      { ...environment, ...runtimeEnv, AWS_LAMBDA_FUNCTION_NAME: functionName },
      synthesized.assetPath(code.S3Key),
      String(props.Handler),
      Number(props.Timeout ?? 3) * 1000,
    );
  }

  /** Invokes the handler with `event` (as an asynchronous invocation delivers it) and records the outcome. */
  async invoke(event: unknown): Promise<Invocation> {
    const child = this.start();
    const id = randomUUID();
    const reply = await new Promise<Reply>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      child.send({ id, event, timeoutMs: this.timeoutMs });
    });
    return {
      functionLogicalId: this.logicalId,
      event,
      ...reply,
      ...(reply.ok ? {} : { logTail: this.tail(10) }),
    };
  }

  /** The last log lines, for failure messages. */
  tail(lines = 30): string {
    return this.logs.slice(-lines).join('\n');
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }

  private start(): ChildProcess {
    if (this.child && this.child.exitCode === null) return this.child;
    const child = spawn(process.execPath, ['-e', RUNNER], {
      cwd: this.taskRoot,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        LAMBDA_TASK_ROOT: this.taskRoot,
        _HANDLER: this.handlerName,
        // Lambda's runtime provides the AWS SDK (which the bundles leave external) through NODE_PATH.
        NODE_PATH: path.join(PROJECT_ROOT, 'node_modules'),
        ...this.environment,
      },
    });
    const keep = (chunk: Buffer) => this.logs.push(...chunk.toString().split('\n').filter(Boolean));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('message', (reply: Reply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      waiter?.resolve(reply);
    });
    child.on('exit', (code, signal) => {
      for (const waiter of this.waiting.values()) {
        waiter.reject(new Error(`${this.logicalId} exited (${code ?? signal}) mid-invocation:\n${this.tail()}`));
      }
      this.waiting.clear();
    });
    this.child = child;
    return child;
  }
}
