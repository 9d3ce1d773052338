/** Context `serving`: the stages that serve approved models, and the projects they serve (docs/serving.md). */
import * as z from 'zod';
import {
  ACCOUNT_ID_PATTERN,
  PROJECT_ID_PATTERN,
  REGION_PATTERN,
  S3_BUCKET_NAME_PATTERN,
} from '../../contracts/patterns';
import { mustBe, type Refusal, show } from './errors';
import { firstRepeated, fromJson, isUnset } from './values';

/** A project a serving stage serves: its name, its SageMaker project id, and where its approved artifacts are. */
export interface ServedProjectConfig {
  /** The SageMaker project name, lower case. */
  readonly name: string;
  /** The SageMaker project id (`sagemaker:project-id` tag of its model package groups; Studio shows it). */
  readonly id: string;
  /**
   * The project's artifact bucket (where approved artifacts are); the deploy function may read only there.
   * @default - any bucket of the registry account (the stage role's policy says so; a cross-account stage still
   * reads only buckets whose policy grants it)
   */
  readonly artifactBucket?: string;
}

/** One serving stage: a multi-model endpoint and its deploy function, in the registry account or another. */
export interface ServingStageConfig {
  /** Lower-case name (`sandbox`, `qa`, `production`): stack `MultibranchMlops-Serving-<name>`, SSM path, endpoint. */
  readonly name: string;
  /** @default - the registry account */
  readonly account: string;
  /** @default - the app's region (no other region is accepted yet) */
  readonly region: string;
  /** How long a version must have stayed Approved before this stage serves it. @default 0 */
  readonly delayMinutes: number;
  /** @default 'ml.m5.large' (CPU: the scikit-learn container serves multiple models on CPU) */
  readonly instanceType: string;
  /** @default 1 */
  readonly instanceCount: number;
}

export interface ServingConfig {
  /** The account of the model registry (where projects are provisioned). @default - context `account` */
  readonly registryAccount: string;
  /** The region of the model registry. @default - context `region` */
  readonly registryRegion: string;
  /** The projects the stages serve (at least one; names and ids not repeated). */
  readonly projects: readonly ServedProjectConfig[];
  /** The stages, in promotion order (at least one; names not repeated). */
  readonly stages: readonly ServingStageConfig[];
  /** Served artifacts kept per model (the current one included) before older ones are pruned. @default 5 */
  readonly retainArtifacts: number;
  /** Version of SageMaker's scikit-learn inference image. @default '1.2-1' */
  readonly frameworkVersion: string;
}

/** The context keys `serving` accepts (anything else is a typo, refused). */
export const SERVING_KEYS = ['registryAccount', 'projects', 'stages', 'retainArtifacts', 'frameworkVersion'] as const;
const STAGE_KEYS = ['name', 'account', 'region', 'delayMinutes', 'instanceType', 'instanceCount'];
const PROJECT_KEYS = ['name', 'id', 'artifactBucket'];
const STAGE_NAME = /^[a-z][a-z0-9]{0,15}$/;
/** SageMaker's project name pattern, lower case (as the product template requires). */
const SERVED_PROJECT_NAME = /^[a-z](-*[a-z0-9]){0,31}$/;
const INSTANCE_TYPE = /^ml\.[a-z0-9]+\.[a-z0-9]+$/;
const FRAMEWORK_VERSION = /^\d+\.\d+-\d+$/;

/** A string matching `pattern`; `required` is the message when it is absent. */
function requiredField(pattern: RegExp, what: string, required: string) {
  const error = (issue: { readonly input?: unknown }) => (issue.input === undefined ? required : mustBe(what)(issue));
  return z.string({ error }).regex(pattern, { error });
}

/** A string matching `pattern`, or absent. */
function optionalField(pattern: RegExp, what: string) {
  const error = mustBe(what);
  return z.string({ error }).regex(pattern, { error }).optional();
}

/** An integer from `min` to `max`; absent is `fallback`. */
function integer(min: number, max: number, fallback: number) {
  const error = mustBe(`an integer from ${min} to ${max}`);
  return z.int({ error }).min(min, { error }).max(max, { error }).default(fallback);
}

/** A strict object whose unknown keys are named (the path names the key), with its own message for a non-object. */
function record<S extends z.ZodRawShape>(shape: S, allowed: readonly string[], example: string) {
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `is not a known key (allowed: ${allowed.join(', ')})`
        : `must be ${example}, got ${show(issue.input)}`,
  });
}

function repeated<T extends Record<K, string>, K extends keyof T & string>(key: K, what: string) {
  return (items: readonly T[], context: z.RefinementCtx) => {
    const again = firstRepeated(items.map((item) => item[key]));
    if (again !== undefined)
      context.addIssue({ code: 'custom', message: `must not repeat the ${what} ${show(again)}` });
  };
}

const project = record(
  {
    name: requiredField(SERVED_PROJECT_NAME, 'a lower-case SageMaker project name', 'is required'),
    id: requiredField(
      PROJECT_ID_PATTERN,
      'the SageMaker project id (for example "p-abc123def456")',
      'is required (Studio shows it; it is the sagemaker:project-id tag)',
    ),
    artifactBucket: optionalField(S3_BUCKET_NAME_PATTERN, 'an S3 bucket name'),
  },
  PROJECT_KEYS,
  '{"name": <project name>, "id": <project id>}',
);

const stage = record(
  {
    name: requiredField(STAGE_NAME, 'lower-case letters and digits, at most 16', 'is required'),
    account: optionalField(ACCOUNT_ID_PATTERN, 'a 12-digit AWS account id'),
    region: optionalField(REGION_PATTERN, 'an AWS region such as "us-east-1"'),
    delayMinutes: integer(0, 60 * 24 * 90, 0),
    instanceType: optionalField(INSTANCE_TYPE, 'a SageMaker instance type such as "ml.m5.large"').default(
      'ml.m5.large',
    ),
    instanceCount: integer(1, 20, 1),
  },
  STAGE_KEYS,
  'an object such as {"name": "sandbox"}',
);

/** A list of at least one `item`; `what` says what it must list. */
function nonEmptyList<S extends z.ZodType>(item: S, what: string) {
  const error = (issue: { readonly input?: unknown }) => `must list ${what}, got ${show(issue.input)}`;
  return z.array(item, { error }).min(1, { error });
}

const servingObject = record(
  {
    registryAccount: optionalField(ACCOUNT_ID_PATTERN, 'a 12-digit AWS account id'),
    retainArtifacts: integer(2, 100, 5),
    frameworkVersion: optionalField(FRAMEWORK_VERSION, 'an image version such as "1.2-1"').default('1.2-1'),
    projects: nonEmptyList(project, 'the served projects as [{"name": ..., "id": ...}]')
      .superRefine(repeated('name', 'name'))
      .superRefine(repeated('id', 'id')),
    stages: nonEmptyList(stage, 'at least one stage as [{"name": "sandbox"}, ...]').superRefine(
      repeated('name', 'stage name'),
    ),
  },
  SERVING_KEYS,
  `an object with ${SERVING_KEYS.join(', ')}`,
);

/** `serving` as a JSON object (cdk.json) or a JSON string (`-c serving='{...}'`); unset is no serving. */
export const servingSchema = z.preprocess(
  (value) => (isUnset(value) ? undefined : value),
  fromJson(servingObject, (raw) => `must be a JSON object, got ${show(raw)}`).optional(),
);

type ServingValues = NonNullable<z.output<typeof servingSchema>>;

/**
 * The rule between `serving` and `region`: every stage in the registry's region (model package state changes are
 * regional events, and cross-region forwarding is not built).
 */
export function servingRefusal(serving: ServingValues | undefined, region: string): Refusal | undefined {
  const index = serving?.stages.findIndex((s) => s.region !== undefined && s.region !== region) ?? -1;
  const other = serving?.stages[index];
  if (other === undefined) return undefined;
  return [
    ['serving', 'stages', index, 'region'],
    `must be the registry's region ${show(region)}: model package state changes are regional events, and ` +
      `cross-region forwarding is not built, got ${show(other.region)}`,
  ];
}

/** The serving configuration with its defaults: the registry in the app's account and region. */
export function servingOf(serving: ServingValues, account: string, region: string): ServingConfig {
  const registryAccount = serving.registryAccount ?? account;
  return {
    registryAccount,
    registryRegion: region,
    projects: serving.projects,
    stages: serving.stages.map((s) => ({ ...s, account: s.account ?? registryAccount, region: s.region ?? region })),
    retainArtifacts: serving.retainArtifacts,
    frameworkVersion: serving.frameworkVersion,
  };
}
