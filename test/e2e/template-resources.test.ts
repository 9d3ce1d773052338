import { CfnTemplate, TemplateResources, UnsupportedTemplateValueError } from './support/template-resources';

// Only values that need no emulator call: parameters, pseudo parameters, names the resolver derives.
const template: CfnTemplate = {
  Parameters: { ProjectName: { Type: 'String' }, Stage: { Type: 'String', Default: 'dev' } },
  Resources: {
    Repo: {
      Type: 'AWS::CodeCommit::Repository',
      Properties: { RepositoryName: { 'Fn::Sub': 'model-${ProjectName}' } },
    },
    Topic: { Type: 'AWS::SNS::Topic' },
  },
};
const options = {
  template,
  parameters: { ProjectName: 'churn' },
  stackName: 'SC-123456789012-pp-test',
  account: '123456789012',
  region: 'eu-west-1',
  endpoint: 'http://127.0.0.1:1',
};

describe('template resolver', () => {
  it('resolves Ref, Fn::Join, Fn::Sub and Fn::GetAtt the way CloudFormation does', async () => {
    const resources = new TemplateResources(options);
    await expect(
      resources.resolve({
        url: { 'Fn::Join': ['', ['https://b.s3.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/k']] },
        sub: { 'Fn::Sub': ['${ProjectName}-${Stage}-${X}-${AWS::AccountId}', { X: { Ref: 'AWS::Partition' } }] },
        list: [{ Ref: 'ProjectName' }, 'literal', 3],
        arn: { 'Fn::GetAtt': ['Repo', 'Arn'] },
        name: { 'Fn::GetAtt': 'Repo.Name' },
      }),
    ).resolves.toEqual({
      url: 'https://b.s3.eu-west-1.amazonaws.com/k',
      sub: 'churn-dev-aws-123456789012',
      list: ['churn', 'literal', 3],
      arn: 'arn:aws:codecommit:eu-west-1:123456789012:model-churn',
      name: 'model-churn',
    });
  });

  it('rejects a reference to a resource type it cannot create in the emulator, naming the resource', async () => {
    const resources = new TemplateResources(options);
    await expect(resources.resolve({ Ref: 'Topic' })).rejects.toThrow(
      new UnsupportedTemplateValueError(
        'Topic (AWS::SNS::Topic) is referenced but the e2e resolver cannot create it in the emulator',
      ),
    );
    await expect(resources.resolve({ Ref: 'Missing' })).rejects.toThrow(/the template has no resource Missing/);
    await expect(resources.resolve({ 'Fn::GetAtt': ['Repo', 'CloneUrlSsh'] })).rejects.toThrow(
      /Repo\.CloneUrlSsh is not known/,
    );
    await expect(resources.resolve({ 'Fn::ImportValue': 'x' })).rejects.toThrow(/Fn::ImportValue is not supported/);
  });

  it('rejects a template parameter without a value or default', () => {
    expect(() => new TemplateResources({ ...options, parameters: {} })).toThrow(
      new UnsupportedTemplateValueError('template parameter ProjectName needs a value'),
    );
  });
});
