/**
 * What `node run.js --local` calls for a `sql:` source, as a command for the Python tests (which own the PostgreSQL
 * server): `tsx local-extract.ts <repoDir> <runDir> '<sql block as JSON>' [url]` prints the result as JSON; the URL
 * comes from the argument (the `--sql-url` flag) or SQL_CONNECTION_URL. A usage error exits 2 with its message.
 */
import { localConnectionUrl, runLocalExtract } from '../../../sagemaker-pipeline/src/sql-local';
import { parseSqlSource } from '../../../sagemaker-pipeline/src/sql-source';

async function main(argv: string[]): Promise<number> {
  const [repoDir, runDir, block, flag] = argv;
  if (repoDir === undefined || runDir === undefined || block === undefined)
    throw new Error('usage: repoDir runDir block [url]');
  let connectionUrl: string;
  try {
    connectionUrl = localConnectionUrl(flag, process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  const result = await runLocalExtract({
    name: 'sales',
    source: parseSqlSource(JSON.parse(block)),
    repoDir,
    runDir,
    connectionUrl,
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exitCode = 1;
  },
);
