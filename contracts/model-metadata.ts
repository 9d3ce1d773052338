/**
 * The model package metadata contract (docs/design.md, "Model package metadata contract"): the
 * CustomerMetadataProperties keys that the seed's RegisterModel steps write, that the release function adds on
 * approval, and that the release, PR report and deploy functions read, with SageMaker's limits on them. One place
 * for the names: writers and readers import them from here.
 */
import * as z from 'zod/mini';
import { COMMIT_ID_PATTERN } from './patterns';

/** Keys the pipeline's RegisterModel steps write (contract 2). */
export const MODEL_METADATA = {
  /** The full 40-hex commit id (also `MetadataProperties.CommitId`; readers check both agree). */
  commitId: 'commit_id',
  /** `branchTagValue(branch)` (contracts/naming.ts). */
  branch: 'branch',
  /** `Execution.PipelineExecutionId`. */
  pipelineExecutionId: 'pipeline_execution_id',
  /** `Execution.PipelineExecutionArn`, only when it fits METADATA_VALUE_MAX (the seed's `executionArnFits`). */
  pipelineExecutionArn: 'pipeline_execution_arn',
  /** The model's name in pipeline.yaml. */
  modelName: 'model_name',
  /** Tuned models: the tuning job's name. */
  tuningJob: 'tuning_job',
  /** `push` | `schedule`. */
  trigger: 'trigger',
  /** `true` | `false` (contract 4: a test-mode version is never a warm-start parent). */
  testMode: 'test_mode',
  /** Scheduled runs: the date window. */
  windowStart: 'window_start',
  windowEnd: 'window_end',
  /** Scheduled tuned models: parent tuning job names separated by spaces, or `cold: <reason>`. */
  warmStart: 'warm_start',
  /** SQL sources: the S3 URI of the extract's manifest.json. */
  dataManifestUri: 'data_manifest_uri',
  /** SQL sources: the sha256 of the extracted data file. */
  dataSha256: 'data_sha256',
} as const;

/** Keys of the immutable approved artifact, written by the release function and read by the serving side. */
export const APPROVED_ARTIFACT_METADATA = {
  uri: 'approved_artifact_uri',
  versionId: 'approved_artifact_version_id',
  sha256: 'approved_artifact_sha256',
} as const;

/** Keys the release function writes on approval: why the version was approved (`release_*`). */
export const RELEASE_METADATA = {
  trigger: 'release_trigger',
  pullRequestId: 'release_pull_request_id',
  sourceBranch: 'release_source_branch',
  destinationBranch: 'release_destination_branch',
  mergeOption: 'release_merge_option',
  mergedBy: 'release_merged_by',
  eventId: 'release_event_id',
  /** Where the facts came from: `codecommit`, `event` (a push) or `direct-invocation-payload`. */
  facts: 'release_facts',
  branch: 'release_branch',
  referenceEvent: 'release_reference_event',
  /** ISO 8601 time of the approval; its presence means the release function approved the version. */
  approvedAt: 'release_approved_at',
} as const;

/** SageMaker's limits on CustomerMetadataProperties: keys 1-128 characters, values 0-256, at most 50 entries. */
export const METADATA_KEY_MAX = 128;
export const METADATA_VALUE_MAX = 256;
export const METADATA_ENTRIES_MAX = 50;
/** The characters SageMaker accepts in metadata keys and values. */
export const METADATA_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
/** Every character SageMaker does not accept (global: for `replace`). */
export const METADATA_DISALLOWED = /[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu;

const value = () =>
  z
    .string()
    .check(
      z.maxLength(METADATA_VALUE_MAX, { error: `must be at most ${METADATA_VALUE_MAX} characters` }),
      z.regex(METADATA_CHARACTERS, { error: 'must use only letters, digits, spaces and _.:/=+-@' }),
    );
const oneOf = (values: readonly [string, ...string[]]) =>
  z.enum(values, { error: `must be one of ${values.join(', ')}` });

/**
 * The customer metadata of a registered (and possibly approved) version: the keys above with their formats, plus
 * any other key a data source adds, within SageMaker's limits.
 */
export const modelMetadataSchema = z
  .catchall(
    z.object({
      [MODEL_METADATA.commitId]: z
        .string()
        .check(z.regex(COMMIT_ID_PATTERN, { error: 'must be a full commit id: 40 lowercase hex digits' })),
      [MODEL_METADATA.branch]: value().check(z.minLength(1, { error: 'must not be empty' })),
      [MODEL_METADATA.pipelineExecutionId]: z.optional(value()),
      [MODEL_METADATA.pipelineExecutionArn]: z.optional(
        value().check(
          z.regex(/^arn:[^:]+:sagemaker:[^:]*:\d{12}:pipeline\/[^/]+\/execution\/[^/]+$/, {
            error: 'must be a pipeline execution ARN',
          }),
        ),
      ),
      [MODEL_METADATA.modelName]: z.optional(value()),
      [MODEL_METADATA.tuningJob]: z.optional(value()),
      [MODEL_METADATA.trigger]: z.optional(oneOf(['push', 'schedule'])),
      [MODEL_METADATA.testMode]: z.optional(oneOf(['true', 'false'])),
      [MODEL_METADATA.dataSha256]: z.optional(
        z.string().check(z.regex(/^[0-9a-f]{64}$/, { error: 'must be 64 lowercase hex digits' })),
      ),
      [APPROVED_ARTIFACT_METADATA.uri]: z.optional(
        value().check(z.regex(/^s3:\/\/[^/]+\/.+$/, { error: 'must be an s3://<bucket>/<key> URI' })),
      ),
      [APPROVED_ARTIFACT_METADATA.sha256]: z.optional(
        z.string().check(z.regex(/^[0-9a-fA-F]{64}$/, { error: 'must be 64 hex digits' })),
      ),
      [RELEASE_METADATA.facts]: z.optional(oneOf(['codecommit', 'event', 'direct-invocation-payload'])),
    }),
    value(),
  )
  .check(
    z.refine((metadata) => Object.keys(metadata).length <= METADATA_ENTRIES_MAX, {
      error: `must have at most ${METADATA_ENTRIES_MAX} entries`,
    }),
    z.refine(
      (metadata) =>
        Object.keys(metadata).every((key) => key.length <= METADATA_KEY_MAX && METADATA_CHARACTERS.test(key)),
      { error: `keys must be 1-${METADATA_KEY_MAX} characters of letters, digits, spaces and _.:/=+-@` },
    ),
    z.refine(
      (metadata) =>
        metadata[MODEL_METADATA.pipelineExecutionId] !== undefined ||
        metadata[MODEL_METADATA.pipelineExecutionArn] !== undefined,
      {
        error: `must name its execution: ${MODEL_METADATA.pipelineExecutionId} and/or ${MODEL_METADATA.pipelineExecutionArn}`,
      },
    ),
  );
export type ModelMetadata = z.infer<typeof modelMetadataSchema>;
