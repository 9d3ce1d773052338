/**
 * Issue 11, item 2: the seed's default run reads its input with the SageMaker execution role. SageMaker jobs do not
 * run here, so the role's synthesized policies are evaluated (test/support/iam-policy.ts) against the object the
 * seed's pipeline.yaml names as its `s3:` data (parsed by the run command's own loader).
 */
import * as path from 'node:path';
import { SEED_SOURCE_DIR } from '../../lib/seed-code';
import { loadPipelineFile } from '../../sagemaker-pipeline/src/pipeline-file';
import { appTemplates, removeApp, TEST_REGION } from '../support/app';
import { rolePolicies } from '../support/cfn-template';
import { deploymentOf, roleTrusting } from '../support/deployment';
import { isAllowed, PolicyDocument } from '../support/iam-policy';

describe('SageMaker execution role and the default input', () => {
  let policies: PolicyDocument[];
  beforeAll(() => {
    const built = appTemplates();
    try {
      const { product } = deploymentOf(built);
      policies = rolePolicies(product, roleTrusting(product, 'sagemaker.amazonaws.com'));
    } finally {
      removeApp(built);
    }
  });

  const defaultInput = (): string => {
    const config = loadPipelineFile(path.join(SEED_SOURCE_DIR, 'pipeline.yaml'), SEED_SOURCE_DIR);
    const inputs = Object.values(config.spec.data as Record<string, { s3?: string }>)
      .map((entry) => entry.s3)
      .filter((uri): uri is string => uri !== undefined);
    expect(inputs).toHaveLength(1);
    const uri = (inputs[0] as string).replace('{region}', TEST_REGION);
    const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
    if (!match) throw new Error(`the data's s3 ${uri} is not an s3:// URI`);
    return `arn:aws:s3:::${match[1]}/${match[2]}`;
  };

  it('may read the default input of pipeline.yaml', () => {
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
