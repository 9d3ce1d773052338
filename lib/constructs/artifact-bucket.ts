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
