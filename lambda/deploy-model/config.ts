/**
 * Configuration of the deploy function of one serving stage, from environment variables checked once at cold start:
 * a missing or malformed variable fails with its name.
 */
import * as z from 'zod/mini';
import { bucketName, jsonOf, parseEnv, requiredString, wholeNumber } from '../shared/env';
import { PROJECT_NAME_PATTERN } from '../../contracts/naming';
import { ACCOUNT_ID_PATTERN, PROJECT_ID_PATTERN } from '../../contracts/patterns';

/** How many served artifacts per model are kept unless RETAIN_ARTIFACTS says (the current one included). */
export const DEFAULT_RETAIN_ARTIFACTS = 5;
/** Fewer than two would delete the artifact clients used a moment ago, while they still read the old parameter. */
export const MIN_RETAIN_ARTIFACTS = 2;

/** A project this stage serves: its name and the SageMaker project id its groups are tagged with. */
export interface ServedProject {
  readonly name: string;
  readonly id: string;
}

export interface DeployConfig {
  readonly stageName: string;
  /** The account of the model registry; events from any other account are ignored. */
  readonly registryAccount: string;
  /** The account the function runs in; a group in it is checked by its tags (contract 1). */
  readonly ownAccount: string;
  readonly projects: readonly ServedProject[];
  /** Bucket of the multi-model endpoint's artifacts. */
  readonly servingBucket: string;
  /** Key prefix under which the endpoint's ModelDataUrl points (empty, or ending with `/`). */
  readonly servingPrefix: string;
  /** SSM parameter path under which `<project>/<group>` holds the current TargetModel (starts and ends with `/`). */
  readonly parameterPrefix: string;
  /** How long a version must have stayed Approved before this stage serves it. */
  readonly delaySeconds: number;
  readonly retainArtifacts: number;
}

const projectSchema = z.object({
  name: z.string().check(z.regex(PROJECT_NAME_PATTERN, { error: "project name must match SageMaker's pattern" })),
  id: z.string().check(z.regex(PROJECT_ID_PATTERN, { error: 'project id must be 1 to 16 of [A-Za-z0-9-]' })),
});

const jsonProjects = () =>
  jsonOf(
    z.array(projectSchema).check(z.minLength(1)),
    'must be a non-empty JSON array of {"name": <project name>, "id": <project id>}',
  );

export function loadDeployConfig(env: NodeJS.ProcessEnv = process.env): DeployConfig {
  const parsed = parseEnv(
    {
      STAGE_NAME: requiredString().check(z.regex(/^[a-z][a-z0-9-]{0,31}$/, { error: 'must be a stage name' })),
      REGISTRY_ACCOUNT: requiredString().check(z.regex(ACCOUNT_ID_PATTERN, { error: 'must be a 12-digit account id' })),
      OWN_ACCOUNT: requiredString().check(z.regex(ACCOUNT_ID_PATTERN, { error: 'must be a 12-digit account id' })),
      SERVED_PROJECTS: jsonProjects(),
      SERVING_BUCKET: bucketName(),
      SERVING_PREFIX: z.optional(
        z.string().check(z.regex(/^([A-Za-z0-9._-]+\/)*$/, { error: 'must be empty or end with "/"' })),
      ),
      PARAMETER_PREFIX: requiredString().check(
        z.regex(/^(\/[A-Za-z0-9_.-]+)+\/$/, { error: 'must be an SSM path such as "/multibranch-mlops/serving/qa/"' }),
      ),
      DELAY_SECONDS: z.optional(wholeNumber('seconds', 0, 365 * 24 * 3600)),
      RETAIN_ARTIFACTS: z.optional(wholeNumber('artifacts', MIN_RETAIN_ARTIFACTS, 1000)),
    },
    env,
  );
  return {
    stageName: parsed.STAGE_NAME,
    registryAccount: parsed.REGISTRY_ACCOUNT,
    ownAccount: parsed.OWN_ACCOUNT,
    projects: parsed.SERVED_PROJECTS,
    servingBucket: parsed.SERVING_BUCKET,
    servingPrefix: parsed.SERVING_PREFIX ?? '',
    parameterPrefix: parsed.PARAMETER_PREFIX,
    delaySeconds: parsed.DELAY_SECONDS ?? 0,
    retainArtifacts: parsed.RETAIN_ARTIFACTS ?? DEFAULT_RETAIN_ARTIFACTS,
  };
}
