/**
 * Client helper for a serving stage's multi-model endpoint: reads the model's current TargetModel from its SSM
 * parameter (written by the deploy function) and invokes the endpoint with it, retrying ModelNotReadyException
 * while the endpoint loads the model (its first invocation after a promotion may take up to a minute).
 *
 *   const client = new ServingClient({ stage: 'production' });
 *   const { body } = await client.invoke('churn', 'model-churn', '5.1,3.5,1.4\n', { contentType: 'text/csv' });
 *
 * The TargetModel is cached for `parameterTtlMs` (default 30 s), so a promotion or rollback reaches clients within
 * that time; a ValidationError naming a missing TargetModel (a pruned or withdrawn version) refreshes it at once.
 */
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { isModelNotReady, isTargetModelMissing } from '../contracts/sdk-errors/sagemaker-runtime';
import { isParameterNotFound } from '../contracts/sdk-errors/ssm';
import { endpointName, servingParameterName } from '../contracts/serving';

export interface ServingClientOptions {
  /** The stage (`sandbox`, `qa`, `production`): names the endpoint and the parameters. */
  readonly stage: string;
  /** @default - a SageMakerRuntimeClient from the environment */
  readonly runtime?: SageMakerRuntimeClient;
  /** @default - an SSMClient from the environment */
  readonly ssm?: SSMClient;
  /** How long a TargetModel read from SSM is used before it is read again. @default 30_000 */
  readonly parameterTtlMs?: number;
  /** How long to keep retrying ModelNotReadyException. @default 90_000 (a model load may take a minute) */
  readonly loadTimeoutMs?: number;
  /** First wait between retries; doubled up to 8 s. @default 500 */
  readonly retryDelayMs?: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface InvokeOptions {
  /** @default 'text/csv' */
  readonly contentType?: string;
  /** @default 'text/csv' */
  readonly accept?: string;
}

export interface InvokeResult {
  readonly body: string;
  readonly contentType?: string;
  /** The TargetModel that answered (`<project>/<group>/v<version>.tar.gz`). */
  readonly targetModel: string;
  /** How many ModelNotReadyException answers were retried. */
  readonly notReadyRetries: number;
}

/** The model has no current version in the stage (nothing approved, or all rejected). */
export class NoServedVersionError extends Error {
  override readonly name = 'NoServedVersionError';
}

export class ServingClient {
  private readonly runtime: SageMakerRuntimeClient;
  private readonly ssm: SSMClient;
  private readonly cache = new Map<string, { target: string; readAt: number }>();
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(private readonly options: ServingClientOptions) {
    this.runtime = options.runtime ?? new SageMakerRuntimeClient({});
    this.ssm = options.ssm ?? new SSMClient({});
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
  }

  /** The TargetModel of `project`'s model `modelPackageGroup` (cached for parameterTtlMs). */
  async targetModel(project: string, modelPackageGroup: string, refresh = false): Promise<string> {
    const name = servingParameterName(this.options.stage, project, modelPackageGroup);
    const cached = this.cache.get(name);
    if (!refresh && cached !== undefined && this.now() - cached.readAt < (this.options.parameterTtlMs ?? 30_000)) {
      return cached.target;
    }
    try {
      const out = await this.ssm.send(new GetParameterCommand({ Name: name }));
      const target = out.Parameter?.Value;
      if (target === undefined || target === '') throw new NoServedVersionError(`parameter ${name} is empty`);
      this.cache.set(name, { target, readAt: this.now() });
      return target;
    } catch (err) {
      if (isParameterNotFound(err)) {
        this.cache.delete(name);
        throw new NoServedVersionError(
          `stage ${this.options.stage} serves no version of ${modelPackageGroup} (project ${project}): no parameter ${name}`,
        );
      }
      throw err;
    }
  }

  async invoke(
    project: string,
    modelPackageGroup: string,
    body: string | Uint8Array,
    options: InvokeOptions = {},
  ): Promise<InvokeResult> {
    const deadline = this.now() + (this.options.loadTimeoutMs ?? 90_000);
    let delay = this.options.retryDelayMs ?? 500;
    let retries = 0;
    let refreshed = false;
    let target = await this.targetModel(project, modelPackageGroup);
    for (;;) {
      try {
        const out = await this.runtime.send(
          new InvokeEndpointCommand({
            EndpointName: endpointName(this.options.stage),
            TargetModel: target,
            Body: typeof body === 'string' ? new TextEncoder().encode(body) : body,
            ContentType: options.contentType ?? 'text/csv',
            Accept: options.accept ?? 'text/csv',
          }),
        );
        return {
          body: new TextDecoder().decode(out.Body),
          contentType: out.ContentType,
          targetModel: target,
          notReadyRetries: retries,
        };
      } catch (err) {
        if (isModelNotReady(err) && this.now() + delay <= deadline) {
          retries += 1;
          await this.sleep(delay);
          delay = Math.min(delay * 2, 8_000);
          continue;
        }
        // A TargetModel that no longer exists (pruned after a rollback): read the parameter again, once.
        const missing = isTargetModelMissing(err);
        if (missing && !refreshed) {
          refreshed = true;
          target = await this.targetModel(project, modelPackageGroup, true);
          continue;
        }
        throw err;
      }
    }
  }
}
