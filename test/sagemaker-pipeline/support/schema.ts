/**
 * Validation of generated pipeline definitions against AWS's published JSON schema
 * (`<root>/../shared/schemas/sagemaker-pipeline-definition.schema.json`), with exactly the gaps that the schema's
 * README documents admitted, each as a named, minimal patch.
 */
import Ajv, { ErrorObject } from 'ajv';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../../lib/seed-code';

export const SCHEMA_FILE = path.join(
  PROJECT_ROOT,
  '..',
  'shared',
  'schemas',
  'sagemaker-pipeline-definition.schema.json',
);

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function loadSchema(): Json {
  const schema = JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8')) as Json;
  // "http://json-schema.org/schema#" names no specific draft; ajv validates it as draft-07.
  delete schema.$schema;
  return schema;
}

const STRING_ARG = { $ref: '#/definitions/StringArgumentValue' };

/**
 * The README's "Where the schema lags the service" list, one patch per item, and the defects found since (each says
 * so: they are not in the README, which is not ours to edit).
 */
export const SCHEMA_GAPS: Readonly<Record<string, (schema: Json) => void>> = {
  /** The top-level PipelineExperimentConfig that the SDK emits by default. */
  PipelineExperimentConfig: (schema) => {
    schema.properties.PipelineExperimentConfig = {
      type: 'object',
      properties: { ExperimentName: STRING_ARG, TrialName: STRING_ARG },
      required: ['ExperimentName', 'TrialName'],
      additionalProperties: false,
    };
  },
  /**
   * CreateModelPackage request fields beyond those the schema lists, in a RegisterModel step's Arguments. The schema
   * also misplaces that object's `additionalProperties: false` inside `properties` (leaving it open); the patch puts it
   * where it belongs, so only the named fields are admitted.
   */
  'RegisterModel CreateModelPackage fields': (schema) => {
    const args = schema.definitions.RegisterModelStep.properties.Arguments;
    delete args.properties.additionalProperties;
    args.additionalProperties = false;
    args.properties.ModelApprovalStatus = STRING_ARG;
    args.properties.MetadataProperties = {
      type: 'object',
      properties: { CommitId: STRING_ARG, Repository: STRING_ARG, GeneratedBy: STRING_ARG, ProjectId: STRING_ARG },
      additionalProperties: false,
    };
    args.properties.CustomerMetadataProperties = { type: 'object', additionalProperties: STRING_ARG };
    // The project tags every version carries when run.js knows the project id (as the schema's other steps' Tags).
    args.properties.Tags = { type: 'array', items: { $ref: '#/definitions/Tag' } };
    args.properties.InferenceSpecification.properties.Containers.items.properties.Environment = {
      type: 'object',
      additionalProperties: STRING_ARG,
    };
  },
  /** `{"Std:Join": {"On": ..., "Values": [...]}}` where a string argument goes. */
  'Std:Join': (schema) => {
    schema.definitions.JoinFunction = {
      type: 'object',
      properties: {
        'Std:Join': {
          type: 'object',
          properties: {
            On: { type: 'string' },
            Values: {
              type: 'array',
              items: { oneOf: [{ type: 'string' }, { type: 'number' }, { $ref: '#/definitions/GetFunction' }] },
            },
          },
          required: ['On', 'Values'],
          additionalProperties: false,
        },
      },
      required: ['Std:Join'],
      additionalProperties: false,
    };
    schema.definitions.StringArgumentValue.oneOf.push({ $ref: '#/definitions/JoinFunction' });
  },
  /** `PropertyFiles` on a Processing step. */
  PropertyFiles: (schema) => {
    schema.definitions.ProcessingStep.properties.PropertyFiles = {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          PropertyFileName: { type: 'string' },
          OutputName: { type: 'string' },
          FilePath: { type: 'string' },
        },
        required: ['PropertyFileName', 'OutputName', 'FilePath'],
        additionalProperties: false,
      },
    };
  },
  /** `{"Std:JsonGet": {"PropertyFile": {"Get": ...}, "Path": ...}}` as a condition's value. */
  'Std:JsonGet': (schema) => {
    schema.definitions.JsonGetFunction = {
      type: 'object',
      properties: {
        'Std:JsonGet': {
          type: 'object',
          properties: { PropertyFile: { $ref: '#/definitions/GetFunction' }, Path: { type: 'string' } },
          required: ['PropertyFile', 'Path'],
          additionalProperties: false,
        },
      },
      required: ['Std:JsonGet'],
      additionalProperties: false,
    };
    const condition = schema.definitions.BinaryCondition.properties;
    condition.LeftValue.anyOf.push({ $ref: '#/definitions/JsonGetFunction' });
    condition.RightValue.anyOf.push({ $ref: '#/definitions/JsonGetFunction' });
  },
  /**
   * Found here, not in the README: the Tuning step's WarmStartConfig requires `TargetObjectiveMetricValue`, a member
   * neither the schema nor SageMaker (botocore's HyperParameterTuningJobWarmStartConfig) defines, so the schema
   * rejects every warm start; the patch requires the two members SageMaker requires instead.
   */
  'WarmStartConfig TargetObjectiveMetricValue': (schema) => {
    const warmStart = schema.definitions.TuningStep.properties.Arguments.properties.WarmStartConfig;
    warmStart.required = ['ParentHyperParameterTuningJobs', 'WarmStartType'];
  },
};

/** A validator for the schema with the named gaps admitted (all of them by default). */
export function definitionValidator(gaps: readonly string[] = Object.keys(SCHEMA_GAPS)) {
  const schema = loadSchema();
  for (const gap of gaps) {
    const patch = SCHEMA_GAPS[gap];
    if (patch === undefined) throw new Error(`no schema gap named ${gap}`);
    patch(schema);
  }
  // strict: false because the published schema carries keywords ajv does not know (e.g. a "Values" keyword).
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);
  return (definition: unknown): { valid: boolean; errors: string[] } => {
    const valid = validate(definition) as boolean;
    const errors = (validate.errors ?? []).map(
      (e: ErrorObject) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`,
    );
    return { valid, errors };
  };
}
