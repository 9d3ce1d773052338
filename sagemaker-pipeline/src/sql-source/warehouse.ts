/** The project's warehouse connection settings, from the build's environment (WAREHOUSE_*). */
import * as z from 'zod/mini';

/** The project's warehouse connection (CDK context `warehouse`, passed to the build as environment variables). */
export interface Warehouse {
  readonly secretArn: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
}

export const WAREHOUSE_ENV = {
  secretArn: 'WAREHOUSE_SECRET_ARN',
  subnetIds: 'WAREHOUSE_SUBNET_IDS',
  securityGroupIds: 'WAREHOUSE_SECURITY_GROUP_IDS',
} as const;

export class WarehouseError extends Error {
  override readonly name = 'WarehouseError';
}

/** A comma-separated list of ids, blanks dropped; at least one id. */
const idList = z
  .pipe(
    z.string(),
    z.transform((value) =>
      value
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id !== ''),
    ),
  )
  .check(z.minLength(1, 'lists no id'));

const warehouseEnvSchema = z.object({
  [WAREHOUSE_ENV.secretArn]: z.string().check(z.minLength(1)),
  [WAREHOUSE_ENV.subnetIds]: idList,
  [WAREHOUSE_ENV.securityGroupIds]: idList,
});

const FIX = 'the project\'s CDK context "warehouse" needs secretArn, subnetIds and securityGroupIds';

/** The warehouse from the build's environment; undefined when none is configured (no variable set). */
export function warehouseFromEnv(env: NodeJS.ProcessEnv): Warehouse | undefined {
  const names = Object.values(WAREHOUSE_ENV);
  if (names.every((name) => !env[name])) return undefined;
  const missing = names.filter((name) => !env[name]);
  if (missing.length > 0) throw new WarehouseError(`${missing.join(', ')} not set: ${FIX}`);
  const parsed = warehouseEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${String(issue.path[0])} ${issue.message}`);
    throw new WarehouseError(`${problems.join('; ')}: ${FIX}`);
  }
  return {
    secretArn: parsed.data[WAREHOUSE_ENV.secretArn],
    subnetIds: parsed.data[WAREHOUSE_ENV.subnetIds],
    securityGroupIds: parsed.data[WAREHOUSE_ENV.securityGroupIds],
  };
}
