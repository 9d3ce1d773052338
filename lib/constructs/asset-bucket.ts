/**
 * The bucket that holds the product's assets: the project template of each product version and what it
 * references (Lambda code, the repository seed code, the per-branch template). Service Catalog product stacks need
 * a literal bucket name, so the name is derived from the account and region the baseline is synthesized for.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { SECURE_RETAINED_BUCKET_PROPS } from './secure-bucket';
import { acknowledgeRule, acknowledgeWildcards, nagString } from './nag';

export interface AssetBucketProps {
  /**
   * The 12-digit account the baseline is synthesized for (context `account`), part of the bucket name. Must be
   * literal: Service Catalog product stacks need a literal bucket name.
   */
  readonly account: string;
  /** The region the baseline is synthesized for (context `region`), part of the bucket name; literal too. */
  readonly region: string;
}

export function assetBucketName(account: string, region: string): string {
  return `multibranch-mlops-assets-${account}-${region}`;
}

export class AssetBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: AssetBucketProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...SECURE_RETAINED_BUCKET_PROPS,
      // Provisioned projects keep referencing the assets of their product version: never delete them with the stack.
      bucketName: assetBucketName(props.account, props.region),
    });
    acknowledgeRule(
      this.bucket,
      'S1',
      'Holds only what cdk deploy writes (templates and code of product versions); the CloudFormation deployment ' +
        'history and CloudTrail record every change, server access logs would add a second bucket for no reader.',
    );
  }

  /**
   * Acknowledges the findings on the copy job that CDK adds for product stack assets (a BucketDeployment from the
   * CDK bootstrap bucket into this bucket, with CDK's singleton Lambda function). Call after the product stack exists.
   */
  acknowledgeProductAssetDeployment(): void {
    const deployment = this.bucket.node.tryFindChild('ProductAssetsDeployment');
    if (!(deployment instanceof s3deploy.BucketDeployment)) return;
    const stack = Stack.of(this);
    const handler = stack.node.children.find((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (handler === undefined) throw new Error('the BucketDeployment of the product assets has no handler function');
    const reason =
      "CDK's BucketDeployment (copies product assets from the CDK bootstrap bucket into the asset bucket): ";
    acknowledgeRule(handler, 'L1', `${reason}its runtime is chosen by aws-cdk-lib and updated with it.`);
    acknowledgeRule(
      handler,
      'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      `${reason}CDK attaches AWSLambdaBasicExecutionRole to its singleton function.`,
    );
    const policy = deployment.handlerRole.node.tryFindChild('DefaultPolicy');
    if (!(policy instanceof iam.Policy)) throw new Error('the BucketDeployment handler role has no default policy');
    const document = stack.resolve(policy.document.toJSON()) as { Statement: Array<Record<string, unknown>> };
    const findings: Record<string, string> = {};
    const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
    for (const statement of document.Statement) {
      for (const action of list(statement.Action)) {
        if (typeof action === 'string' && action.includes('*')) {
          findings[`Action::${action}`] = `${reason}CDK grants it read on the source and write on the target.`;
        }
      }
      for (const resource of list(statement.Resource)) {
        const rendered = nagString(this, resource as string);
        if (rendered.includes('*')) {
          findings[`Resource::${rendered}`] = `${reason}asset keys are content hashes known at deployment only.`;
        }
      }
    }
    acknowledgeWildcards(handler, findings);
  }
}
