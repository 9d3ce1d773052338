import {
  InvokeEndpointCommand,
  ModelNotReadyException,
  SageMakerRuntimeClient,
  ValidationError,
} from '@aws-sdk/client-sagemaker-runtime';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { NoServedVersionError, ServingClient } from '../../lib/serving-client';

const runtime = mockClient(SageMakerRuntimeClient);
const ssm = mockClient(SSMClient);
const PARAMETER = '/multibranch-mlops/serving/production/churn/model-churn';
const notReady = () => new ModelNotReadyException({ message: 'Model is loading', $metadata: {} });
const answer = (text: string) => ({ Body: new TextEncoder().encode(text) as never, ContentType: 'text/csv' });

function client(overrides: Partial<ConstructorParameters<typeof ServingClient>[0]> = {}) {
  let clock = 0;
  const sleeps: number[] = [];
  const c = new ServingClient({
    stage: 'production',
    runtime: new SageMakerRuntimeClient({}),
    ssm: new SSMClient({}),
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    now: () => clock,
    ...overrides,
  });
  return { c, sleeps, advance: (ms: number) => (clock += ms) };
}

beforeEach(() => {
  runtime.reset();
  ssm.reset();
  ssm.on(GetParameterCommand, { Name: PARAMETER }).resolves({ Parameter: { Value: 'churn/model-churn/v3.tar.gz' } });
});

describe('ServingClient', () => {
  it('invokes the stage endpoint with the TargetModel the parameter names', async () => {
    runtime.on(InvokeEndpointCommand).resolves(answer('9.5'));
    const { c } = client();
    const result = await c.invoke('churn', 'model-churn', '1,2,3');
    expect(result).toEqual({
      body: '9.5',
      contentType: 'text/csv',
      targetModel: 'churn/model-churn/v3.tar.gz',
      notReadyRetries: 0,
    });
    expect(runtime).toHaveReceivedCommandWith(InvokeEndpointCommand, {
      EndpointName: 'multibranch-mlops-production',
      TargetModel: 'churn/model-churn/v3.tar.gz',
      ContentType: 'text/csv',
    });
  });

  it('retries ModelNotReadyException with a growing wait while the model loads', async () => {
    runtime
      .on(InvokeEndpointCommand)
      .rejectsOnce(notReady())
      .rejectsOnce(notReady())
      .rejectsOnce(notReady())
      .resolves(answer('1.0'));
    const { c, sleeps } = client();
    const result = await c.invoke('churn', 'model-churn', '1,2,3');
    expect(result.notReadyRetries).toBe(3);
    expect(sleeps).toEqual([500, 1000, 2000]);
  });

  it('gives up on ModelNotReadyException after the load timeout, with the service error', async () => {
    runtime.on(InvokeEndpointCommand).rejects(notReady());
    const { c, sleeps } = client({ loadTimeoutMs: 10_000 });
    await expect(c.invoke('churn', 'model-churn', '1')).rejects.toBeInstanceOf(ModelNotReadyException);
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(10_000);
  });

  it('does not retry other errors', async () => {
    runtime.on(InvokeEndpointCommand).rejects(new ValidationError({ message: 'bad body', $metadata: {} }));
    const { c, sleeps } = client();
    await expect(c.invoke('churn', 'model-churn', 'x')).rejects.toThrow('bad body');
    expect(sleeps).toEqual([]);
    expect(runtime).toHaveReceivedCommandTimes(InvokeEndpointCommand, 1);
  });

  it('reads the parameter again when the cached TargetModel is gone (a rollback pruned it)', async () => {
    runtime
      .on(InvokeEndpointCommand, { TargetModel: 'churn/model-churn/v3.tar.gz' })
      .rejects(new ValidationError({ message: 'Could not find the target model', $metadata: {} }))
      .on(InvokeEndpointCommand, { TargetModel: 'churn/model-churn/v2.tar.gz' })
      .resolves(answer('2.0'));
    const { c } = client();
    await c.targetModel('churn', 'model-churn');
    ssm.on(GetParameterCommand, { Name: PARAMETER }).resolves({ Parameter: { Value: 'churn/model-churn/v2.tar.gz' } });
    const result = await c.invoke('churn', 'model-churn', '1');
    expect(result.targetModel).toBe('churn/model-churn/v2.tar.gz');
  });

  it('caches the TargetModel for the TTL, then reads it again', async () => {
    runtime.on(InvokeEndpointCommand).resolves(answer('1'));
    const { c, advance } = client({ parameterTtlMs: 1000 });
    await c.invoke('churn', 'model-churn', '1');
    await c.invoke('churn', 'model-churn', '1');
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 1);
    advance(1001);
    await c.invoke('churn', 'model-churn', '1');
    expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 2);
  });

  it('says the stage serves no version when the parameter does not exist', async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
    const { c } = client();
    await expect(c.invoke('churn', 'model-other', '1')).rejects.toThrow(NoServedVersionError);
    await expect(c.invoke('churn', 'model-other', '1')).rejects.toThrow(/serves no version of model-other/);
  });
});
