/**
 * CDK context `warehouse` (the SQL source's connection): validated in lib/config.ts, passed to the train build as
 * WAREHOUSE_* environment variables, and granted to the SageMaker execution role as exactly GetSecretValue on that
 * one secret plus the network interface actions of a VPC processing job, scoped to the configured subnets and
 * security groups. cdk-nag (synthesis fails on an unacknowledged finding) and cfn-lint run on the templates.
 * What this cannot prove: that the EC2 resource scoping and the ec2:Subnet condition match what SageMaker's calls
 * present at run time (no AWS account here; the statements follow the Service Authorization Reference).
 */
import { ConfigError, readConfig } from '../../lib/config';
import { appTemplates, BuiltTemplates, removeApp, TEST_ACCOUNT, TEST_REGION } from '../support/app';
import { cfnLint } from '../support/cfn-lint';

const SECRET_ARN = `arn:aws:secretsmanager:${TEST_REGION}:${TEST_ACCOUNT}:secret:warehouse/readonly-AbC123`;
const WAREHOUSE = {
  secretArn: SECRET_ARN,
  subnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0123abcd'],
  securityGroupIds: ['sg-0123456789abcdef0'],
};

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

function statements(template: Json): Array<{ role: string; statement: Json }> {
  return Object.values(template.Resources as Record<string, Json>)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .flatMap((r) =>
      (r.Properties.PolicyDocument.Statement as Json[]).map((statement) => ({
        role: JSON.stringify(r.Properties.Roles),
        statement,
      })),
    );
}

const actionsOf = (statement: Json): string[] => [statement.Action].flat();

describe('context warehouse', () => {
  const read = (warehouse: unknown) => () =>
    readConfig((key) => ({ account: TEST_ACCOUNT, region: TEST_REGION, warehouse })[key], {});

  it('is optional, an object in cdk.json or JSON on the command line', () => {
    expect(read(undefined)().warehouse).toBeUndefined();
    expect(read(WAREHOUSE)().warehouse).toEqual(WAREHOUSE);
    expect(read(JSON.stringify(WAREHOUSE))().warehouse).toEqual(WAREHOUSE);
  });

  it.each([
    [
      { ...WAREHOUSE, secretArn: SECRET_ARN.replace(/-AbC123$/, '') },
      /secretArn must be the full ARN .*6-character suffix/,
    ],
    [{ ...WAREHOUSE, secretArn: 'warehouse/readonly' }, /secretArn must be the full ARN/],
    [
      { ...WAREHOUSE, subnetIds: [] },
      /subnetIds must be a list of 1 to 16 ids like "subnet-0123456789abcdef0", got \[\]/,
    ],
    [{ ...WAREHOUSE, subnetIds: 'subnet-0123abcd' }, /subnetIds must be a list/],
    [{ ...WAREHOUSE, securityGroupIds: ['sg-nothex!'] }, /securityGroupIds must be a list of 1 to 5 ids/],
    [{ ...WAREHOUSE, subnetIds: ['subnet-0123abcd', 'subnet-0123abcd'] }, /subnetIds must not repeat an id/],
    [{ ...WAREHOUSE, password: 'x' }, /unknown keys password/],
    ['{not json', /must be a JSON object/],
    [['a'], /must be an object/],
  ])('refuses %j with a message naming the key', (value, message) => {
    expect(read(value)).toThrow(ConfigError);
    expect(read(value)).toThrow(/context key "warehouse"/);
    expect(read(value)).toThrow(message);
  });
});

describe('product template with a warehouse', () => {
  let built: BuiltTemplates;
  let without: BuiltTemplates;
  beforeAll(() => {
    // nag: synthesis throws on any unacknowledged cdk-nag finding in any template.
    built = appTemplates({ nag: true, context: { warehouse: WAREHOUSE } });
    without = appTemplates({ context: {} });
  });
  afterAll(() => {
    removeApp(built);
    removeApp(without);
  });

  it('lets the execution role read exactly the configured secret, and no other role any secret', () => {
    const secretStatements = statements(built.productTemplate.toJSON()).filter(({ statement }) =>
      actionsOf(statement).some((a) => a.startsWith('secretsmanager:')),
    );
    expect(secretStatements).toHaveLength(1);
    const [{ role, statement }] = secretStatements as [{ role: string; statement: Json }];
    expect(statement).toEqual({
      Sid: 'ReadWarehouseSecret',
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: SECRET_ARN,
    });
    expect(role).toMatch(/SageMakerExecutionRole/);
  });

  it('scopes the network interface actions to the configured subnets and security groups', () => {
    const all = statements(built.productTemplate.toJSON()).map((s) => s.statement);
    const create = all.find((s) => s.Sid === 'WarehouseNetworkInterfaces');
    const rendered = JSON.stringify(create.Resource);
    for (const id of [...WAREHOUSE.subnetIds, ...WAREHOUSE.securityGroupIds]) expect(rendered).toContain(`/${id}`);
    expect(create.Resource).toHaveLength(1 + WAREHOUSE.subnetIds.length + WAREHOUSE.securityGroupIds.length);
    const use = all.find((s) => s.Sid === 'WarehouseNetworkInterfacesUse');
    expect(actionsOf(use)).toEqual(['ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface']);
    expect(JSON.stringify(use.Condition.ArnEquals['ec2:Subnet'])).toContain('subnet/subnet-0a1b2c3d4e5f60718');
    // No action wildcard anywhere.
    for (const s of all) for (const a of actionsOf(s)) expect(a).not.toMatch(/\*/);
  });

  it('passes the warehouse to the train build as comma lists', () => {
    const [project] = Object.values(built.productTemplate.findResources('AWS::CodeBuild::Project')) as Json[];
    const env = Object.fromEntries(
      (project.Properties.Environment.EnvironmentVariables as Json[]).map((v) => [v.Name, v.Value]),
    );
    expect(env).toMatchObject({
      WAREHOUSE_SECRET_ARN: SECRET_ARN,
      WAREHOUSE_SUBNET_IDS: 'subnet-0a1b2c3d4e5f60718,subnet-0123abcd',
      WAREHOUSE_SECURITY_GROUP_IDS: 'sg-0123456789abcdef0',
    });
  });

  it('grants nothing of the kind without a warehouse', () => {
    const text = JSON.stringify(without.productTemplate.toJSON());
    expect(text).not.toContain('secretsmanager:');
    expect(text).not.toContain('ec2:CreateNetworkInterface');
    expect(text).not.toContain('WAREHOUSE_');
  });

  it('reports zero cfn-lint errors (and only the accepted W3005 warnings)', async () => {
    const { errors, warnings } = await cfnLint(built.templateFiles);
    expect(errors).toEqual([]);
    expect(warnings.filter((id) => id !== 'W3005')).toEqual([]);
  });
});
