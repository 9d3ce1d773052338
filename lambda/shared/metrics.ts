/**
 * CloudWatch metrics of the functions through Powertools for AWS Lambda's Metrics: each invocation's metrics are
 * printed to stdout once, as one Embedded Metric Format (EMF) object, and CloudWatch Logs turns them into metrics
 * (no IAM permission, no API call). Namespace `MultibranchMlops`; dimensions `service` (POWERTOOLS_SERVICE_NAME, the
 * function) and the function's own (its project, or its stage). Which metrics each function emits: docs/operations.md.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricUnit as Unit } from '@aws-lambda-powertools/metrics/types';

/** One data point an invocation's result calls for. */
export interface MetricPoint {
  readonly name: string;
  readonly value: number;
  /** @default MetricUnit.Count */
  readonly unit?: Unit;
  /** Added to the function's dimensions for this point only; keep the values few (an enum, never an id). */
  readonly dimensions?: Readonly<Record<string, string>>;
}

export const METRICS_NAMESPACE = 'MultibranchMlops';

/** Every function: an invocation that failed (the handler threw; Lambda retries it or dead-letters the event). */
const ERROR_POINT: MetricPoint = { name: 'Errors', value: 1 };

/** The function's metrics, created once per cold start. `service`: serviceName() of logger.ts. */
export function createMetrics(service: string, dimensions: Readonly<Record<string, string>>): Metrics {
  return new Metrics({
    namespace: METRICS_NAMESPACE,
    serviceName: service,
    defaultDimensions: { ...dimensions },
  });
}

/**
 * Runs one invocation, records the points its result calls for (when it throws: `Errors` and the points
 * `pointsOfError` adds, then rethrows) and publishes them once. An invocation that calls for no point prints nothing.
 */
export async function withMetrics<T>(
  metrics: Metrics,
  invoke: () => Promise<T>,
  pointsOf: (result: T) => readonly MetricPoint[],
  pointsOfError: (err: unknown) => readonly MetricPoint[] = () => [],
): Promise<T> {
  let result: T;
  try {
    result = await invoke();
  } catch (err) {
    publish(metrics, [ERROR_POINT, ...pointsOfError(err)]);
    throw err;
  }
  publish(metrics, pointsOf(result));
  return result;
}

function publish(metrics: Metrics, points: readonly MetricPoint[]): void {
  for (const point of points) {
    const unit = point.unit ?? MetricUnit.Count;
    if (point.dimensions === undefined) {
      metrics.addMetric(point.name, unit, point.value);
    } else {
      // Other dimensions than the function's: a metric object of its own (EMF dimensions are per object).
      const single = metrics.singleMetric();
      single.addDimensions({ ...point.dimensions });
      single.addMetric(point.name, unit, point.value);
    }
  }
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}
