/**
 * What `node run.js --local` calls for a `sql:` source, as a command for the Python tests (which own the PostgreSQL
 * server): `tsx local-extract.ts <repoDir> <runDir> '<sql block as JSON>' [url]` prints the result as JSON; the URL
 * comes from the argument (the `--sql-url` flag) or SQL_CONNECTION_URL. A usage error exits 2 with its message.
 * `tsx local-extract.ts --step '<sql block as JSON>' <secret ARN> <region>` prints the extract step's Arguments as
 * sqlExtractStep renders them, for the tests that run the script as the processing job would.
 */
import { localConnectionUrl, runLocalExtract } from '../../../sagemaker-pipeline/src/sql-local';
import { parseSqlSource, sqlExtractStep } from '../../../sagemaker-pipeline/src/sql-source';

function stepArguments(block: string, secretArn: string, region: string): unknown {
  return sqlExtractStep('sales', parseSqlSource(JSON.parse(block)), {
    region,
    roleArn: 'arn:aws:iam::123456789012:role/sagemaker-pipeline',
    bucket: 'bucket',
    pipelineName: 'p',
    codePrefix: 'p/code/c',
    frameworkVersion: '1.2-1',
    instanceType: 'ml.m5.large',
    maxRuntimeSeconds: 3600,
    warehouse: { secretArn, subnetIds: ['subnet-0123abcd'], securityGroupIds: ['sg-0123abcd'] },
  }).step.Arguments;
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--step') {
    const [, block, secretArn, region] = argv;
    if (block === undefined || secretArn === undefined || region === undefined)
      throw new Error('usage: --step block arn region');
    process.stdout.write(`${JSON.stringify(stepArguments(block, secretArn, region))}\n`);
    return 0;
  }
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
