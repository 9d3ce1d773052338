/**
 * The app's one typed, validated configuration, read from CDK context (`cdk.json` and `-c key=value`).
 *
 * Every key is checked here, once, before any construct exists, by one zod schema composed of one part per concern
 * (environment, source, project, limits, retrain, warehouse, serving). A bad value throws a {@link ConfigError} that
 * names the key, the value and what is allowed, so `cdk synth` fails before it writes anything. Nothing here calls
 * AWS.
 */
import * as z from 'zod';
import type { AppConfig } from './app-config';
import { environmentShape } from './environment';
import { ConfigError, configErrorOf, firstIssue, type Refusal } from './errors';
import { limitsShape } from './limits';
import { projectRefusal, projectShape } from './project';
import { retrainSchema } from './retrain';
import { servingOf, servingRefusal, servingSchema } from './serving';
import { ciOf, providerOf, sourceRefusal, sourceShape, sourceWarnings } from './source';
import { warehouseSchema } from './warehouse';

export type { AppConfig } from './app-config';
export { ConfigError } from './errors';
export { MISSING_ENVIRONMENT_HINT, SUPPORTED_REGIONS } from './environment';
export { LOG_RETENTION_DAYS } from './limits';
export { RETRAIN_KEYS, type RetrainConfig } from './retrain';
export { SERVING_KEYS, type ServedProjectConfig, type ServingConfig, type ServingStageConfig } from './serving';
export {
  CI_CONTEXT_KEYS,
  type CiConfig,
  DEPRECATED_SOURCE_PROVIDERS,
  JENKINS_DEPRECATION,
  SOURCE_PROVIDERS,
  type SourceProvider,
} from './source';
export type { WarehouseConfig } from './warehouse';

/** Reads a context key; `tryGetContext` in CDK apps, a plain record in tests. */
export type ContextReader = (key: string) => unknown;

/** The whole context, key by key in the order they are checked; then, once every key is valid, the rules between keys. */
function contextSchema(env: NodeJS.ProcessEnv, provider: unknown) {
  const { studioPrincipalArns, branchPrefix, mainBranch, ...product } = projectShape;
  const { mainApprovers, ...rest } = product;
  return z
    .object({
      ...environmentShape(env),
      ...sourceShape(provider),
      studioPrincipalArns,
      branchPrefix,
      mainBranch,
      ...limitsShape,
      ...rest,
      mainApprovers,
      retrain: retrainSchema,
      warehouse: warehouseSchema,
      serving: servingSchema,
    })
    .superRefine(
      (values, context) => {
        const retrainRefusal: Refusal | undefined =
          values.retrain !== undefined && providerOf(values) !== 'codecommit'
            ? [
                ['retrain'],
                `needs sourceProvider "codecommit": the schedule builds the head of ${JSON.stringify(values.mainBranch)} ` +
                  `from the project's CodeCommit repository, and a "${providerOf(values)}" project keeps its code ` +
                  'outside AWS (not supported yet; remove "retrain" or use codecommit)',
              ]
            : undefined;
        const refusal =
          sourceRefusal(values) ??
          projectRefusal(values, values.account) ??
          retrainRefusal ??
          servingRefusal(values.serving, values.region);
        if (refusal !== undefined) context.addIssue({ code: 'custom', path: [...refusal[0]], message: refusal[1] });
      },
      { when: (payload) => payload.issues.length === 0 },
    );
}

/** The context keys the configuration reads. */
const CONTEXT_KEYS = Object.keys(contextSchema({}, undefined).shape);

/**
 * Reads and validates the whole configuration. `env` supplies CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION, which the
 * CDK CLI sets from the caller's credentials; context `account` / `region` win over them (offline synth).
 */
export function readConfig(read: ContextReader, env: NodeJS.ProcessEnv = process.env): AppConfig {
  const context = Object.fromEntries(CONTEXT_KEYS.map((key) => [key, read(key)]));
  const result = contextSchema(env, context.sourceProvider).safeParse(context);
  if (!result.success) {
    const issue = firstIssue(result.error.issues);
    throw issue === undefined ? new ConfigError('(unknown)', 'is invalid') : configErrorOf(issue);
  }
  const { serving, ...values } = result.data;
  return {
    account: values.account,
    region: values.region,
    sourceProvider: providerOf(values),
    ci: ciOf(values),
    studioPrincipalArns: values.studioPrincipalArns,
    branchPrefix: values.branchPrefix,
    mainBranch: values.mainBranch,
    reconcileIntervalMinutes: values.reconcileIntervalMinutes,
    intentTtlDays: values.intentTtlDays,
    approveOnPushToMain: values.approveOnPushToMain,
    logRetentionDays: values.logRetentionDays,
    productVersion: values.productVersion,
    productVersionLocked: values.productVersionLocked,
    retainedProductVersions: values.retainedProductVersions,
    releaseSnapshot: values.releaseSnapshot,
    alarmEmail: values.alarmEmail,
    maxBranchPipelines: values.maxBranchPipelines,
    concurrentBuildLimit: values.concurrentBuildLimit,
    mainApprovers: values.mainApprovers,
    mainApprovalsRequired: values.mainApprovalsRequired,
    warehouse: values.warehouse,
    retrain: values.retrain,
    serving: serving === undefined ? undefined : servingOf(serving, values.account, values.region),
    warnings: sourceWarnings(values),
  };
}
