/**
 * The `sql:` data source of `pipeline.yaml` (contract 5 in docs/design.md), compiled to an extract ProcessingStep that
 * runs `scripts/extract.py` in the scikit-learn processing container, in the warehouse's subnets:
 *
 *   data:
 *     sales:
 *       sql:
 *         query: queries/sales.sql          # bound parameters are :name placeholders in it
 *         parameters: { region: eu }
 *         window: { start: today - 30 days, end: today }   # bound as :window_start / :window_end
 *         allowEmpty: false
 *         maxBytes: 16777216                # CSV bytes held in memory at once
 *
 * The interface the pipeline compiler uses (small on purpose):
 * - `SqlSourceSchema`: the zod schema of the block (`parseSqlSource` for a plain call);
 * - `sqlExtractStep(name, source, ctx)` → `{ step, dataUri, manifestUri, dataSha256, metadata }`: the step to add,
 *   the S3 URI expression later steps consume like an `s3:` input (`dataUri`, a folder holding `data.csv`), and the
 *   two model package metadata values of contract 2 (`metadata.data_manifest_uri`, `metadata.data_sha256`);
 * - `sqlCodeObjects(name, source, repoDir, codePrefix)`: the objects the run command uploads before it starts the
 *   pipeline (extract.py with its vendored driver, the query file);
 * - `warehouseFromEnv(env)`: the project's connection settings from the build's environment.
 *
 * How the data's sha256 reaches RegisterModel: extract.py writes it to /opt/ml/output/message, which SageMaker
 * returns as the processing job's `ExitMessage`; the RegisterModel step reads the step property
 * `Steps.<extract step>.ExitMessage` (a plain `Get`, valid in the published definition schema). The manifest URI is a
 * `Std:Join` of the manifest output's S3 URI and `manifest.json`.
 *
 * The password never reaches the definition: the step carries the secret's ARN only, and the job reads the secret at
 * run time with the execution role (which may read that one secret).
 */
import * as path from 'node:path';
import type { ProcessingInstanceType, ProcessingOutput } from '@aws-sdk/client-sagemaker';
import { MODEL_METADATA } from '../../contracts/model-metadata';
import type { ProcessingStep } from './definition';
import { s3Input } from './definition/processing';
import { Get, Join, Pipelined, execution, get, join } from './expressions';
import { sklearnImageUri } from './images';
import { EXTRACT_OUTPUTS, EXTRACT_PATHS, EXTRACT_SCRIPT, MANIFEST_FILE, sqlCodeKeys } from './sql-source/code';
import { RELATIVE_DATE, SqlSource, isIsoDate } from './sql-source/schema';
import { WAREHOUSE_ENV, Warehouse, WarehouseError } from './sql-source/warehouse';

/** What the extract step needs from the run and the pipeline. */
export interface SqlStepContext {
  readonly region: string;
  readonly roleArn: string;
  readonly bucket: string;
  readonly pipelineName: string;
  /** `<pipeline>/code/<commit>`: where the run command uploads the code (see sqlCodeObjects). */
  readonly codePrefix: string;
  readonly frameworkVersion: string;
  readonly instanceType: ProcessingInstanceType | Get;
  readonly maxRuntimeSeconds: number;
  /** Undefined when the project has no warehouse configured: the step then cannot be built. */
  readonly warehouse?: Warehouse;
  /** The day `today` means (UTC); resolved once, when the definition is built. @default the current date */
  readonly today?: Date;
  /** A window computed by the scheduled retrain (contract 4): replaces the source's, when the source has one. */
  readonly window?: { readonly start: string; readonly end: string };
}

export interface ResolvedWindow {
  readonly start: string;
  readonly end: string;
}

/** Resolves a date spec against `today` (UTC). */
export function resolveDate(spec: string, today: Date): string {
  const relative = RELATIVE_DATE.exec(spec);
  if (relative) {
    const day = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()));
    day.setUTCDate(day.getUTCDate() - Number(relative[1] ?? 0));
    return day.toISOString().slice(0, 10);
  }
  const text = spec.trim();
  if (!isIsoDate(text)) throw new WarehouseError(`${JSON.stringify(spec)} is not an ISO date or "today - N days"`);
  return text;
}

export function resolveWindow(
  source: SqlSource,
  ctx: Pick<SqlStepContext, 'today' | 'window'>,
): ResolvedWindow | undefined {
  if (source.window === undefined) return undefined;
  const window = ctx.window ?? {
    start: resolveDate(source.window.start, ctx.today ?? new Date()),
    end: resolveDate(source.window.end, ctx.today ?? new Date()),
  };
  if (window.start > window.end) {
    throw new WarehouseError(`window.start ${window.start} is after window.end ${window.end}`);
  }
  return window;
}

/** The job's environment: every key is read by extract.py (a test checks). Values are strings of <= 256. */
export function extractEnvironment(
  name: string,
  source: SqlSource,
  warehouse: Warehouse,
  region: string,
  window: ResolvedWindow | undefined,
): Record<string, string> {
  const env: Record<string, string> = {
    SQL_SOURCE: name,
    SQL_SECRET_ARN: warehouse.secretArn,
    SQL_ALLOW_EMPTY: String(source.allowEmpty),
    SQL_MAX_BYTES: String(source.maxBytes),
    SQL_HEADER: String(source.header),
    SQL_SSLMODE: source.sslMode,
    SQL_CONNECT_TIMEOUT: String(source.connectTimeoutSeconds),
    // boto3 in the container reads the secret in the pipeline's region.
    AWS_DEFAULT_REGION: region,
  };
  if (source.sslRootCert) env.SQL_SSLROOTCERT = `${EXTRACT_PATHS.query}/${path.posix.basename(source.sslRootCert)}`;
  if (window && source.window) {
    env.SQL_WINDOW_START = window.start;
    env.SQL_WINDOW_END = window.end;
    // What pipeline.yaml said, for the manifest's record.
    env.SQL_WINDOW_SPEC = JSON.stringify({ start: source.window.start, end: source.window.end });
  }
  for (const [key, value] of Object.entries(source.parameters)) env[`SQL_PARAM_${key}`] = JSON.stringify(value);
  return env;
}

const stepOutput = (step: string, output: string): Get =>
  get(`Steps.${step}.ProcessingOutputConfig.Outputs['${output}'].S3Output.S3Uri`);

export interface SqlExtract {
  readonly step: ProcessingStep;
  /** S3 folder of `data.csv`: consume it as an S3Prefix input, like an `s3:` source. */
  readonly dataUri: Get;
  /** `s3://.../manifest.json` of this execution. */
  readonly manifestUri: Join;
  /** The data file's sha256, as the job's ExitMessage. */
  readonly dataSha256: Get;
  /** CustomerMetadataProperties the RegisterModel step adds (contract 2). */
  readonly metadata: { readonly [MODEL_METADATA.dataManifestUri]: Join; readonly [MODEL_METADATA.dataSha256]: Get };
}

/** Step names: `Extract` + the source name in PascalCase (`sales-2024` → `ExtractSales2024`). */
export function extractStepName(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
  return `Extract${words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')}`;
}

/** The extract ProcessingStep of the `sql:` source `name`, and the expressions later steps and RegisterModel use. */
export function sqlExtractStep(name: string, source: SqlSource, ctx: SqlStepContext): SqlExtract {
  if (ctx.warehouse === undefined) {
    throw new WarehouseError(
      `data.${name} is a sql source but the project has no warehouse: set CDK context "warehouse" ` +
        `({ secretArn, subnetIds, securityGroupIds }) and redeploy, so the build gets ${Object.values(WAREHOUSE_ENV).join(', ')}`,
    );
  }
  const stepName = extractStepName(name);
  const keys = sqlCodeKeys(name, source, ctx.codePrefix);
  const window = resolveWindow(source, ctx);
  const s3 = (key: string) => `s3://${ctx.bucket}/${key}`;
  const input = s3Input;
  const output = (outputName: string, localPath: string): Pipelined<ProcessingOutput> => ({
    OutputName: outputName,
    S3Output: {
      S3Uri: join('/', ['s3:/', ctx.bucket, ctx.pipelineName, execution('PipelineExecutionId'), stepName, outputName]),
      LocalPath: localPath,
      S3UploadMode: 'EndOfJob',
    },
  });
  const step: ProcessingStep = {
    Name: stepName,
    Type: 'Processing',
    Arguments: {
      ProcessingResources: {
        ClusterConfig: { InstanceCount: 1, InstanceType: ctx.instanceType, VolumeSizeInGB: 30 },
      },
      AppSpecification: {
        ImageUri: sklearnImageUri(ctx.region, ctx.frameworkVersion),
        ContainerEntrypoint: ['python3', `${EXTRACT_PATHS.code}/${EXTRACT_SCRIPT}`],
        ContainerArguments: [
          '--query-file',
          `${EXTRACT_PATHS.query}/${path.posix.basename(source.query)}`,
          '--data-dir',
          EXTRACT_PATHS.data,
          '--manifest-dir',
          EXTRACT_PATHS.manifest,
          '--message-file',
          '/opt/ml/output/message',
        ],
      },
      Environment: extractEnvironment(name, source, ctx.warehouse, ctx.region, window),
      NetworkConfig: {
        // The job needs the network (the warehouse and Secrets Manager), inside the warehouse's VPC.
        EnableNetworkIsolation: false,
        VpcConfig: { Subnets: [...ctx.warehouse.subnetIds], SecurityGroupIds: [...ctx.warehouse.securityGroupIds] },
      },
      ProcessingInputs: [
        input('code', s3(keys.extractPrefix), EXTRACT_PATHS.code),
        input('query', s3(keys.sourcePrefix), EXTRACT_PATHS.query),
      ],
      ProcessingOutputConfig: {
        Outputs: [
          output(EXTRACT_OUTPUTS.data, EXTRACT_PATHS.data),
          output(EXTRACT_OUTPUTS.manifest, EXTRACT_PATHS.manifest),
        ],
      },
      RoleArn: ctx.roleArn,
      StoppingCondition: { MaxRuntimeInSeconds: ctx.maxRuntimeSeconds },
    } satisfies ProcessingStep['Arguments'],
  };
  const manifestUri = join('/', [stepOutput(stepName, EXTRACT_OUTPUTS.manifest), MANIFEST_FILE]);
  const dataSha256 = get(`Steps.${stepName}.ExitMessage`);
  return {
    step,
    dataUri: stepOutput(stepName, EXTRACT_OUTPUTS.data),
    manifestUri,
    dataSha256,
    metadata: { [MODEL_METADATA.dataManifestUri]: manifestUri, [MODEL_METADATA.dataSha256]: dataSha256 },
  };
}

export * from './sql-source/schema';
export * from './sql-source/warehouse';
export * from './sql-source/code';
