import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import {
  NO_STUDIO_PRINCIPALS_WARNING,
  STUDIO_VISIBILITY_TAG,
  TRAINING_IMAGE_REPOSITORY_NAME,
} from '../../lib/baseline-stack';
import { EVENT_RULE_ACTIONS } from '../../lib/constructs/iam';
import { BuiltApp, buildApp, removeApp, TEST_ACCOUNT, TEST_REGION } from '../support/app';

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Effect: string };

function statementsOf(built: BuiltApp, policyIdPrefix: string): Statement[] {
  const policies = built.baselineTemplate.findResources('AWS::IAM::Policy');
  const entry = Object.entries(policies).find(([id]) => id.startsWith(policyIdPrefix));
  if (entry === undefined) throw new Error(`no policy ${policyIdPrefix}`);
  return (entry[1] as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
    .Statement;
}

const actionsOf = (statement: Statement) => [statement.Action].flat();

describe('BaselineStack', () => {
  let built: BuiltApp;
  const principals = [
    'arn:aws:iam::111111111111:role/DataScientist',
    'arn:aws:iam::111111111111:role/service-role/AmazonSageMaker-ExecutionRole-1',
  ];

  beforeAll(() => {
    built = buildApp({ context: { studioPrincipalArns: principals } });
  });
  afterAll(() => removeApp(built));

  it('outputs what an operator needs next: portfolio, product, version, launch role, buckets and images', () => {
    const outputs = built.baselineTemplate.findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual([
      'AssetBucketName',
      'LaunchRoleArn',
      'PortfolioId',
      'ProductId',
      'ProductVersion',
      'TrainingImageRepositoryUri',
    ]);
    built.baselineTemplate.hasOutput('PortfolioId', { Value: { Ref: Match.stringLikeRegexp('^Portfolio') } });
    built.baselineTemplate.hasOutput('ProductId', { Value: { Ref: Match.stringLikeRegexp('^Product') } });
  });

  it('gives no warning about Studio principals when some are configured', () => {
    Annotations.fromStack(built.baseline).hasNoWarning('*', Match.stringLikeRegexp('studioPrincipalArns'));
  });

  it('warns at synth, naming the key, when no Studio principal would see the product', () => {
    const bare = buildApp({ context: { studioPrincipalArns: [] } });
    try {
      Annotations.fromStack(bare.baseline).hasWarning(
        '*',
        Match.stringLikeRegexp('Context key "studioPrincipalArns" is empty'),
      );
      expect(NO_STUDIO_PRINCIPALS_WARNING).toContain('-c studioPrincipalArns=arn:aws:iam::<account>:role/');
    } finally {
      removeApp(bare);
    }
  });

  it('deploys to the configured account and region', () => {
    expect(built.baseline.account).toBe(TEST_ACCOUNT);
    expect(built.baseline.region).toBe(TEST_REGION);
  });

  it('tags the product so that SageMaker Studio lists it', () => {
    built.baselineTemplate.hasResourceProperties('AWS::ServiceCatalog::CloudFormationProduct', {
      Tags: Match.arrayWith([{ Key: STUDIO_VISIBILITY_TAG.key, Value: 'true' }]),
    });
  });

  it('publishes the project template as a named product version, not a replacement product', () => {
    const products = built.baselineTemplate.findResources('AWS::ServiceCatalog::CloudFormationProduct');
    expect(Object.keys(products)).toHaveLength(1);
    const product = Object.values(products)[0] as { Properties: Record<string, unknown>; DependsOn?: string[] };
    expect(product.Properties.ReplaceProvisioningArtifacts).toBeUndefined();
    expect(product.Properties.ProvisioningArtifactParameters).toEqual([
      expect.objectContaining({ Name: expect.stringMatching(/^v\d+\.\d+\.\d+/) }),
    ]);
    // The version is published only after its assets are in the asset bucket.
    expect(product.DependsOn?.some((id) => id.startsWith('AssetsBucketProductAssetsDeployment'))).toBe(true);
  });

  it('keeps the version snapshot where the history directory says', () => {
    const files = fs.readdirSync(`${built.outdir}/product-stack-snapshots`);
    expect(files).toEqual([expect.stringMatching(/\.v\d+\.\d+\.\d+\.product\.template\.json$/)]);
  });

  it('constrains launches to the launch role, which only Service Catalog can assume', () => {
    const roles = built.baselineTemplate.findResources('AWS::IAM::Role', {
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Principal: { Service: 'servicecatalog.amazonaws.com' } })],
        },
      },
    });
    const launchRoleIds = Object.keys(roles);
    expect(launchRoleIds).toHaveLength(1);
    built.baselineTemplate.resourceCountIs('AWS::ServiceCatalog::LaunchRoleConstraint', 1);
    built.baselineTemplate.hasResourceProperties('AWS::ServiceCatalog::LaunchRoleConstraint', {
      RoleArn: { 'Fn::GetAtt': [launchRoleIds[0], 'Arn'] },
      PortfolioId: { Ref: Match.stringLikeRegexp('^Portfolio') },
      ProductId: { Ref: Match.stringLikeRegexp('^Product') },
    });
  });

  it('gives the launch role no wildcard action and no AWS managed policy', () => {
    built.baselineTemplate.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'servicecatalog.amazonaws.com' } })],
      }),
      ManagedPolicyArns: Match.absent(),
    });
    const statements = statementsOf(built, 'LaunchRoleDefaultPolicy');
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      for (const action of actionsOf(statement)) expect(action).not.toMatch(/\*/);
    }
  });

  it('lets the launch role manage and pass only roles under the product role path', () => {
    const statements = statementsOf(built, 'LaunchRoleDefaultPolicy');
    const iamStatements = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('iam:')));
    expect(iamStatements.length).toBeGreaterThan(0);
    for (const statement of iamStatements) {
      expect(JSON.stringify(statement.Resource)).toContain(':role/multibranch-mlops/*');
    }
    const passRole = iamStatements.find((s) => actionsOf(s).includes('iam:PassRole'));
    expect(passRole?.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': ['lambda.amazonaws.com', 'codebuild.amazonaws.com'] },
    });
  });

  it('lets the launch role manage rules with the same EventBridge actions as the branch stacks (one shared list)', () => {
    const statements = statementsOf(built, 'LaunchRoleDefaultPolicy');
    const rules = statements.find((s) => actionsOf(s).includes('events:PutRule'));
    expect(rules).toBeDefined();
    expect([rules?.Action].flat().sort()).toEqual([...EVENT_RULE_ACTIONS].sort());
    expect(JSON.stringify(rules?.Resource)).toContain(':rule/SC-*');
  });

  it('lets the launch role read the product assets, not write them', () => {
    const statements = statementsOf(built, 'LaunchRoleDefaultPolicy');
    const s3Actions = statements.filter((s) => JSON.stringify(s.Resource).includes('AssetsBucket')).flatMap(actionsOf);
    expect(s3Actions).toEqual(['s3:GetObject']);
  });

  it('associates each configured principal with the portfolio', () => {
    built.baselineTemplate.resourceCountIs('AWS::ServiceCatalog::PortfolioPrincipalAssociation', principals.length);
    for (const arn of principals) {
      built.baselineTemplate.hasResourceProperties('AWS::ServiceCatalog::PortfolioPrincipalAssociation', {
        PrincipalARN: arn,
        PrincipalType: 'IAM',
      });
    }
  });

  it('creates the training image repository with scan on push and a lifecycle policy', () => {
    built.baselineTemplate.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryName: TRAINING_IMAGE_REPOSITORY_NAME,
      ImageScanningConfiguration: { ScanOnPush: true },
      ImageTagMutability: 'IMMUTABLE',
      LifecyclePolicy: { LifecyclePolicyText: Match.stringLikeRegexp('untagged') },
    });
  });

  it('keeps the asset bucket encrypted, versioned, private and retained', () => {
    const name = `multibranch-mlops-assets-${TEST_ACCOUNT}-${TEST_REGION}`;
    built.baselineTemplate.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        BucketName: name,
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      }),
      DeletionPolicy: 'Retain',
    });
  });

  it('denies requests to the asset bucket that do not use SSL', () => {
    built.baselineTemplate.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^AssetsBucket') },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('hard-codes no account or region in the product template', () => {
    const product = JSON.stringify(built.productTemplate.toJSON());
    // The asset bucket's name is the only place the account and region appear (ProductStack needs a literal name).
    const withoutAssetBucket = product.split(`multibranch-mlops-assets-${TEST_ACCOUNT}-${TEST_REGION}`).join('');
    expect(withoutAssetBucket).not.toContain(TEST_ACCOUNT);
    expect(withoutAssetBucket).not.toContain(TEST_REGION);
  });
});

describe('BaselineStack product versions', () => {
  const built: BuiltApp[] = [];
  let snapshots: string;
  beforeEach(() => {
    snapshots = fs.mkdtempSync(path.join(os.tmpdir(), 'mbm-snapshots-'));
  });
  afterEach(() => {
    built.splice(0).forEach(removeApp);
    fs.rmSync(snapshots, { recursive: true, force: true });
  });

  it('keeps an earlier version in the product, from its snapshot, next to the new one', () => {
    built.push(buildApp({ context: { productVersion: 'v1' }, snapshotDirectory: snapshots }));
    const next = buildApp({
      context: { productVersion: 'v2', retainedProductVersions: ['v1'], mainBranch: 'trunk' },
      snapshotDirectory: snapshots,
    });
    built.push(next);
    next.baselineTemplate.hasResourceProperties('AWS::ServiceCatalog::CloudFormationProduct', {
      ProvisioningArtifactParameters: [Match.objectLike({ Name: 'v1' }), Match.objectLike({ Name: 'v2' })],
    });
  });

  it('rejects a changed template under a locked version name', () => {
    built.push(
      buildApp({ context: { productVersion: 'v1', productVersionLocked: true }, snapshotDirectory: snapshots }),
    );
    expect(() =>
      buildApp({
        context: { productVersion: 'v1', productVersionLocked: true, mainBranch: 'trunk' },
        snapshotDirectory: snapshots,
      }),
    ).toThrow(/Template has changed for ProductStack Version v1/);
  });

  it('rejects retaining a version that has no snapshot', () => {
    expect(() =>
      buildApp({ context: { productVersion: 'v2', retainedProductVersions: ['v1'] }, snapshotDirectory: snapshots }),
    ).toThrow(/cannot be found/);
  });
});
