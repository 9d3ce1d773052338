/**
 * The project's one artifact bucket: pipeline artifacts of every branch and the model artifacts SageMaker writes.
 * Retained when the project (and its stack) is deleted, so model artifacts are never lost.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { SECURE_RETAINED_BUCKET_PROPS } from './secure-bucket';
import { acknowledgeRule, acknowledgeWildcards, nagResource } from './nag';

export class ArtifactBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // Retained, versions never expire: model artifacts are never lost with the project.
    this.bucket = new s3.Bucket(this, 'Bucket', SECURE_RETAINED_BUCKET_PROPS);
    acknowledgeRule(
      this.bucket,
      'S1',
      "Only the project's own roles can reach the bucket (SSL-only, public access blocked); server access logs would " +
        'need a second bucket per project. Use CloudTrail S3 data events where object-level audit is required.',
    );
  }
}

/** Object actions the pipeline, its build and SageMaker jobs need on artifacts: read, write, no delete. */
export const ARTIFACT_OBJECT_ACTIONS = [
  's3:GetObject',
  's3:GetObjectVersion',
  's3:PutObject',
  's3:AbortMultipartUpload',
];
export const ARTIFACT_BUCKET_ACTIONS = ['s3:ListBucket', 's3:GetBucketLocation', 's3:GetBucketVersioning'];

/**
 * Read and write access to the artifacts, without the wildcard actions (and the delete actions) of
 * `grantReadWrite`.
 */
export function grantArtifactReadWrite(bucket: s3.Bucket, grantee: iam.IGrantable & IConstruct): iam.Grant {
  acknowledgeWildcards(grantee, {
    [nagResource(grantee, bucket.arnForObjects('*'))]:
      "Artifacts have keys chosen at run time (pipeline executions, jobs); access is limited to this project's bucket.",
  });
  return iam.Grant.addToPrincipal({
    grantee,
    actions: [...ARTIFACT_BUCKET_ACTIONS, ...ARTIFACT_OBJECT_ACTIONS],
    resourceArns: [bucket.bucketArn, bucket.arnForObjects('*')],
  });
}

/** Object actions that write or remove an object, denied on approved artifacts to all but the release role. */
export const APPROVED_ARTIFACT_DENIED_ACTIONS = [
  's3:PutObject',
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:PutObjectTagging',
  's3:DeleteObjectTagging',
  's3:PutObjectRetention',
  's3:PutObjectLegalHold',
];

/**
 * Makes `prefix` of the bucket writable by `writer` only: a bucket policy statement denies every write and delete
 * under it to every other principal (`aws:PrincipalArn` is the role ARN for the role's sessions), whatever their
 * identity policies allow. The bucket keeps its SSL-only, encrypted, versioned settings.
 */
export function restrictPrefixToWriter(bucket: s3.IBucket, prefix: string, writer: iam.IRole): void {
  bucket.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'OnlyTheReleaseFunctionWritesApprovedArtifacts',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: APPROVED_ARTIFACT_DENIED_ACTIONS,
      resources: [bucket.arnForObjects(`${prefix}*`)],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': writer.roleArn } },
    }),
  );
}
