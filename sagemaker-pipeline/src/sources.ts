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

/** What a source may depend on: the run, never the configuration of other entries. */
export interface SourceContext {
  readonly region: string;
  readonly bucket: string;
  readonly pipelineName: string;
  readonly commit: string;
  readonly roleArn: string;
}

export interface CompiledSource {
  /** What a consuming step reads (an S3 prefix or object). */
  readonly uri: string | Get | Join;
  /** Steps that produce the data; they run before the steps that read it. */
  readonly steps: readonly ProcessingStep[];
  /** CustomerMetadataProperties every registered version carries (contract 2, e.g. `data_sha256`). */
  readonly metadata?: Readonly<Record<string, string | Get | Join>>;
  /** Files the run command uploads before starting (key under the commit's code prefix → local path). */
  readonly code?: Readonly<Record<string, string>>;
}

export interface DataSource<T> {
  /** The value under the kind's key in a data entry. */
  readonly schema: z.ZodMiniType<T>;
  readonly compile: (name: string, value: T, ctx: SourceContext) => CompiledSource;
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

/** The registry: kind → source. */
export const SOURCES = { s3 } as const;
export type SourceKind = keyof typeof SOURCES;
export const SOURCE_KINDS = Object.keys(SOURCES) as SourceKind[];

/** Each kind as an optional key of a data entry (exactly one must be given; checked in pipeline-file.ts). */
export const SOURCE_SCHEMAS = Object.fromEntries(
  Object.entries(SOURCES).map(([kind, source]) => [kind, z.optional(source.schema)]),
) as { [K in SourceKind]: z.ZodMiniOptional<(typeof SOURCES)[K]['schema']> };

/** Compiles a data entry with whichever kind it has. */
export function compileSource(name: string, entry: Record<string, unknown>, ctx: SourceContext): CompiledSource {
  const kind = SOURCE_KINDS.find((k) => entry[k] !== undefined);
  if (kind === undefined) throw new Error(`data entry ${name} has no source (${SOURCE_KINDS.join(', ')})`);
  const source = SOURCES[kind] as DataSource<unknown>;
  return source.compile(name, entry[kind], ctx);
}
