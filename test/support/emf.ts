/**
 * The CloudWatch Embedded Metric Format objects a function printed to stdout (`process.stdout.write`, spied), and
 * the metric points in them: what CloudWatch Logs would turn into metrics.
 */

export interface EmfObject {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions: readonly (readonly string[])[];
      readonly Metrics: readonly { readonly Name: string; readonly Unit: string }[];
    }[];
  };
  readonly [key: string]: unknown;
}

/** One metric value with its unit, namespace and dimensions (name → value), as CloudWatch would store it. */
export interface EmfPoint {
  readonly namespace: string;
  readonly name: string;
  readonly unit: string;
  readonly value: unknown;
  readonly dimensions: Record<string, unknown>;
}

/** Every line written to the spied stdout that is an EMF object (log lines are skipped). */
export function emfOf(write: jest.SpyInstance): EmfObject[] {
  return write.mock.calls
    .flatMap((call) => String(call[0]).split('\n'))
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((object): object is EmfObject => typeof object._aws === 'object' && object._aws !== null);
}

/** The metric points of the EMF objects printed to the spied stdout. */
export function emfPoints(write: jest.SpyInstance): EmfPoint[] {
  return emfOf(write).flatMap((object) =>
    object._aws.CloudWatchMetrics.flatMap((directive) =>
      directive.Metrics.map((metric) => ({
        namespace: directive.Namespace,
        name: metric.Name,
        unit: metric.Unit,
        value: object[metric.Name],
        dimensions: Object.fromEntries(directive.Dimensions.flat().map((key) => [key, object[key]])),
      })),
    ),
  );
}
