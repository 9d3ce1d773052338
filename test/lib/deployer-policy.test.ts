/**
 * The baseline's deployer (docs/deploying.md): docs/deployer-policy.json, meant as the CloudFormation execution
 * policy of the CDK bootstrap (`cdk bootstrap --cloudformation-execution-policies`), must let CloudFormation create,
 * update, delete and read every resource of the baseline template, checked by the deploy-time oracle
 * (test/support/deploy-oracle.ts: AWS's published handler permissions, hand lists for the types without them), with
 * the studioPrincipalArns association included.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/seed-code';
import { appTemplates, removeApp } from '../support/app';
import { checkTemplate, denials, summary } from '../support/deploy-oracle';
import { deploymentOf } from '../support/deployment';
import type { PolicyDocument } from '../support/iam-policy';

const POLICY_FILE = path.join(PROJECT_ROOT, 'docs', 'deployer-policy.json');

describe('deployer policy (docs/deployer-policy.json) against the baseline template', () => {
  const policy = JSON.parse(fs.readFileSync(POLICY_FILE, 'utf8')) as PolicyDocument;
  let result: ReturnType<typeof checkTemplate>;
  beforeAll(() => {
    const built = appTemplates({ context: { studioPrincipalArns: ['arn:aws:iam::111111111111:role/DataScientist'] } });
    try {
      result = checkTemplate(deploymentOf(built).baseline, [policy]);
    } finally {
      removeApp(built);
    }
  });

  it('lets CloudFormation create, update, delete and read every baseline resource', () => {
    expect(result.unplaced).toEqual([]);
    expect(denials(result)).toEqual([]);
    expect(summary(result).resources).toBeGreaterThanOrEqual(12);
  });

  it('uses no "*" action and no service wildcard', () => {
    const statements = [policy.Statement].flat();
    for (const s of statements) for (const a of [s.Action ?? []].flat()) expect(a).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
  });

  it('fails without one of its actions', () => {
    const deny: PolicyDocument = {
      Statement: [{ Effect: 'Deny', Action: 'servicecatalog:CreateConstraint', Resource: '*' }],
    };
    const built = appTemplates();
    try {
      expect(denials(checkTemplate(deploymentOf(built).baseline, [policy, deny]))).toEqual([
        expect.stringContaining('(AWS::ServiceCatalog::LaunchRoleConstraint) create: servicecatalog:CreateConstraint'),
      ]);
    } finally {
      removeApp(built);
    }
  });
});
