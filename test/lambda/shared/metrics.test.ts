/**
 * withMetrics: one EMF object per invocation on stdout, `Errors` when the handler throws, points with their own
 * dimensions in objects of their own.
 */
import { createTelemetry } from '../../../lambda/shared/telemetry';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { serviceName } from '../../../lambda/shared/logger';
import { createMetrics, METRICS_NAMESPACE, withMetrics } from '../../../lambda/shared/metrics';
import { emfOf } from '../../support/emf';

describe('withMetrics', () => {
  let write: jest.SpyInstance;
  const saved = { ...process.env };
  beforeEach(() => {
    delete process.env.POWERTOOLS_SERVICE_NAME;
    write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    write.mockRestore();
    process.env = { ...saved };
  });

  it('publishes the points of the result once, with the namespace, the service and the dimensions', async () => {
    const metrics = createMetrics('release-model', { project: 'fraud' });
    const result = await withMetrics(
      metrics,
      async () => 3,
      (n) => [
        { name: 'ModelVersionsApproved', value: n },
        { name: 'Seconds', value: 1.5, unit: MetricUnit.Seconds },
      ],
    );
    expect(result).toBe(3);
    const emf = emfOf(write);
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: METRICS_NAMESPACE,
            Dimensions: [['service', 'project']],
            Metrics: [
              { Name: 'ModelVersionsApproved', Unit: 'Count' },
              { Name: 'Seconds', Unit: 'Seconds' },
            ],
          },
        ],
      },
      service: 'release-model',
      project: 'fraud',
      ModelVersionsApproved: 3,
      Seconds: 1.5,
    });
  });

  it('names the service POWERTOOLS_SERVICE_NAME when set, else after the function', async () => {
    expect(serviceName('release-model', {})).toBe('release-model');
    process.env.POWERTOOLS_SERVICE_NAME = 'from-env';
    await withMetrics(
      createMetrics(serviceName('release-model'), {}),
      async () => 1,
      () => [{ name: 'X', value: 1 }],
    );
    expect(emfOf(write)[0]).toMatchObject({ service: 'from-env' });
  });

  it('counts a throwing invocation under Errors (and nothing of a result), and rethrows', async () => {
    const metrics = createMetrics('branch-pipeline', { project: 'fraud' });
    await expect(
      withMetrics(
        metrics,
        async () => {
          throw new Error('boom');
        },
        () => [{ name: 'BranchPipelinesCreated', value: 1 }],
      ),
    ).rejects.toThrow('boom');
    const emf = emfOf(write);
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({ Errors: 1, project: 'fraud' });
    expect(emf[0]).not.toHaveProperty('BranchPipelinesCreated');
  });

  it('prints a point with dimensions of its own as an object of its own, and nothing when there is no point', async () => {
    const metrics = createMetrics('release-model', { project: 'fraud' });
    await withMetrics(
      metrics,
      async () => 0,
      () => [{ name: 'ReleaseRefused', value: 1, dimensions: { reason: 'unconfirmed' } }],
    );
    const emf = emfOf(write);
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Dimensions: [['service', 'project', 'reason']] }] },
      ReleaseRefused: 1,
      reason: 'unconfirmed',
    });

    write.mockClear();
    await withMetrics(
      metrics,
      async () => 0,
      () => [],
    );
    expect(write).not.toHaveBeenCalled();
  });
});

describe('createTelemetry', () => {
  it("names a project's function by project and a serving stage's by stage, and logs the resource it serves", () => {
    const lines: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const project = createTelemetry('release-model', { projectName: 'churn', modelPackageGroupName: 'model-churn' });
      project.logger.info('hello');
      const stage = createTelemetry('deploy-model', { stageName: 'qa' });
      stage.logger.info('hello');
    } finally {
      write.mockRestore();
    }
    const [projectLine, stageLine] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(projectLine).toMatchObject({
      project: 'churn',
      modelPackageGroupName: 'model-churn',
      service: 'release-model',
    });
    expect(projectLine).not.toHaveProperty('stage');
    expect(stageLine).toMatchObject({ stage: 'qa', service: 'deploy-model' });
    expect(stageLine).not.toHaveProperty('project');
  });
});
