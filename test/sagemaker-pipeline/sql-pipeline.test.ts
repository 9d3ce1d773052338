/**
 * The `sql:` data source wired into pipeline.yaml (issue 13 on top of issue 12): the file's schema accepts it, the
 * source registry compiles it to the extract step whose `data` output later steps read, the models that read it
 * record `data_manifest_uri` and `data_sha256`, the run command uploads the extract code, and a `sql:` source
 * without the project's warehouse is refused before any AWS call.
 *
 * What these tests cannot prove: that SageMaker resolves `Steps.<extract>.ExitMessage` at run time (the published
 * schema admits the Get; the value is the job's /opt/ml/output/message, checked by test_extract.py), or that the
 * job reaches the warehouse from the given subnets.
 */
import * as path from 'node:path';
import { SEED_SOURCE_DIR } from '../../lib/seed-code';
import { UsageError, codeObjects, main, parseOptions } from '../../sagemaker-pipeline/src/cli';
import {
  PipelineDefinition,
  RegisterModelStep,
  RunContext,
  Step,
  buildDefinition,
  dataConsumedBy,
} from '../../sagemaker-pipeline/src/definition';
import { PipelineFileError, loadPipelineFile } from '../../sagemaker-pipeline/src/pipeline-file';
import { pipelineJsonSchema } from '../../sagemaker-pipeline/src/pipeline-schema';
import { definitionValidator } from './support/schema';
import { stepRequestProblems } from './support/shapes';
import { COMMIT, CONTEXT, parseSeedText } from './support/seed';

const asJson = <T>(value: T): any => JSON.parse(JSON.stringify(value)); // eslint-disable-line @typescript-eslint/no-explicit-any

const EXAMPLE = 'examples/sql-source.yaml';
const EXAMPLE_FILE = path.join(SEED_SOURCE_DIR, EXAMPLE);
const WAREHOUSE = {
  secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:warehouse/readonly-AbC123',
  subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
  securityGroupIds: ['sg-0123456789abcdef0'],
};
const WAREHOUSE_ENV = {
  WAREHOUSE_SECRET_ARN: WAREHOUSE.secretArn,
  WAREHOUSE_SUBNET_IDS: WAREHOUSE.subnetIds.join(','),
  WAREHOUSE_SECURITY_GROUP_IDS: WAREHOUSE.securityGroupIds.join(','),
};
const SQL_CONTEXT: RunContext = { ...CONTEXT, warehouse: WAREHOUSE, today: new Date('2026-07-15T12:00:00Z') };
const example = () => loadPipelineFile(path.join(SEED_SOURCE_DIR, EXAMPLE), SEED_SOURCE_DIR, EXAMPLE);

function allSteps(steps: readonly Step[]): Step[] {
  return steps.flatMap((s) =>
    s.Type === 'Condition' ? [s, ...allSteps(s.Arguments.IfSteps), ...allSteps(s.Arguments.ElseSteps)] : [s],
  );
}
const registers = (d: PipelineDefinition) =>
  allSteps(d.Steps).filter((s): s is RegisterModelStep => s.Type === 'RegisterModel');

async function runCommand(argv: string[], env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, env, SEED_SOURCE_DIR, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}
const DRY_ENV = { BRANCH_NAME: 'experiment/sql', COMMIT_HASH: COMMIT, AWS_REGION: 'eu-west-1' };

describe('pipeline.yaml with a sql: data source', () => {
  it('the JSON schema of pipeline.yaml offers sql: with the keys of SqlSourceSchema', () => {
    const schema = asJson(pipelineJsonSchema());
    const entry = schema.properties.data.additionalProperties;
    expect(Object.keys(entry.properties)).toEqual(expect.arrayContaining(['s3', 'sql', 'sample']));
    expect(entry.properties.sql.required).toEqual(['query']);
    expect(Object.keys(entry.properties.sql.properties)).toEqual(
      expect.arrayContaining(['query', 'parameters', 'window', 'allowEmpty', 'maxBytes', 'sslMode']),
    );
  });

  it.each([
    ['with WAREHOUSE_* set', WAREHOUSE_ENV, false],
    ['without them (placeholders, said on stderr)', {}, true],
  ])(
    '--dry-run --config examples/sql-source.yaml %s validates against the published schema and botocore shapes',
    async (_what, env, placeholder) => {
      const result = await runCommand(['--dry-run', '--config', EXAMPLE_FILE], { ...DRY_ENV, ...env });
      expect(result.err).toEqual(
        placeholder
          ? expect.stringContaining('this dry run uses placeholders')
          : expect.not.stringContaining('placeholder'),
      );
      expect(result.code).toBe(0);
      const definition = JSON.parse(result.out) as PipelineDefinition;
      const validation = definitionValidator()(asJson(definition));
      expect(validation.errors).toEqual([]);
      expect(validation.valid).toBe(true);
      const problems = stepRequestProblems(allSteps(definition.Steps));
      expect(Object.keys(problems)).toEqual(
        expect.arrayContaining(['ExtractAbalone', 'PreprocessData', 'TrainModel', 'EvaluateModel', 'RegisterModel']),
      );
      for (const [step, found] of Object.entries(problems)) expect({ step, found }).toEqual({ step, found: [] });
      const extract = asJson(definition.Steps[0]);
      // The check can fail: a misspelt member of the extract's network configuration is reported.
      const misspelt = { ...extract, Arguments: { ...extract.Arguments, NetworkConfig: { VpcConfg: {} } } };
      expect(stepRequestProblems([misspelt]).ExtractAbalone).toEqual([
        '$.NetworkConfig.VpcConfg: not a member of NetworkConfig',
      ]);
      expect(extract.Arguments.NetworkConfig.VpcConfig.Subnets).toEqual(
        placeholder ? ['subnet-00000000000000000'] : WAREHOUSE.subnetIds,
      );
      expect(JSON.stringify(definition)).not.toContain('password');
    },
  );

  const definition = buildDefinition(example(), SQL_CONTEXT);

  it('runs the extract first and feeds its data output to the step that names the data entry', () => {
    expect(definition.Steps[0]!.Name).toBe('ExtractAbalone');
    const preprocess = asJson(definition.Steps.find((s) => s.Name === 'PreprocessData'));
    expect(
      preprocess.Arguments.ProcessingInputs.find((i: { InputName: string }) => i.InputName === 'raw').S3Input,
    ).toEqual(
      expect.objectContaining({
        S3Uri: { Get: "Steps.ExtractAbalone.ProcessingOutputConfig.Outputs['data'].S3Output.S3Uri" },
        S3DataType: 'S3Prefix',
      }),
    );
  });

  it('records data_manifest_uri and data_sha256 on the registered version', () => {
    const [register] = registers(definition);
    expect(asJson(register!.Arguments.CustomerMetadataProperties)).toEqual(
      expect.objectContaining({
        data_manifest_uri: {
          'Std:Join': {
            On: '/',
            Values: [
              { Get: "Steps.ExtractAbalone.ProcessingOutputConfig.Outputs['manifest'].S3Output.S3Uri" },
              'manifest.json',
            ],
          },
        },
        data_sha256: { Get: 'Steps.ExtractAbalone.ExitMessage' },
      }),
    );
  });

  it('resolves the window once (today given) and a contract-4 window replaces it', () => {
    const env = (d: PipelineDefinition) => asJson(d.Steps[0]).Arguments.Environment;
    expect(env(definition)).toEqual(
      expect.objectContaining({ SQL_WINDOW_START: '2025-07-15', SQL_WINDOW_END: '2026-07-15' }),
    );
    const scheduled = buildDefinition(example(), {
      ...SQL_CONTEXT,
      trigger: 'schedule',
      window: { start: '2026-06-01', end: '2026-07-01' },
    });
    expect(env(scheduled)).toEqual(
      expect.objectContaining({ SQL_WINDOW_START: '2026-06-01', SQL_WINDOW_END: '2026-07-01' }),
    );
  });

  describe('metadata goes to the models that read the source, the first sql source when several do', () => {
    const text = `
data:
  first: { sql: { query: queries/abalone.sql, parameters: { region: north } } }
  second: { sql: { query: queries/abalone.sql, parameters: { region: south } } }
  bucket: { s3: 's3://bucket/abalone.csv' }
steps:
  Merge:
    script: scripts/preprocess.py
    image: { framework: sklearn, version: '1.2-1' }
    inputs: { raw: second }
    outputs: [train, validation, test]
  FromS3:
    script: scripts/preprocess.py
    image: { framework: sklearn, version: '1.2-1' }
    inputs: { raw: bucket }
    outputs: [train, validation, test]
models:
  - name: both
    training: { framework: sklearn, version: '1.2-1', entry: scripts/train.py, inputs: { train: Merge.train, validation: first } }
    evaluation: { script: scripts/evaluate.py, inputs: { test: Merge.test } }
    gate: { metric: mse, max: 6.0 }
  - name: plain
    training: { framework: sklearn, version: '1.2-1', entry: scripts/train_forest.py, inputs: { train: FromS3.train, validation: FromS3.validation } }
    evaluation: { script: scripts/evaluate.py, inputs: { test: FromS3.test } }
    gate: { metric: r2, min: 0.5 }
`;
    const config = parseSeedText(text);
    const built = buildDefinition(config, SQL_CONTEXT);
    const [both, plain] = registers(built).map((r) => asJson(r.Arguments.CustomerMetadataProperties));

    it('traces inputs through processing steps, in the order of data:', () => {
      expect(dataConsumedBy(config.spec, config.spec.models[0]!)).toEqual(['first', 'second']);
      expect(dataConsumedBy(config.spec, config.spec.models[1]!)).toEqual(['bucket']);
    });

    it('a model fed by two sql sources records the first; a model that reads none records neither key', () => {
      expect(both.data_sha256).toEqual({ Get: 'Steps.ExtractFirst.ExitMessage' });
      expect(JSON.stringify(both.data_manifest_uri)).toContain('Steps.ExtractFirst.');
      expect(plain).not.toHaveProperty('data_sha256');
      expect(plain).not.toHaveProperty('data_manifest_uri');
    });
  });

  describe('errors', () => {
    const RUN_ENV = {
      ...DRY_ENV,
      PROJECT_NAME: 'abalone',
      PROJECT_ID: 'p-abc123xyz',
      ARTIFACT_BUCKET: 'abalone-artifacts-123456789012',
      SAGEMAKER_PIPELINE_ROLE_ARN: 'arn:aws:iam::123456789012:role/sagemaker-pipeline',
    };

    it('a run without the warehouse is refused with the fix, exit 2, before any AWS call', async () => {
      // parseOptions throws: run(), where every AWS client is made, is never reached.
      expect(() => parseOptions(['--config', EXAMPLE_FILE], RUN_ENV, SEED_SOURCE_DIR)).toThrow(UsageError);
      const result = await runCommand(['--config', EXAMPLE_FILE], RUN_ENV);
      expect(result.code).toBe(2);
      expect(result.err).toContain('data abalone: a sql source needs the project');
      expect(result.err).toContain('WAREHOUSE_SECRET_ARN, WAREHOUSE_SUBNET_IDS, WAREHOUSE_SECURITY_GROUP_IDS');
      expect(result.err).toContain('CDK context "warehouse"');
      expect(result.out).toBe('');
      // With them, the same options parse (the check can pass).
      expect(parseOptions(['--config', EXAMPLE_FILE], { ...RUN_ENV, ...WAREHOUSE_ENV }, SEED_SOURCE_DIR)).not.toBe(
        'help',
      );
    });

    it('a partly configured warehouse names the missing variables, also in a dry run', async () => {
      const result = await runCommand(['--dry-run', '--config', EXAMPLE_FILE], {
        ...DRY_ENV,
        WAREHOUSE_SECRET_ARN: WAREHOUSE.secretArn,
      });
      expect(result.code).toBe(2);
      expect(result.err).toContain('WAREHOUSE_SUBNET_IDS, WAREHOUSE_SECURITY_GROUP_IDS not set');
    });

    const located = (text: string) => {
      try {
        parseSeedText(text);
      } catch (err) {
        expect(err).toBeInstanceOf(PipelineFileError);
        return (err as PipelineFileError).message;
      }
      throw new Error('accepted');
    };
    const withSql = (sql: string) => `data:
  abalone:
    sql:
${sql}
models:
  - name: abalone
    training: { framework: sklearn, version: '1.2-1', entry: scripts/train.py, inputs: { train: abalone } }
    evaluation: { script: scripts/evaluate.py, inputs: { test: abalone } }
    gate: { metric: mse, max: 6.0 }
`;

    it('reports a mistake in the sql block at its line and column', () => {
      expect(
        located(withSql('      query: queries/abalone.sql\n      window: { start: yesterday, end: today }')),
      ).toMatch(/^pipeline\.yaml:5:24: data\.abalone\.sql\.window\.start: must be an ISO date/m);
      expect(located(withSql('      query: queries/abalone.sql\n      paramters: { region: north }'))).toMatch(
        /^pipeline\.yaml:5:7: unknown key "paramters" in data\.abalone\.sql \(did you mean "parameters"\?\)/m,
      );
      expect(located(withSql('      query: queries/missing.sql'))).toMatch(
        /^pipeline\.yaml:4:14: queries\/missing\.sql does not exist/m,
      );
    });
  });

  it('the run command uploads the extract code and the query with the other code objects', () => {
    const options = parseOptions(
      ['--dry-run', '--config', EXAMPLE_FILE],
      { ...DRY_ENV, ...WAREHOUSE_ENV },
      SEED_SOURCE_DIR,
    );
    if (options === 'help') throw new Error('help');
    const keys = codeObjects(options).map((o) => o.key);
    const prefix = `${options.context.pipelineName}/code/${COMMIT}`;
    expect(keys).toEqual(
      expect.arrayContaining([
        `${prefix}/preprocess.py`,
        `${prefix}/extract/extract.py`,
        `${prefix}/extract/vendor/pg8000/__init__.py`,
        `${prefix}/sql/abalone/abalone.sql`,
      ]),
    );
    // What the step reads is what is uploaded.
    const inputs = asJson(buildDefinition(options.config, options.context).Steps[0]).Arguments.ProcessingInputs;
    const uris = inputs.map((i: { S3Input: { S3Uri: string } }) => i.S3Input.S3Uri);
    expect(uris).toEqual([
      `s3://${options.context.bucket}/${prefix}/extract/`,
      `s3://${options.context.bucket}/${prefix}/sql/abalone/`,
    ]);
  });
});
