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
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProcessingInstanceType, ProcessingOutput } from '@aws-sdk/client-sagemaker';
import * as z from 'zod/mini';
import { MODEL_METADATA } from '../../contracts/model-metadata';
import type { ProcessingStep } from './definition';
import { s3Input } from './definition/processing';
import { Get, Join, Pipelined, execution, get, join } from './expressions';
import { sklearnImageUri } from './images';

/** `today`, or `today - N days` (UTC), or an ISO date: the same grammar as extract.py's RELATIVE_DATE. */
export const RELATIVE_DATE = /^\s*today\s*(?:-\s*(\d{1,5})\s*days?)?\s*$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function isIsoDate(text: string): boolean {
  if (!ISO_DATE.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

const dateSpec = z.string().check(
  z.refine((s) => RELATIVE_DATE.test(s) || isIsoDate(s.trim()), {
    message: 'must be an ISO date (2026-01-31), "today" or "today - N days"',
  }),
);

/** Names the window binds; a parameter may not use them. */
export const WINDOW_PARAMETERS = ['window_start', 'window_end'] as const;

/** A `:name` placeholder the driver recognizes (letters, digits, `_`), and a valid environment variable suffix. */
const parameterName = z.string().check(
  z.regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'parameter names are SQL identifiers: letters, digits and _'),
  z.refine((n) => !(WINDOW_PARAMETERS as readonly string[]).includes(n), {
    message: 'window_start and window_end are bound from window: set window.start/end instead',
  }),
);

/** Each value travels JSON-encoded in one environment variable of the job (at most 256 characters). */
const parameterValue = z.union([z.string(), z.number(), z.boolean()]).check(
  z.refine((v) => JSON.stringify(v).length <= 256, {
    message: 'a parameter value is at most 256 characters once JSON-encoded',
  }),
);

export const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
export const SSL_MODES = ['require', 'verify-full', 'disable'] as const;
const repositoryFile = (ext: string) =>
  z.string().check(
    z.regex(
      new RegExp(`^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*\\.${ext}$`),
      `must be a relative path in the repository ending in .${ext}`,
    ),
    z.refine((p) => !p.split('/').includes('..'), { message: 'must stay inside the repository (no ..)' }),
  );

export const SqlSourceSchema = z
  .strictObject({
    /** The query file, relative to the repository root (queries/<name>.sql by convention). */
    query: repositoryFile('sql'),
    /** Bound by the driver to the query's `:name` placeholders; never formatted into the SQL. */
    parameters: z._default(
      z
        .record(parameterName, parameterValue)
        .check(z.refine((p) => Object.keys(p).length <= 40, { message: 'at most 40 parameters' })),
      {},
    ),
    /** Resolved once per run (UTC) when the definition is built, bound as :window_start and :window_end. */
    window: z.optional(z.strictObject({ start: dateSpec, end: dateSpec })),
    /** Accept a query that returns no row (refused by default: an empty extract is usually a mistake). */
    allowEmpty: z._default(z.boolean(), false),
    /** Bound of the CSV bytes of one fetched batch held in memory. */
    maxBytes: z._default(z.number().check(z.int(), z.gte(1024), z.lte(2 ** 31)), DEFAULT_MAX_BYTES),
    /** Write the column names as the CSV's first line (the seed's preprocess.py reads CSV without a header). */
    header: z._default(z.boolean(), false),
    /** TLS to the warehouse: `require` (encrypted), `verify-full` (also checks the certificate), `disable`. */
    sslMode: z._default(z.enum(SSL_MODES), 'require'),
    /** CA bundle for `verify-full` (RDS: the region's bundle from truststore.pki.rds.amazonaws.com, committed). */
    sslRootCert: z.optional(repositoryFile('pem')),
    /** Seconds to wait for the server while connecting. */
    connectTimeoutSeconds: z._default(z.number().check(z.int(), z.gte(1), z.lte(300)), 10),
  })
  .check(
    z.refine(
      (s) =>
        !(
          s.window &&
          isIsoDate(s.window.start.trim()) &&
          isIsoDate(s.window.end.trim()) &&
          s.window.start > s.window.end
        ),
      { message: 'window.start must not be after window.end' },
    ),
    z.refine((s) => s.sslRootCert === undefined || s.sslMode === 'verify-full', {
      message: 'sslRootCert applies only to sslMode verify-full',
    }),
  );

export type SqlSource = z.infer<typeof SqlSourceSchema>;

/** Parses a `sql:` block; throws zod's error (the compiler maps its path to pipeline.yaml's line and column). */
export function parseSqlSource(value: unknown): SqlSource {
  return z.parse(SqlSourceSchema, value);
}

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

/** Container paths of the extract job. */
export const EXTRACT_PATHS = {
  code: '/opt/ml/processing/input/code',
  query: '/opt/ml/processing/input/query',
  data: '/opt/ml/processing/output/data',
  manifest: '/opt/ml/processing/output/manifest',
} as const;
export const EXTRACT_OUTPUTS = { data: 'data', manifest: 'manifest' } as const;
export const DATA_FILE = 'data.csv';
export const MANIFEST_FILE = 'manifest.json';
export const EXTRACT_SCRIPT = 'extract.py';
export const VENDOR_DIR = 'vendor';

/** Where a source's files go under the code prefix: the extract code is shared, each query has its own folder. */
export function sqlCodeKeys(name: string, source: SqlSource, codePrefix: string) {
  const sourcePrefix = `${codePrefix}/sql/${name}/`;
  return {
    extractPrefix: `${codePrefix}/extract/`,
    sourcePrefix,
    query: `${sourcePrefix}${path.posix.basename(source.query)}`,
    sslRootCert: source.sslRootCert && `${sourcePrefix}${path.posix.basename(source.sslRootCert)}`,
  };
}

function listFiles(dir: string, rel = ''): string[] {
  return fs
    .readdirSync(path.join(dir, rel), { withFileTypes: true })
    .filter((e) => e.name !== '__pycache__')
    .flatMap((e) => (e.isDirectory() ? listFiles(dir, path.posix.join(rel, e.name)) : [path.posix.join(rel, e.name)]))
    .sort();
}

/**
 * The objects to upload before the pipeline starts: `scripts/extract.py` and `scripts/vendor/**` under
 * `<codePrefix>/extract/`, the query (and CA bundle) under `<codePrefix>/sql/<name>/`. `repoDir` is the repository
 * root (where pipeline.yaml and scripts/ are). A missing query file is an error naming it.
 */
export function sqlCodeObjects(
  name: string,
  source: SqlSource,
  repoDir: string,
  codePrefix: string,
): { key: string; body: Buffer; contentType: string }[] {
  const keys = sqlCodeKeys(name, source, codePrefix);
  const read = (file: string, what: string) => {
    const full = path.join(repoDir, file);
    if (!fs.existsSync(full)) {
      throw new WarehouseError(`data.${name}.sql.${what}: ${file} does not exist in the repository`);
    }
    return fs.readFileSync(full);
  };
  const scripts = path.join(repoDir, 'scripts');
  const code = [EXTRACT_SCRIPT, ...listFiles(path.join(scripts, VENDOR_DIR)).map((f) => `${VENDOR_DIR}/${f}`)];
  return [
    ...code.map((f) => ({
      key: `${keys.extractPrefix}${f}`,
      body: fs.readFileSync(path.join(scripts, f)),
      contentType: f.endsWith('.py') ? 'text/x-python' : 'application/octet-stream',
    })),
    { key: keys.query, body: read(source.query, 'query'), contentType: 'application/sql' },
    ...(source.sslRootCert && keys.sslRootCert
      ? [
          {
            key: keys.sslRootCert,
            body: read(source.sslRootCert, 'sslRootCert'),
            contentType: 'application/x-pem-file',
          },
        ]
      : []),
  ];
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
