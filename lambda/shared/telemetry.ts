/**
 * A function's logger and metrics, made once per cold start from its configuration: the service name is
 * `POWERTOOLS_SERVICE_NAME` (set by MonitoredFunction) or the function's folder name; metrics carry the project (or,
 * for a serving stage's function, the stage) as dimension; log lines carry that and the repository or model package
 * group the function serves.
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { createLogger, Logger, LogContext, serviceName } from './logger';
import { createMetrics } from './metrics';

export interface Telemetry {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** The configuration fields telemetry reads: a project's function has `projectName`, a stage's `stageName`. */
export interface TelemetrySubject {
  readonly projectName?: string;
  readonly stageName?: string;
  readonly repositoryName?: string;
  readonly modelPackageGroupName?: string;
}

export function createTelemetry(fallbackServiceName: string, subject: TelemetrySubject): Telemetry {
  const service = serviceName(fallbackServiceName);
  const dimensions: Record<string, string> =
    subject.projectName !== undefined ? { project: subject.projectName } : { stage: subject.stageName ?? 'unknown' };
  const logContext: LogContext = { ...dimensions };
  if (subject.repositoryName !== undefined) logContext.repository = subject.repositoryName;
  if (subject.modelPackageGroupName !== undefined) logContext.modelPackageGroupName = subject.modelPackageGroupName;
  return { logger: createLogger(logContext, { serviceName: service }), metrics: createMetrics(service, dimensions) };
}
