/** The project's warehouse connection settings, from the build's environment (WAREHOUSE_*). */

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

/** The warehouse from the build's environment; undefined when none is configured (no variable set). */
export function warehouseFromEnv(env: NodeJS.ProcessEnv): Warehouse | undefined {
  const values = Object.values(WAREHOUSE_ENV).map((k) => env[k] ?? '');
  if (values.every((v) => v === '')) return undefined;
  const missing = Object.values(WAREHOUSE_ENV).filter((k) => !env[k]);
  if (missing.length > 0) {
    throw new WarehouseError(
      `${missing.join(', ')} not set: the project's CDK context "warehouse" needs secretArn, subnetIds and securityGroupIds`,
    );
  }
  const list = (k: string) =>
    (env[k] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  return {
    secretArn: env[WAREHOUSE_ENV.secretArn] as string,
    subnetIds: list(WAREHOUSE_ENV.subnetIds),
    securityGroupIds: list(WAREHOUSE_ENV.securityGroupIds),
  };
}
