/** The `sql:` data source of pipeline.yaml: its schema (query file, parameters, date window, limits). */
import * as z from 'zod/mini';

/** `today`, or `today - N days` (UTC), or an ISO date: the same grammar as extract.py's RELATIVE_DATE. */
export const RELATIVE_DATE = /^\s*today\s*(?:-\s*(\d{1,5})\s*days?)?\s*$/;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isIsoDate(text: string): boolean {
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
