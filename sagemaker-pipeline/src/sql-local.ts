/**
 * `node run.js --local` for a `sql:` source: runs scripts/extract.py on the data scientist's machine, with the
 * environment the extract step would have (sql-source.ts: extractEnvironment) except the connection, which is a
 * local connection string instead of the project's secret, and the container paths mapped under `.local-run/<step>/`.
 *
 * The connection string comes from `--sql-url <url>` or, preferably (a command line shows in `ps`), the environment
 * variable SQL_CONNECTION_URL: `postgresql://user:password@host:5432/dbname`, with `?sslmode=disable` for a server
 * without TLS. The password is handed to extract.py in its environment only; extract.py never prints it.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  EXTRACT_SCRIPT,
  MANIFEST_FILE,
  SqlSource,
  WarehouseError,
  extractEnvironment,
  extractStepName,
  resolveWindow,
} from './sql-source';

export const LOCAL_CONNECTION_ENV = 'SQL_CONNECTION_URL';
export const LOCAL_CONNECTION_FLAG = '--sql-url';

/** The local connection string: the flag's value, else the environment variable; a clear error when neither. */
export function localConnectionUrl(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const url = flag ?? env[LOCAL_CONNECTION_ENV];
  if (url === undefined || url === '') {
    throw new WarehouseError(
      `a sql source runs locally against a database you name: set ${LOCAL_CONNECTION_ENV}=postgresql://user:password@host:5432/dbname ` +
        `(add ?sslmode=disable for a server without TLS) or pass ${LOCAL_CONNECTION_FLAG} <url>`,
    );
  }
  if (!/^(postgres|postgresql|redshift):\/\//.test(url)) {
    throw new WarehouseError(
      `${LOCAL_CONNECTION_ENV} must look like postgresql://user:password@host:5432/dbname (got a value of another scheme)`,
    );
  }
  return url;
}

export interface LocalExtractOptions {
  readonly name: string;
  readonly source: SqlSource;
  /** The repository root: pipeline.yaml, scripts/, queries/. */
  readonly repoDir: string;
  /** `.local-run` (the step's folder is created under it). */
  readonly runDir: string;
  readonly connectionUrl: string;
  /** @default 'python3' */
  readonly python?: string;
  /** @default now */
  readonly today?: Date;
  /** Environment of the child besides the extract's (PATH, ...). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

export interface LocalExtractResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The folder holding data.csv: what later local steps read, like the step's `data` output. */
  readonly dataDir: string;
  readonly manifestFile: string;
  readonly manifest?: Record<string, unknown>;
}

/** Runs the extract of one `sql:` source locally; resolves with its exit code and outputs (never rejects on exit). */
export async function runLocalExtract(options: LocalExtractOptions): Promise<LocalExtractResult> {
  const stepDir = path.join(options.runDir, extractStepName(options.name));
  const dataDir = path.join(stepDir, 'output', 'data');
  const manifestDir = path.join(stepDir, 'output', 'manifest');
  const queryFile = path.join(options.repoDir, options.source.query);
  if (!fs.existsSync(queryFile)) {
    throw new WarehouseError(
      `data.${options.name}.sql.query: ${options.source.query} does not exist in the repository`,
    );
  }
  fs.rmSync(stepDir, { recursive: true, force: true });
  const window = resolveWindow(options.source, { today: options.today });
  const stepEnv = extractEnvironment(
    options.name,
    options.source,
    { secretArn: '', subnetIds: [], securityGroupIds: [] },
    '',
    window,
  );
  delete stepEnv.SQL_SECRET_ARN;
  delete stepEnv.AWS_DEFAULT_REGION;
  if (options.source.sslRootCert) stepEnv.SQL_SSLROOTCERT = path.join(options.repoDir, options.source.sslRootCert);
  // The child gets the local connection only: no project secret, even if the shell has one set.
  const base = { ...(options.env ?? process.env) };
  delete base.SQL_SECRET_ARN;
  const child = spawn(
    options.python ?? 'python3',
    [
      path.join(options.repoDir, 'scripts', EXTRACT_SCRIPT),
      '--query-file',
      queryFile,
      '--data-dir',
      dataDir,
      '--manifest-dir',
      manifestDir,
      '--message-file',
      path.join(stepDir, 'message'),
    ],
    { env: { ...base, ...stepEnv, [LOCAL_CONNECTION_ENV]: options.connectionUrl }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
  const manifestFile = path.join(manifestDir, MANIFEST_FILE);
  const manifest = fs.existsSync(manifestFile)
    ? (JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Record<string, unknown>)
    : undefined;
  return { exitCode, stdout, stderr, dataDir, manifestFile, manifest };
}
