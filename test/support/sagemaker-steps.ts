/**
 * moto 5.2 has no ListPipelineExecutionSteps, the SageMaker fact that proves which execution registered a model
 * version. This stand-in sits in front of moto_server for SageMaker: it answers ListPipelineExecutionSteps (JSON 1.1,
 * `X-Amz-Target: SageMaker.ListPipelineExecutionSteps`) from what the test recorded as "this execution's
 * RegisterModel step created these versions", in the shape of the SDK's PipelineExecutionStep (StepName, StepStatus,
 * StartTime, EndTime, Metadata.RegisterModel.Arn), and forwards every other request to moto unchanged: so
 * DescribePipelineExecution and ListTags are moto's, and an execution moto does not know is refused before its steps
 * are asked for.
 *
 * Handlers reach it through `AWS_ENDPOINT_URL_SAGEMAKER` (the SDK's service-specific endpoint, which wins over
 * AWS_ENDPOINT_URL), or an explicit client endpoint.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SageMakerStepsStandIn {
  readonly endpoint: string;
  /** Records that the RegisterModel step of `executionArn` created `modelPackageArns`. */
  recordRegistration(executionArn: string, modelPackageArns: readonly string[]): void;
  /** Operations answered by the stand-in itself (for assertions). */
  readonly answered: string[];
  stop(): Promise<void>;
}

export async function startSageMakerStepsStandIn(motoEndpoint: string): Promise<SageMakerStepsStandIn> {
  const registrations = new Map<string, string[]>();
  const answered: string[] = [];
  const upstream = new URL(motoEndpoint);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const target = String(req.headers['x-amz-target'] ?? '');
      if (target === 'SageMaker.ListPipelineExecutionSteps') {
        answered.push('ListPipelineExecutionSteps');
        const input = JSON.parse(body.toString() || '{}') as { PipelineExecutionArn?: string };
        const arn = input.PipelineExecutionArn ?? '';
        const now = Date.now() / 1000;
        const steps = (registrations.get(arn.toLowerCase()) ?? []).map((modelPackageArn, i) => ({
          StepName: i === 0 ? 'RegisterModel' : `RegisterModel-${i}`,
          StepStatus: 'Succeeded',
          StartTime: now - 60,
          EndTime: now,
          Metadata: { RegisterModel: { Arn: modelPackageArn } },
        }));
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ PipelineExecutionSteps: steps }));
        return;
      }
      const forward = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          // The Host header stays as the client signed it: moto checks SigV4 signatures when it enforces IAM.
          headers: { ...req.headers },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
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
    answered,
    recordRegistration(executionArn, modelPackageArns) {
      const key = executionArn.toLowerCase();
      registrations.set(key, [...(registrations.get(key) ?? []), ...modelPackageArns]);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
