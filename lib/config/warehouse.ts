/** Context `warehouse`: the SQL warehouse `sql:` data sources read (docs/sql-source.md). */
import * as z from 'zod';
import { show } from './errors';
import { firstRepeated, fromJson, isUnset } from './values';

/** The SQL warehouse of the projects: its Secrets Manager secret (RDS JSON shape) and where extract jobs run. */
export interface WarehouseConfig {
  /** The secret's full ARN, with the 6-character suffix Secrets Manager adds, so the grant names exactly it. */
  readonly secretArn: string;
  /** Subnets of the extract processing jobs (with a route to the warehouse and to Secrets Manager). */
  readonly subnetIds: readonly string[];
  /** Security groups of the extract processing jobs (the warehouse's must admit them). */
  readonly securityGroupIds: readonly string[];
}

const SECRET_ARN =
  /^arn:aws[a-z-]*:secretsmanager:[a-z]{2}(-[a-z]+)+-\d:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
const SECURITY_GROUP_ID = /^sg-[0-9a-f]{8,17}$/;
const WAREHOUSE_KEYS = ['secretArn', 'subnetIds', 'securityGroupIds'] as const;
const SHAPE = `{ ${WAREHOUSE_KEYS.join(', ')} }`;

/** 1 to `max` distinct ids matching `pattern`; the message quotes the whole list. */
function idList(pattern: RegExp, max: number, example: string) {
  const error = (issue: { readonly input?: unknown }) =>
    `must be a list of 1 to ${max} ids like ${example}, got ${show(issue.input)}`;
  const isId = (id: unknown): id is string => typeof id === 'string' && pattern.test(id);
  return z
    .array(z.unknown(), { error })
    .min(1, { error, abort: true })
    .max(max, { error, abort: true })
    .refine((ids) => ids.every(isId), { error, abort: true })
    .refine((ids) => firstRepeated(ids) === undefined, {
      error: (issue) => `must not repeat an id, got ${show(issue.input)}`,
    })
    .transform((ids) => ids.filter(isId));
}

const warehouseObject = z.strictObject(
  {
    secretArn: z.string({ error: (issue) => secretArnError(issue.input) }).regex(SECRET_ARN, {
      error: (issue) => secretArnError(issue.input),
    }),
    subnetIds: idList(SUBNET_ID, 16, '"subnet-0123456789abcdef0"'),
    securityGroupIds: idList(SECURITY_GROUP_ID, 5, '"sg-0123456789abcdef0"'),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `has unknown keys ${issue.keys.join(', ')} (allowed: ${WAREHOUSE_KEYS.join(', ')})`
        : `must be an object ${SHAPE}, got ${show(issue.input)}`,
  },
);

function secretArnError(value: unknown): string {
  return (
    'must be the full ARN of a Secrets Manager secret, with the 6-character suffix ' +
    `(arn:aws:secretsmanager:<region>:<account>:secret:<name>-AbCdEf), got ${show(value)}`
  );
}

/** Context `warehouse`: an object in cdk.json, or its JSON on the command line (`-c warehouse='{...}'`). */
export const warehouseSchema = z.preprocess(
  (value) => (isUnset(value) ? undefined : value),
  fromJson(warehouseObject, (raw) => `must be a JSON object ${SHAPE}, got ${show(raw)}`).optional(),
);
