import { DeployConfig, loadDeployConfig } from '../../../lambda/deploy-model/config';
import { candidateProjects, routeEvent } from '../../../lambda/deploy-model/route';
import { ValidationError } from '../../../contracts/errors';
import { awsEvent } from '../../support/fixtures';

const config: DeployConfig = {
  stageName: 'qa',
  registryAccount: '123456789012',
  ownAccount: '123456789012',
  projects: [
    { name: 'churn', id: 'p-1' },
    { name: 'churn-v2', id: 'p-2' },
  ],
  servingBucket: 'serving',
  servingPrefix: 'models/',
  parameterPrefix: '/multibranch-mlops/serving/qa/',
  delaySeconds: 0,
  retainArtifacts: 5,
};

/** AWS's documented sample, as published (source twice: the array wins), moved to a served group. */
function sample(group: string, status: string, account = '123456789012'): Record<string, unknown> {
  const event = awsEvent<Record<string, unknown> & { detail: Record<string, unknown> }>(
    'sagemaker-model-package-state-change.json',
  );
  const arn = `arn:aws:sagemaker:us-east-2:${account}:model-package/${group}/2`;
  return {
    ...event,
    account,
    detail: { ...event.detail, ModelPackageGroupName: group, ModelPackageArn: arn, ModelApprovalStatus: status },
  };
}

describe('routeEvent', () => {
  it('parses the documented sample (source as an array) and builds the group ARN from the version ARN', () => {
    expect(routeEvent(sample('model-churn', 'Rejected'), config)).toEqual({
      action: 'resolve',
      eventId: '844e2571-85d4-695f-b930-0153b71dcb42',
      groupName: 'model-churn',
      groupArn: 'arn:aws:sagemaker:us-east-2:123456789012:model-package-group/model-churn',
      status: 'Rejected',
      version: 2,
      candidates: [{ name: 'churn', id: 'p-1' }],
    });
  });

  it('leaves an ambiguous name to the tag: model-churn-v2 may be churn\'s model "v2" or project churn-v2', () => {
    const request = routeEvent(sample('model-churn-v2', 'Approved'), config);
    expect(request).toMatchObject({ action: 'resolve', candidates: config.projects });
    expect(candidateProjects('model-churnx', config.projects)).toEqual([]);
  });

  it.each([
    [sample('model-churn', 'PendingManualApproval'), /approval status "PendingManualApproval"/],
    [sample('model-other', 'Approved'), /named after no served project/],
    [sample('model-churn', 'Approved', '999999999999'), /not the registry account/],
    [{ 'detail-type': 'Scheduled Event' }, /are not handled/],
  ])('ignores what this stage does not serve (%#)', (event, reason) => {
    const request = routeEvent(event, config);
    expect(request.action).toBe('ignore');
    expect(request.action === 'ignore' && request.reason).toMatch(reason);
  });

  it('ignores a version ARN of another group than the one the event names (forged)', () => {
    const event = sample('model-churn', 'Approved') as { detail: Record<string, unknown> };
    event.detail.ModelPackageArn = 'arn:aws:sagemaker:us-east-2:123456789012:model-package/model-churn-v2/1';
    expect(routeEvent(event, config)).toMatchObject({ action: 'ignore' });
  });

  it('rejects a state change that does not fit the documented shape, naming the field', () => {
    const event = sample('model-churn', 'Approved') as { detail: Record<string, unknown> };
    delete event.detail.ModelPackageArn;
    expect(() => routeEvent(event, config)).toThrow(ValidationError);
    expect(() => routeEvent(event, config)).toThrow(/detail\.ModelPackageArn/);
  });
});

describe('loadDeployConfig', () => {
  const env = {
    STAGE_NAME: 'qa',
    REGISTRY_ACCOUNT: '123456789012',
    OWN_ACCOUNT: '222222222222',
    SERVED_PROJECTS: '[{"name":"churn","id":"p-1"}]',
    SERVING_BUCKET: 'serving-bucket',
    SERVING_PREFIX: 'models/',
    PARAMETER_PREFIX: '/multibranch-mlops/serving/qa/',
  };

  it('reads the environment with its defaults', () => {
    expect(loadDeployConfig(env)).toMatchObject({ delaySeconds: 0, retainArtifacts: 5, ownAccount: '222222222222' });
  });

  it.each([
    [{ SERVED_PROJECTS: '[]' }, /SERVED_PROJECTS: must be a non-empty JSON array/],
    [{ SERVED_PROJECTS: '{' }, /SERVED_PROJECTS: is not valid JSON/],
    [{ RETAIN_ARTIFACTS: '1' }, /RETAIN_ARTIFACTS: must be between 2/],
    [{ DELAY_SECONDS: 'soon' }, /DELAY_SECONDS: must be a whole number of seconds/],
    [{ PARAMETER_PREFIX: 'no-slash' }, /PARAMETER_PREFIX: must be an SSM path/],
    [{ REGISTRY_ACCOUNT: undefined }, /REGISTRY_ACCOUNT/],
  ])('fails with the name of a bad variable (%#)', (change, message) => {
    expect(() => loadDeployConfig({ ...env, ...change })).toThrow(message);
  });
});
