/**
 * Issue 11, item 2: the seed's default run reads its input with the SageMaker execution role. SageMaker jobs do not
 * run here, so the role's synthesized policies are evaluated (test/support/iam-policy.ts) against the object the
 * default configuration names.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/seed-code';
import { buildApp, removeApp, TEST_REGION } from '../support/app';
import { rolePolicies } from '../support/cfn-template';
import { deploymentOf, roleTrusting } from '../support/deployment';
import { isAllowed, PolicyDocument } from '../support/iam-policy';

describe('SageMaker execution role and the default input', () => {
  let policies: PolicyDocument[];
  beforeAll(() => {
    const built = buildApp();
    try {
      const { product } = deploymentOf(built);
      policies = rolePolicies(product, roleTrusting(product, 'sagemaker.amazonaws.com'));
    } finally {
      removeApp(built);
    }
  });

  const defaultInput = (): string => {
    const config = JSON.parse(
      fs.readFileSync(path.join(PROJECT_ROOT, 'sagemaker-pipeline', 'pipeline.config.json'), 'utf8'),
    ) as { inputData: string };
    const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(config.inputData.replace('{region}', TEST_REGION));
    if (!match) throw new Error(`inputData ${config.inputData} is not an s3:// URI`);
    return `arn:aws:s3:::${match[1]}/${match[2]}`;
  };

  it('may read the default input of pipeline.config.json', () => {
    expect(defaultInput()).toBe('arn:aws:s3:::sagemaker-servicecatalog-seedcode-us-east-1/dataset/abalone-dataset.csv');
    expect(isAllowed(policies, 's3:GetObject', defaultInput())).toBe(true);
  });

  it('may not read other objects of that bucket, nor write there', () => {
    expect(
      isAllowed(policies, 's3:GetObject', 'arn:aws:s3:::sagemaker-servicecatalog-seedcode-us-east-1/other/x'),
    ).toBe(false);
    expect(isAllowed(policies, 's3:PutObject', defaultInput())).toBe(false);
  });
});
