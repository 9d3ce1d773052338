/**
 * The numeric limits of the baseline and its projects: how often branches are reconciled, how long release intents
 * are kept, log retention, how many branch pipelines and builds a project may have, and approvals on main.
 */
import * as z from 'zod';
import { show } from './errors';
import { contextInteger } from './values';

/** Log retention values CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** The schemas of the limits, each with its range and default. */
export const limitsShape = {
  reconcileIntervalMinutes: contextInteger(5, 1440, 60),
  intentTtlDays: contextInteger(1, 365, 14),
  logRetentionDays: contextInteger(1, 3653, 90).pipe(
    z.literal(LOG_RETENTION_DAYS, {
      error: (issue) => `must be one of ${LOG_RETENTION_DAYS.join(', ')}, got ${show(issue.input)}`,
    }),
  ),
  maxBranchPipelines: contextInteger(1, 500, 25),
  concurrentBuildLimit: contextInteger(1, 100, 4),
  mainApprovalsRequired: contextInteger(1, 10, 1),
};
