import { loadBranchPipelineConfig } from '../../../lambda/branch-pipeline/config';
import { ValidationError } from '../../../contracts/errors';
import { CONFIG, ENV } from './support';

describe('branch function configuration', () => {
  it('reads every variable, with the default deletion wait', () => {
    expect(loadBranchPipelineConfig({ ...ENV })).toEqual(CONFIG);
  });

  it('reads STACK_DELETE_WAIT_SECONDS', () => {
    expect(loadBranchPipelineConfig({ ...ENV, STACK_DELETE_WAIT_SECONDS: '0' }).stackDeleteWaitSeconds).toBe(0);
  });

  it.each(Object.keys(ENV))('rejects a missing %s, naming it', (name) => {
    const env: NodeJS.ProcessEnv = { ...ENV };
    delete env[name];
    expect(() => loadBranchPipelineConfig(env)).toThrow(
      expect.objectContaining({ name: ValidationError.name, message: expect.stringContaining(`${name}: is required`) }),
    );
  });

  it.each([
    ['PROJECT_NAME', 'my_project', /PROJECT_NAME: must match/],
    ['PROJECT_NAME', `a${'-'.repeat(40)}b`, /PROJECT_NAME: .*at most 32/],
    ['PROJECT_ID', 'p_1', /PROJECT_ID: must be a SageMaker project id/],
    ['REPOSITORY_NAME', 'has space', /REPOSITORY_NAME: must be a CodeCommit repository name/],
    ['BRANCH_PREFIX', 'refs/heads/experiment/', /BRANCH_PREFIX: must be the start of a short branch name/],
    ['PIPELINE_TEMPLATE_URL', 'http://bucket.s3.amazonaws.com/t.json', /PIPELINE_TEMPLATE_URL: must be the https URL/],
    ['PIPELINE_TEMPLATE_URL', 'not a url', /PIPELINE_TEMPLATE_URL: must be the https URL/],
    ['CLOUDFORMATION_ROLE_ARN', 'fraud-role', /CLOUDFORMATION_ROLE_ARN: must be an IAM role ARN/],
    ['PIPELINE_STACK_PARAMETERS', '{"ProjectName":', /PIPELINE_STACK_PARAMETERS: is not valid JSON/],
    ['PIPELINE_STACK_PARAMETERS', '{"ProjectName":1}', /PIPELINE_STACK_PARAMETERS: must be a JSON object whose values/],
    ['PIPELINE_STACK_PARAMETERS', '{"BranchName":"x"}', /PIPELINE_STACK_PARAMETERS: must not set BranchName/],
    ['STACK_DELETE_WAIT_SECONDS', '1.5', /STACK_DELETE_WAIT_SECONDS: must be a whole number/],
    ['STACK_DELETE_WAIT_SECONDS', '900', /STACK_DELETE_WAIT_SECONDS: must be between 0 and 840 seconds/],
  ])('rejects %s=%j, naming it', (name, value, message) => {
    expect(() => loadBranchPipelineConfig({ ...ENV, [name]: value })).toThrow(message);
  });
});
