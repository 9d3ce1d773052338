/** The extract step's code in S3: extract.py with its vendored driver (once per run) and each source's query. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SqlSource } from './schema';
import { WarehouseError } from './warehouse';

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
