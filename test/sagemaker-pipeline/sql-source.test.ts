/**
 * The `sql:` source's schema and its extract step: the step validates against the published definition schema (with
 * only its documented gaps) and SageMaker's request shapes from botocore (CreateProcessingJobRequest: NetworkConfig,
 * Environment with its key pattern and value length), carries the secret's ARN and never a password, and hands
 * RegisterModel metadata values that SageMaker accepts (CustomerMetadataValue's pattern, checked on evaluated values).
 * What this cannot prove: that SageMaker resolves `Steps.<step>.ExitMessage` at run time (the property is a member
 * of DescribeProcessingJobResponse, which is what step properties are; the extract script's tests check the message
 * file's content).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SEED_SOURCE_DIR } from '../../lib/seed-code';
import { ExecutionValues, evaluate } from './support/evaluate';
import {
  SqlSource,
  SqlSourceSchema,
  SqlStepContext,
  WarehouseError,
  extractStepName,
  parseSqlSource,
  resolveDate,
  sqlCodeObjects,
  sqlExtractStep,
  warehouseFromEnv,
} from '../../sagemaker-pipeline/src/sql-source';
import { definitionValidator } from './support/schema';
import { sageMakerShapes, shapeProblems } from './support/shapes';

/** A shape of botocore's SageMaker model, with the fields these tests read. */
function shape(name: string): { pattern?: string; max?: number; members?: Record<string, unknown> } {
  const found = sageMakerShapes()[name];
  if (found === undefined) throw new Error(`no shape ${name}`);
  return found as { pattern?: string; max?: number; members?: Record<string, unknown> };
}

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:warehouse/readonly-AbC123';
const CTX: SqlStepContext = {
  region: 'eu-west-1',
  roleArn: 'arn:aws:iam::123456789012:role/sagemaker-pipeline',
  bucket: 'abalone-artifacts-123456789012',
  pipelineName: 'abalone-experiment--deeper-trees',
  codePrefix: 'abalone-experiment--deeper-trees/code/3f786850e387550fdab836ed7e6dc881de23001b',
  frameworkVersion: '1.2-1',
  instanceType: { Get: 'Parameters.ProcessingInstanceType' },
  maxRuntimeSeconds: 3600,
  warehouse: {
    secretArn: SECRET_ARN,
    subnetIds: ['subnet-0a1b2c3d', 'subnet-4e5f6a7b'],
    securityGroupIds: ['sg-0123abcd'],
  },
  today: new Date('2026-12-01T23:59:00Z'),
};
const SOURCE: SqlSource = parseSqlSource({
  query: 'queries/sales.sql',
  parameters: { region: 'eu', min_amount: 5, active: true },
  window: { start: 'today - 30 days', end: 'today' },
});

const asJson = <T>(value: T): any => JSON.parse(JSON.stringify(value)); // eslint-disable-line @typescript-eslint/no-explicit-any

function definitionWith(step: unknown) {
  return {
    Version: '2020-12-01',
    Metadata: {},
    Parameters: [{ Name: 'ProcessingInstanceType', Type: 'String', DefaultValue: 'ml.m5.large' }],
    Steps: [step],
  };
}

describe('sql source schema', () => {
  it('fills the defaults', () => {
    expect(parseSqlSource({ query: 'queries/a.sql' })).toEqual({
      query: 'queries/a.sql',
      parameters: {},
      allowEmpty: false,
      maxBytes: 16 * 1024 * 1024,
      header: false,
      sslMode: 'require',
      connectTimeoutSeconds: 10,
    });
  });

  it.each([
    [{ query: 'queries/a.txt' }, 'query'],
    [{ query: '../secrets/a.sql' }, 'query'],
    [{ query: 'queries/a.sql', parameters: { 'bad-name': 1 } }, 'parameters'],
    [{ query: 'queries/a.sql', parameters: { window_start: '2026-01-01' } }, 'parameters'],
    [{ query: 'queries/a.sql', parameters: { big: 'x'.repeat(300) } }, 'parameters'],
    [{ query: 'queries/a.sql', parameters: { nested: { a: 1 } } }, 'parameters'],
    [{ query: 'queries/a.sql', window: { start: 'yesterday', end: 'today' } }, 'window'],
    [{ query: 'queries/a.sql', window: { start: '2026-02-30', end: 'today' } }, 'window'],
    [{ query: 'queries/a.sql', window: { start: '2026-02-01', end: '2026-01-01' } }, ''],
    [{ query: 'queries/a.sql', window: { start: 'today' } }, 'window'],
    [{ query: 'queries/a.sql', maxBytes: 10 }, 'maxBytes'],
    [{ query: 'queries/a.sql', allowEmpty: 'yes' }, 'allowEmpty'],
    [{ query: 'queries/a.sql', sslRootCert: 'certs/rds.pem' }, ''],
    [{ query: 'queries/a.sql', password: 'x' }, ''],
  ])('rejects %j (at %s)', (value, at) => {
    const result = SqlSourceSchema.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(
      expect.arrayContaining([expect.stringMatching(new RegExp(`^${at}`))]),
    );
  });

  it('resolves relative dates in UTC, once, against the given day', () => {
    const today = new Date('2026-03-01T00:30:00+02:00'); // still Feb 28 in UTC
    expect(resolveDate('today', today)).toBe('2026-02-28');
    expect(resolveDate('today - 30 days', today)).toBe('2026-01-29');
    expect(resolveDate(' today-1 day ', today)).toBe('2026-02-27');
    expect(resolveDate('2025-12-31', today)).toBe('2025-12-31');
  });
});

describe('sql extract step', () => {
  const extract = sqlExtractStep('sales', SOURCE, CTX);
  const args = asJson(extract.step.Arguments);

  it('validates against the published schema with the documented gaps only', () => {
    const result = definitionValidator()(asJson(definitionWith(extract.step)));
    expect(result.errors).toEqual([]);
    // Its only expressions beyond the plain schema are Std:Join (a documented gap): without that gap it fails.
    expect(definitionValidator(['PipelineExperimentConfig'])(asJson(definitionWith(extract.step))).valid).toBe(false);
  });

  it('is a CreateProcessingJob request as botocore models it (NetworkConfig, Environment, inputs, outputs)', () => {
    expect(shapeProblems({ ...args, ProcessingJobName: 'x' }, 'CreateProcessingJobRequest')).toEqual([]);
    // A wrong member in NetworkConfig would be caught: the check can fail.
    expect(
      shapeProblems(
        { ...args, ProcessingJobName: 'x', NetworkConfig: { VpcConfig: { Subnet: ['s'] } } },
        'CreateProcessingJobRequest',
      ),
    ).not.toEqual([]);
  });

  it('runs in the warehouse subnets and security groups, with the network on', () => {
    expect(args.NetworkConfig).toEqual({
      EnableNetworkIsolation: false,
      VpcConfig: { Subnets: ['subnet-0a1b2c3d', 'subnet-4e5f6a7b'], SecurityGroupIds: ['sg-0123abcd'] },
    });
  });

  it('passes the secret ARN, never a password, and environment keys and values SageMaker accepts', () => {
    const keyPattern = new RegExp(`^(${shape('ProcessingEnvironmentKey').pattern})$`);
    const env = args.Environment as Record<string, string>;
    expect(Object.keys(env).length).toBeLessThanOrEqual(shape('ProcessingEnvironmentMap').max!);
    for (const [key, value] of Object.entries(env)) {
      expect(key).toMatch(keyPattern);
      expect(value.length).toBeLessThanOrEqual(shape('ProcessingEnvironmentValue').max!);
    }
    expect(env).toMatchObject({
      SQL_SOURCE: 'sales',
      SQL_SECRET_ARN: SECRET_ARN,
      SQL_PARAM_region: '"eu"',
      SQL_PARAM_min_amount: '5',
      SQL_PARAM_active: 'true',
      // Resolved once, when the definition is built (today = 2026-12-01 UTC).
      SQL_WINDOW_START: '2026-11-01',
      SQL_WINDOW_END: '2026-12-01',
      SQL_WINDOW_SPEC: '{"start":"today - 30 days","end":"today"}',
      SQL_ALLOW_EMPTY: 'false',
      AWS_DEFAULT_REGION: 'eu-west-1',
    });
    expect(JSON.stringify(extract.step).toLowerCase()).not.toContain('password');
  });

  it('sets only environment variables that extract.py reads', () => {
    const script = fs.readFileSync(path.join(SEED_SOURCE_DIR, 'scripts', 'extract.py'), 'utf8');
    for (const key of Object.keys(args.Environment as object)) {
      const name = key.startsWith('SQL_PARAM_') ? 'SQL_PARAM_' : key;
      if (name === 'AWS_DEFAULT_REGION') continue; // read by boto3
      expect(script).toContain(`"${name}`);
    }
  });

  it('uses a window the scheduled retrain computed instead of resolving its own (contract 4)', () => {
    const env = asJson(
      sqlExtractStep('sales', SOURCE, { ...CTX, window: { start: '2026-06-01', end: '2026-07-01' } }).step.Arguments,
    ).Environment;
    expect([env.SQL_WINDOW_START, env.SQL_WINDOW_END]).toEqual(['2026-06-01', '2026-07-01']);
  });

  it('refuses a sql source when the project has no warehouse, naming the fix', () => {
    expect(() => sqlExtractStep('sales', SOURCE, { ...CTX, warehouse: undefined })).toThrow(
      /data\.sales is a sql source but the project has no warehouse: set CDK context "warehouse"/,
    );
  });

  it('gives later steps the data folder and RegisterModel metadata SageMaker accepts', () => {
    expect(extractStepName('sales-2024_eu')).toBe('ExtractSales2024Eu');
    expect(extract.dataUri).toEqual({
      Get: "Steps.ExtractSales.ProcessingOutputConfig.Outputs['data'].S3Output.S3Uri",
    });
    // data_sha256 is the job's ExitMessage: a member of DescribeProcessingJobResponse, i.e. a step property.
    expect(extract.metadata.data_sha256).toEqual({ Get: 'Steps.ExtractSales.ExitMessage' });
    expect(shape('DescribeProcessingJobResponse').members).toHaveProperty('ExitMessage');

    const outputUri = (o: string) => `s3://${CTX.bucket}/${CTX.pipelineName}/x1y2z3a4b5c6/ExtractSales/${o}`;
    const values: ExecutionValues = {
      parameters: {},
      execution: {},
      properties: {
        "Steps.ExtractSales.ProcessingOutputConfig.Outputs['manifest'].S3Output.S3Uri": outputUri('manifest'),
        'Steps.ExtractSales.ExitMessage': 'a'.repeat(64),
      },
    };
    const metadata = evaluate(extract.metadata, values) as Record<string, string>;
    expect(metadata).toEqual({
      data_manifest_uri: `${outputUri('manifest')}/manifest.json`,
      data_sha256: 'a'.repeat(64),
    });
    // botocore's pattern, `([\p{L}\p{Z}\p{N}_.:\/=+\-@]*)${1,256}`, is Java's: its character class, in JavaScript
    // with the u flag (for \p{..}), 1 to 256 times.
    const valuePattern = shape('CustomerMetadataValue').pattern!;
    const allowed = /\[.*\]/.exec(valuePattern)![0];
    for (const value of Object.values(metadata)) expect(value).toMatch(new RegExp(`^${allowed}{1,256}$`, 'u'));
    expect('s3://b/k?x=1').not.toMatch(new RegExp(`^${allowed}{1,256}$`, 'u'));
    expect(shapeProblems(metadata, 'CustomerMetadataMap', false)).toEqual([]);
    // And the metadata expression itself passes the schema where RegisterModel puts it (Get and Std:Join).
    const register = {
      Name: 'RegisterModel',
      Type: 'RegisterModel',
      Arguments: {
        ModelPackageGroupName: 'model-abalone',
        CustomerMetadataProperties: asJson(extract.metadata),
        InferenceSpecification: {
          Containers: [{ Image: 'x', ModelDataUrl: 's3://b/m.tar.gz' }],
          SupportedContentTypes: ['text/csv'],
          SupportedResponseMIMETypes: ['text/csv'],
        },
      },
    };
    const definition = { ...definitionWith(extract.step), Steps: [extract.step, register] };
    expect(definitionValidator()(asJson(definition)).errors).toEqual([]);
  });
});

describe('sql code objects and the build environment', () => {
  it('uploads extract.py with its vendored driver and the query, under the code prefix', () => {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'sql-source-'));
    fs.cpSync(path.join(SEED_SOURCE_DIR, 'scripts'), path.join(repo, 'scripts'), { recursive: true });
    fs.mkdirSync(path.join(repo, 'queries'));
    fs.writeFileSync(path.join(repo, 'queries', 'sales.sql'), 'SELECT 1');
    const objects = sqlCodeObjects('sales', SOURCE, repo, CTX.codePrefix);
    const keys = objects.map((o) => o.key);
    expect(keys).toContain(`${CTX.codePrefix}/extract/extract.py`);
    expect(keys).toContain(`${CTX.codePrefix}/extract/vendor/pg8000/native.py`);
    expect(keys).toContain(`${CTX.codePrefix}/extract/vendor/pg8000-1.31.5.dist-info/licenses/LICENSE`);
    expect(keys).toContain(`${CTX.codePrefix}/sql/sales/sales.sql`);
    expect(keys.some((k) => k.includes('__pycache__'))).toBe(false);
    // The step's inputs read exactly these prefixes.
    const inputs = asJson(sqlExtractStep('sales', SOURCE, CTX).step.Arguments).ProcessingInputs;
    expect(inputs.map((i: { S3Input: { S3Uri: string } }) => i.S3Input.S3Uri)).toEqual([
      `s3://${CTX.bucket}/${CTX.codePrefix}/extract/`,
      `s3://${CTX.bucket}/${CTX.codePrefix}/sql/sales/`,
    ]);
    fs.rmSync(path.join(repo, 'queries', 'sales.sql'));
    expect(() => sqlCodeObjects('sales', SOURCE, repo, CTX.codePrefix)).toThrow(
      'data.sales.sql.query: queries/sales.sql does not exist in the repository',
    );
    fs.rmSync(repo, { recursive: true, force: true });
  });

  it('reads the warehouse from the build environment, all or nothing', () => {
    expect(warehouseFromEnv({})).toBeUndefined();
    expect(
      warehouseFromEnv({
        WAREHOUSE_SECRET_ARN: SECRET_ARN,
        WAREHOUSE_SUBNET_IDS: 'subnet-1, subnet-2',
        WAREHOUSE_SECURITY_GROUP_IDS: 'sg-1',
      }),
    ).toEqual({ secretArn: SECRET_ARN, subnetIds: ['subnet-1', 'subnet-2'], securityGroupIds: ['sg-1'] });
    expect(() => warehouseFromEnv({ WAREHOUSE_SECRET_ARN: SECRET_ARN })).toThrow(WarehouseError);
    expect(() => warehouseFromEnv({ WAREHOUSE_SECRET_ARN: SECRET_ARN })).toThrow(
      'WAREHOUSE_SUBNET_IDS, WAREHOUSE_SECURITY_GROUP_IDS not set',
    );
    expect(() =>
      warehouseFromEnv({
        WAREHOUSE_SECRET_ARN: SECRET_ARN,
        WAREHOUSE_SUBNET_IDS: ' , ',
        WAREHOUSE_SECURITY_GROUP_IDS: 'sg-1',
      }),
    ).toThrow('WAREHOUSE_SUBNET_IDS lists no id');
  });
});
