/**
 * The synthesized project template's side of the release gate (issue 10): the bucket policy that keeps approved
 * artifacts immutable (attack 7), the commit index only the release function writes (attack 14), and the opt-in
 * approval on a push to main (attack 4's release side).
 *
 * What these cannot prove: that IAM evaluates the statements as intended (no IAM here); they check the statements'
 * exact shape, which IAM's documented evaluation (an explicit Deny wins over any Allow) then decides.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { appTemplates, BuiltTemplates, removeApp } from '../support/app';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = Record<string, unknown>;

let built: BuiltTemplates;
let template: Template;

beforeAll(() => {
  built = appTemplates();
  template = built.productTemplate;
});
afterAll(() => removeApp(built));

function resources(type: string): [string, Resource][] {
  return Object.entries(template.findResources(type) as Record<string, Resource>);
}

function releaseRoleId(): string {
  const [, fn] = resources('AWS::Lambda::Function').find(([id]) => id.startsWith('ReleaseAutomation')) ?? [];
  const role = (fn?.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return role;
}

describe('the release gate in the project template', () => {
  it('attack 7: denies writes and deletes under approved-artifacts/ to every principal but the release role', () => {
    const [[, policy] = []] = resources('AWS::S3::BucketPolicy');
    const statements = (policy?.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
    const deny = statements.find((s) => s.Sid === 'OnlyTheReleaseFunctionWritesApprovedArtifacts');
    expect(deny).toEqual({
      Sid: 'OnlyTheReleaseFunctionWritesApprovedArtifacts',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: [
        's3:DeleteObject',
        's3:DeleteObjectTagging',
        's3:DeleteObjectVersion',
        's3:PutObject',
        's3:PutObjectLegalHold',
        's3:PutObjectRetention',
        's3:PutObjectTagging',
      ],
      Resource: {
        'Fn::Join': ['', [expect.objectContaining({ 'Fn::GetAtt': expect.any(Array) }), '/approved-artifacts/*']],
      },
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [releaseRoleId(), 'Arn'] } } },
    });
    // the bucket stays SSL-only, encrypted and versioned (the copy's version id is what serving pins)
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    const [[, bucket] = []] = resources('AWS::S3::Bucket');
    expect(bucket?.Properties).toMatchObject({
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: { ServerSideEncryptionConfiguration: [expect.anything()] },
    });
  });

  it('attack 14: the commit index is keyed commit + version, and denies writes to every principal but the release role', () => {
    const [, index] = resources('AWS::DynamoDB::Table').find(([id]) => id.includes('CommitIndexTable')) ?? [];
    expect(index?.Properties).toMatchObject({
      KeySchema: [
        { AttributeName: 'commitId', KeyType: 'HASH' },
        { AttributeName: 'modelPackageArn', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      ResourcePolicy: {
        PolicyDocument: {
          Statement: [
            {
              Sid: 'OnlyTheReleaseFunctionWritesTheIndex',
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
              Resource: '*',
              Condition: { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [releaseRoleId(), 'Arn'] } } },
            },
          ],
        },
      },
    });
    // and no other role of the project is granted any write on it
    const indexId = resources('AWS::DynamoDB::Table').find(([id]) => id.includes('CommitIndexTable'))?.[0] ?? '';
    for (const [, policy] of resources('AWS::IAM::Policy')) {
      const roles = JSON.stringify(policy.Properties.Roles);
      const mentions = JSON.stringify(policy.Properties.PolicyDocument).includes(indexId);
      if (mentions) expect(roles).toContain(releaseRoleId());
    }
  });

  it('attack 4 (release side): a push to main approves only with context approveOnPushToMain', () => {
    const env = (fn: Resource | undefined) =>
      (fn?.Properties.Environment as { Variables: Record<string, unknown> }).Variables.APPROVE_ON_PUSH_TO_MAIN;
    const release = () => resources('AWS::Lambda::Function').find(([id]) => id.startsWith('ReleaseAutomation'))?.[1];
    expect(env(release())).toBe('false');
    const optedIn = appTemplates({ context: { approveOnPushToMain: true } });
    try {
      const [, fn] =
        Object.entries(optedIn.productTemplate.findResources('AWS::Lambda::Function') as Record<string, Resource>).find(
          ([id]) => id.startsWith('ReleaseAutomation'),
        ) ?? [];
      expect(env(fn)).toBe('true');
    } finally {
      removeApp(optedIn);
    }
  });

  it('tags the model package group with the project (contract 1: readers accept a group by tag only)', () => {
    const [[, group] = []] = resources('AWS::SageMaker::ModelPackageGroup');
    expect(group?.Properties.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'sagemaker:project-id', Value: { Ref: 'SageMakerProjectId' } },
        { Key: 'sagemaker:project-name', Value: { Ref: 'SageMakerProjectName' } },
      ]),
    );
  });
});
