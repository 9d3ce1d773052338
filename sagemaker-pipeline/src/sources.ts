/**
 * Data sources of `pipeline.yaml` (`data: { <name>: { <kind>: ... } }`), one entry per kind in SOURCES. A source
 * compiles to what the steps that consume it read (an S3 URI, literal or an expression), the steps that must run
 * first to produce it (none for S3; an extract ProcessingStep for a warehouse query), and the customer metadata it
 * adds to every registered model version. Adding a kind is one entry here: its schema (which becomes a key of the
 * data entry in the file and in pipeline.schema.json) and its compile function.
 */
import * as z from 'zod/mini';
import type { ProcessingStep } from './definition';
import type { Get, Join } from './expressions';
import { SqlSource, SqlSourceSchema, Warehouse, sqlCodeObjects, sqlExtractStep } from './sql-source';

/** What a source may depend on: the run, never the configuration of other entries. */
export interface SourceContext {
  readonly region: string;
  readonly bucket: string;
  readonly pipelineName: string;
  readonly commit: string;
  readonly roleArn: string;
  /** The project's warehouse (WAREHOUSE_* of the build); a `sql:` source without one is an error. */
  readonly warehouse?: Warehouse;
  /** Contract 4: the window of a scheduled run; replaces a `sql:` source's own window. */
  readonly window?: { readonly start: string; readonly end: string };
  /** The day `today` means in a `sql:` window (UTC). @default the current date */
  readonly today?: Date;
}

/** An object the run command uploads under the commit's code prefix. */
export interface CodeObject {
  readonly key: string;
  readonly body: Buffer;
  readonly contentType: string;
}

export interface CompiledSource {
  /** What a consuming step reads (an S3 prefix or object). */
  readonly uri: string | Get | Join;
  /** Steps that produce the data; they run before the steps that read it. */
  readonly steps: readonly ProcessingStep[];
  /** CustomerMetadataProperties every registered version carries (contract 2, e.g. `data_sha256`). */
  readonly metadata?: Readonly<Record<string, string | Get | Join>>;
}

export interface DataSource<T> {
  /** The value under the kind's key in a data entry. */
  readonly schema: z.ZodMiniType<T>;
  readonly compile: (name: string, value: T, ctx: SourceContext) => CompiledSource;
  /** Files the run command uploads before starting (`repoDir`: where pipeline.yaml's paths start). */
  readonly code?: (name: string, value: T, repoDir: string, codePrefix: string) => CodeObject[];
}

/** An S3 URI; `{region}` becomes the pipeline's region. A literal of the definition (no pipeline parameter). */
const s3: DataSource<string> = {
  schema: z
    .string()
    .check(
      z.regex(
        /^s3:\/\/[a-z0-9{][a-z0-9.{}-]*[a-z0-9}](\/.*)?$/,
        'must be an s3:// URI like s3://my-bucket/data/ ({region} is replaced by the region)',
      ),
      z.describe('S3 URI of a file or prefix; {region} becomes the pipeline region'),
    ),
  compile: (_name, uri, ctx) => ({ uri: uri.split('{region}').join(ctx.region), steps: [] }),
};

/** The extract step's container and limits (pipeline.yaml does not set them: the step only streams rows to CSV). */
export const SQL_EXTRACT = { frameworkVersion: '1.2-1', instanceType: 'ml.m5.large', maxRuntimeSeconds: 3600 } as const;

/** The commit's code prefix: the same as definition.ts's codeLocation (`<pipeline>/code/<commit>`). */
export const codePrefixOf = (ctx: Pick<SourceContext, 'pipelineName' | 'commit'>) =>
  `${ctx.pipelineName}/code/${ctx.commit}`;

/** A warehouse query (sql-source.ts): an extract ProcessingStep whose `data` output later steps read. */
const sql: DataSource<SqlSource> = {
  schema: SqlSourceSchema,
  compile: (name, source, ctx) => {
    const extract = sqlExtractStep(name, source, {
      region: ctx.region,
      roleArn: ctx.roleArn,
      bucket: ctx.bucket,
      pipelineName: ctx.pipelineName,
      codePrefix: codePrefixOf(ctx),
      frameworkVersion: SQL_EXTRACT.frameworkVersion,
      instanceType: SQL_EXTRACT.instanceType,
      maxRuntimeSeconds: SQL_EXTRACT.maxRuntimeSeconds,
      warehouse: ctx.warehouse,
      today: ctx.today,
      window: ctx.window,
    });
    return { uri: extract.dataUri, steps: [extract.step], metadata: extract.metadata };
  },
  code: (name, source, repoDir, codePrefix) => sqlCodeObjects(name, source, repoDir, codePrefix),
};

/** The registry: kind → source. */
export const SOURCES = { s3, sql } as const;
export type SourceKind = keyof typeof SOURCES;
export const SOURCE_KINDS = Object.keys(SOURCES) as SourceKind[];

/** Each kind as an optional key of a data entry (exactly one must be given; checked in pipeline-file.ts). */
export const SOURCE_SCHEMAS = Object.fromEntries(
  Object.entries(SOURCES).map(([kind, source]) => [kind, z.optional(source.schema)]),
) as { [K in SourceKind]: z.ZodMiniOptional<(typeof SOURCES)[K]['schema']> };

/** Compiles a data entry with whichever kind it has. */
export function compileSource(name: string, entry: Record<string, unknown>, ctx: SourceContext): CompiledSource {
  const kind = sourceKind(entry);
  if (kind === undefined) throw new Error(`data entry ${name} has no source (${SOURCE_KINDS.join(', ')})`);
  const source = SOURCES[kind] as DataSource<unknown>;
  return source.compile(name, entry[kind], ctx);
}

/** The kind of a data entry (the one key of SOURCES it has). */
export function sourceKind(entry: Record<string, unknown>): SourceKind | undefined {
  return SOURCE_KINDS.find((k) => entry[k] !== undefined);
}

/** The objects a data entry's source needs uploaded (none for S3). */
export function sourceCodeObjects(
  name: string,
  entry: Record<string, unknown>,
  repoDir: string,
  codePrefix: string,
): CodeObject[] {
  const kind = sourceKind(entry);
  if (kind === undefined) return [];
  const source = SOURCES[kind] as DataSource<unknown>;
  return source.code?.(name, entry[kind], repoDir, codePrefix) ?? [];
}
