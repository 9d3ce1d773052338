/**
 * Deploy-time IAM oracle (issue 11): every resource of the project template (both source providers) must be
 * creatable, updatable, deletable and readable by the Service Catalog launch role, and every resource of the branch
 * template by the branch stacks' CloudFormation service role, action by action, as AWS publishes the CloudFormation
 * handler permissions (test/support/deploy-oracle.ts). The baseline's deployer is checked in
 * test/lib/deployer-policy.test.ts.
 *
 * What it cannot prove: that AWS's published lists are complete (they are supersets of one request, and legacy
 * types are listed by hand); resource policies and SCPs of the target account; conditions beyond those
 * test/support/iam-policy.ts evaluates (it throws on others).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { appTemplates, BuiltTemplates, removeApp } from '../support/app';
import { checkTemplate, denials, OracleResult, summary } from '../support/deploy-oracle';
import { Deployment, deploymentOf } from '../support/deployment';
import { DeployedTemplate } from '../support/cfn-template';
import { isAllowed, PolicyDocument } from '../support/iam-policy';

/** Service Catalog copies the product template into its own bucket; the launch role reads it from there. */
const SERVICE_CATALOG_TEMPLATE_COPY = {
  action: 's3:GetObject',
  // A bucket Service Catalog owns, whose name the product cannot know.
  resource: 'arn:aws:s3:::cf-templates-servicecatalog-us-east-1/abcdef/product-template.json',
  context: { 's3:ExistingObjectTag/servicecatalog:provisioning': 'true' },
  source: 'AWS Service Catalog Administrator Guide, "AWS Service Catalog launch constraints" (launch role policy)',
};

const report: string[] = [];
function record(name: string, result: OracleResult): void {
  const s = summary(result);
  report.push(
    `${name}: ${s.resources} resources, ${s.required} (action, resource) requests required, ${s.granted} granted, ` +
      `${s.exceptions} exceptions`,
  );
  const reasons = new Map<string, Set<string>>();
  for (const e of result.exceptions) {
    const key = `${e.type} ${e.action}`;
    reasons.set(key, (reasons.get(key) ?? new Set()).add(e.reason));
  }
  for (const [key, why] of [...reasons].sort()) report.push(`  exception ${key}: ${[...why].join('; ')}`);
}

afterAll(() => {
  const file = process.env.IAM_ORACLE_REPORT ?? path.join(os.tmpdir(), 'deploy-permissions-report.txt');
  fs.writeFileSync(file, report.join('\n') + '\n');
});

/** Every optional part of the project template: scheduled retraining, a SQL warehouse, a serving stage in another account. */
const EVERY_OPTION = {
  retrain: { schedule: 'cron(0 3 1 * ? *)', timeZone: 'Europe/Paris', testMode: true, maxParents: 3 },
  warehouse: {
    secretArn: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:warehouse-AbCdEf',
    subnetIds: ['subnet-0a1b2c3d4e5f60718'],
    securityGroupIds: ['sg-0123456789abcdef0'],
  },
  serving: {
    projects: [{ name: 'churn', id: 'p-churn000001' }],
    stages: [{ name: 'sandbox' }, { name: 'qa', account: '222222222222' }],
  },
};

describe.each([
  ['codecommit', {}],
  ['external-ci', { sourceProvider: 'external-ci', githubRepository: 'acme/churn' }],
  ['codecommit with every option', EVERY_OPTION],
])('deploy-time IAM oracle, source provider %s', (variant, context) => {
  let deployment: Deployment;
  let built: BuiltTemplates;
  beforeAll(() => {
    built = appTemplates({ context });
    deployment = deploymentOf(built);
  });
  afterAll(() => removeApp(built));

  it.each(['Churn', '1churn'])('holds for a project named %s, as SageMaker accepts it (issue 11 item 5)', (name) => {
    const named = deploymentOf(built, { name, id: 'p-abcdef123456' });
    expect(denials(checkTemplate(named.product, named.launchRole.policies))).toEqual([]);
    if (named.branch && named.cloudFormationRole) {
      expect(named.branch.stackName).toMatch(/^mbm-/);
      expect(denials(checkTemplate(named.branch, named.cloudFormationRole.policies))).toEqual([]);
    }
  });

  it('the launch role may create, update, delete and read every resource of the project template', () => {
    const result = checkTemplate(deployment.product, deployment.launchRole.policies);
    record(`product template (${variant}), launch role`, result);
    expect(result.unplaced).toEqual([]);
    expect(denials(result)).toEqual([]);
    expect(result.checks.length).toBeGreaterThan(100);
  });

  it("the launch role may read the template copy in Service Catalog's bucket", () => {
    const { action, resource, context: requestContext } = SERVICE_CATALOG_TEMPLATE_COPY;
    expect(isAllowed(deployment.launchRole.policies, action, resource, requestContext)).toBe(true);
    // ...and only objects Service Catalog tagged for provisioning.
    expect(isAllowed(deployment.launchRole.policies, action, resource, {})).toBe(false);
  });

  if (variant === 'codecommit') {
    it('the CloudFormation service role may create, update, delete and read every resource of the branch template', () => {
      const { branch, cloudFormationRole } = deployment;
      if (!branch || !cloudFormationRole) throw new Error('the codecommit variant has a branch template');
      const result = checkTemplate(branch, cloudFormationRole.policies);
      record(`branch template, CloudFormation service role`, result);
      expect(result.unplaced).toEqual([]);
      expect(denials(result)).toEqual([]);
      expect(result.checks.length).toBeGreaterThan(20);
    });
  }

  it("fails on a key of a stack Service Catalog did not provision (the key's aws:cloudformation:stack-name tag)", () => {
    const product = deployment.product;
    const elsewhere = new DeployedTemplate({
      template: product.template,
      stackName: 'other-stack',
      account: product.account,
      region: product.region,
      parameters: { SageMakerProjectName: 'churn', SageMakerProjectId: 'p-abcdef123456' },
    });
    const keyId = Object.keys(product.template.Resources).find((id) => id.startsWith('AlarmTopicKey'));
    expect(keyId).toBeDefined();
    const onKey = (result: OracleResult) => result.checks.filter((c) => c.logicalId === keyId);
    const here = onKey(checkTemplate(product, deployment.launchRole.policies));
    expect(here.find((c) => c.action === 'kms:PutKeyPolicy' && c.handler === 'update')?.context).toEqual({
      'aws:ResourceTag/aws:cloudformation:stack-name': product.stackName,
    });
    expect(here.every((c) => c.allowed)).toBe(true);
    const denied = onKey(checkTemplate(elsewhere, deployment.launchRole.policies)).filter((c) => !c.allowed);
    // Everything but kms:CreateKey (no resource-level permission) is denied on the other stack's key.
    expect([...new Set(denied.map((c) => c.action))].sort()).toEqual(
      [...new Set(here.map((c) => c.action))].filter((a) => a !== 'kms:CreateKey').sort(),
    );
  });

  it('fails when a required action is missing (events:ListTargetsByRule denied)', () => {
    const deny: PolicyDocument = {
      Statement: [{ Effect: 'Deny', Action: 'events:ListTargetsByRule', Resource: '*' }],
    };
    const result = checkTemplate(deployment.product, [...deployment.launchRole.policies, deny]);
    const denied = denials(result);
    expect(denied.length).toBeGreaterThan(0);
    expect(denied.every((line) => line.includes('events:ListTargetsByRule'))).toBe(true);
    expect(denied.some((line) => / delete: events:ListTargetsByRule /.test(line))).toBe(true);
  });

  it('fails when a property that needs an excused action is set (a KMS key on a function)', () => {
    const functionId = Object.keys(deployment.product.template.Resources).find(
      (id) => deployment.product.resource(id).Type === 'AWS::Lambda::Function',
    );
    if (!functionId) throw new Error('no function');
    const template = structuredClone(deployment.product.template) as typeof deployment.product.template;
    const fn = template.Resources[functionId];
    if (!fn?.Properties) throw new Error('no function properties');
    fn.Properties.KmsKeyArn = 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const changed = new DeployedTemplate({
      template,
      stackName: deployment.product.stackName,
      account: deployment.product.account,
      region: deployment.product.region,
      parameters: { SageMakerProjectName: 'churn', SageMakerProjectId: 'p-abcdef123456' },
    });
    const result = checkTemplate(changed, deployment.launchRole.policies);
    expect(result.unplaced).toEqual([]);
    const denied = denials(result);
    expect(denied).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`${functionId} (AWS::Lambda::Function) create: kms:CreateGrant`),
      ]),
    );
  });

  it('fails on a resource type it has no rules for', () => {
    const template = structuredClone(deployment.product.template) as typeof deployment.product.template;
    template.Resources.Unknown = { Type: 'AWS::Glue::Database', Properties: {} };
    const changed = new DeployedTemplate({
      template,
      stackName: deployment.product.stackName,
      account: deployment.product.account,
      region: deployment.product.region,
      parameters: { SageMakerProjectName: 'churn', SageMakerProjectId: 'p-abcdef123456' },
    });
    expect(checkTemplate(changed, deployment.launchRole.policies).unplaced).toEqual([
      'Unknown: type AWS::Glue::Database has no rules in test/support/deploy-oracle.ts',
    ]);
  });
});
