/**
 * Evaluation metrics as the pipeline's evaluation step writes them (`evaluation.json`, SageMaker's model quality
 * statistics format, referenced by a model package's `ModelMetrics.ModelQuality.Statistics.S3Uri`):
 *
 *   {"regression_metrics": {"mse": {"value": 4.1, "standard_deviation": 0.2}, ...}, "test_rows": 627}
 *
 * Every `<section>.<metric>.value` number is a metric, whatever the section (`regression_metrics`,
 * `binary_classification_metrics`, `multiclass_classification_metrics`, ...). Pure functions.
 */

export type Direction = 'lower' | 'higher';

/**
 * Which way is better, for the metric names SageMaker's model quality reports and the seed's evaluate.py use. A
 * metric not listed here is shown without a verdict. The gate's own comparison (`<=` / `>=` in the pipeline
 * definition) overrides this for the gate metric.
 */
export const METRIC_DIRECTIONS: Readonly<Record<string, Direction>> = {
  mse: 'lower',
  rmse: 'lower',
  mae: 'lower',
  mape: 'lower',
  log_loss: 'lower',
  false_positive_rate: 'lower',
  false_negative_rate: 'lower',
  r2: 'higher',
  accuracy: 'higher',
  balanced_accuracy: 'higher',
  auc: 'higher',
  pr_auc: 'higher',
  f1: 'higher',
  f2: 'higher',
  f0_5: 'higher',
  weighted_f1: 'higher',
  precision: 'higher',
  recall: 'higher',
  weighted_precision: 'higher',
  weighted_recall: 'higher',
  true_positive_rate: 'higher',
  true_negative_rate: 'higher',
};

/** Metric name → value, in the order the report lists them. */
export type Metrics = ReadonlyMap<string, number>;

export class MetricsFormatError extends Error {
  override readonly name = 'MetricsFormatError';
}

/**
 * The metrics of an evaluation report. A metric name that appears in two sections keeps the first; a report with no
 * `<section>.<metric>.value` number is a MetricsFormatError naming what was expected.
 */
export function parseEvaluationReport(text: string): Map<string, number> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new MetricsFormatError(`the evaluation report is not JSON: ${(err as Error).message}`);
  }
  const metrics = new Map<string, number>();
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
    for (const section of Object.values(parsed as Record<string, unknown>)) {
      if (typeof section !== 'object' || section === null || Array.isArray(section)) continue;
      for (const [name, entry] of Object.entries(section as Record<string, unknown>)) {
        const value = typeof entry === 'object' && entry !== null ? (entry as { value?: unknown }).value : undefined;
        if (typeof value === 'number' && Number.isFinite(value) && !metrics.has(name)) metrics.set(name, value);
      }
    }
  }
  if (metrics.size === 0) {
    throw new MetricsFormatError(
      'the evaluation report has no metric: expected {"<section>_metrics": {"<metric>": {"value": <number>}}}',
    );
  }
  return metrics;
}

export type Verdict = 'better' | 'worse' | 'same' | 'unknown';

export interface Comparison {
  readonly metric: string;
  readonly candidate?: number;
  readonly baseline?: number;
  /** candidate − baseline, when both exist. */
  readonly difference?: number;
  readonly direction?: Direction;
  /** The candidate compared with the baseline, by the metric's direction. */
  readonly verdict: Verdict;
}

/**
 * Row by row comparison: every metric of the candidate (in its order), then metrics only the baseline has.
 * `directions` overrides {@link METRIC_DIRECTIONS} (the gate's comparison).
 */
export function compareMetrics(
  candidate: Metrics | undefined,
  baseline: Metrics | undefined,
  directions: Readonly<Record<string, Direction>> = {},
): Comparison[] {
  const names = [...(candidate?.keys() ?? [])];
  for (const name of baseline?.keys() ?? []) if (!names.includes(name)) names.push(name);
  return names.map((metric) => {
    const c = candidate?.get(metric);
    const b = baseline?.get(metric);
    const direction = directions[metric] ?? METRIC_DIRECTIONS[metric];
    if (c === undefined || b === undefined) return { metric, candidate: c, baseline: b, direction, verdict: 'unknown' };
    const difference = c - b;
    let verdict: Verdict = 'unknown';
    if (difference === 0) verdict = 'same';
    else if (direction !== undefined) {
      verdict = (direction === 'lower' ? difference < 0 : difference > 0) ? 'better' : 'worse';
    }
    return { metric, candidate: c, baseline: b, difference, direction, verdict };
  });
}
