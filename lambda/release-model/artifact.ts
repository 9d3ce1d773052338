/**
 * The immutable approved artifact: on approval the model artifact (the first container's ModelDataUrl) is copied to
 * `approved-artifacts/<group>/<version>/<file>` in the project's artifact bucket, a prefix the bucket policy lets
 * only the release function's role write or delete (lib/constructs/artifact-bucket.ts). The copy's S3 version id and
 * the sha256 of its bytes (read back from that exact version, not trusted from any header) are recorded on the model
 * version as customer metadata `approved_artifact_uri`, `approved_artifact_version_id`, `approved_artifact_sha256`,
 * which the serving side deploys from and checks. The original ModelDataUrl is left as it is.
 *
 * Limits: CopyObject copies objects up to 5 GB; the artifact must be in the project's artifact bucket.
 */
import { createHash } from 'node:crypto';
import { CopyObjectCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeModelPackageCommandOutput } from '@aws-sdk/client-sagemaker';
import { S3_URI_PATTERN } from '../../contracts/patterns';
import { APPROVED_ARTIFACT_PREFIX } from './config';
import { NotApprovableError } from './errors';

/** Customer metadata keys of the approved artifact (read by the serving side). */
export const APPROVED_ARTIFACT_KEYS = {
  uri: 'approved_artifact_uri',
  versionId: 'approved_artifact_version_id',
  sha256: 'approved_artifact_sha256',
} as const;

/** S3 actions of this module: read the source, write the copy (under the approved prefix only). */
export const ARTIFACT_COPY_ACTIONS = { read: ['s3:GetObject', 's3:GetObjectVersion'], write: ['s3:PutObject'] };

export interface ApprovedArtifact {
  readonly uri: string;
  readonly versionId: string;
  readonly sha256: string;
}

/** `s3://bucket/key` → parts, or undefined. */
export function parseS3Uri(uri: string): { bucket: string; key: string } | undefined {
  const match = S3_URI_PATTERN.exec(uri);
  return match ? { bucket: match[1] as string, key: match[2] as string } : undefined;
}

/** Where a version's artifact is kept once approved. */
export function approvedKey(group: string, version: number, sourceKey: string): string {
  const file = sourceKey.split('/').pop() || 'model.tar.gz';
  return `${APPROVED_ARTIFACT_PREFIX}${group}/${version}/${file}`;
}

/** Copies the version's artifact to the approved prefix and returns the copy's URI, version id and sha256. */
export async function copyApprovedArtifact(
  s3: S3Client,
  pkg: Pick<
    DescribeModelPackageCommandOutput,
    'ModelPackageArn' | 'ModelPackageGroupName' | 'ModelPackageVersion' | 'InferenceSpecification'
  >,
  artifactBucket: string,
): Promise<ApprovedArtifact> {
  const url = pkg.InferenceSpecification?.Containers?.[0]?.ModelDataUrl;
  const source = url === undefined ? undefined : parseS3Uri(url);
  if (source === undefined) {
    throw new NotApprovableError(
      `model version ${pkg.ModelPackageArn ?? '?'} has no s3:// ModelDataUrl (${url ?? 'none'}): nothing to keep immutable`,
    );
  }
  if (source.bucket !== artifactBucket) {
    throw new NotApprovableError(
      `model version ${pkg.ModelPackageArn ?? '?'} has its artifact in bucket ${source.bucket}, not the project's ` +
        `artifact bucket ${artifactBucket}: only artifacts of the project's own runs are approved`,
    );
  }
  const key = approvedKey(pkg.ModelPackageGroupName ?? 'group', pkg.ModelPackageVersion ?? 0, source.key);
  const copied = await s3.send(
    new CopyObjectCommand({
      Bucket: artifactBucket,
      Key: key,
      CopySource: `${source.bucket}/${source.key.split('/').map(encodeURIComponent).join('/')}`,
      MetadataDirective: 'COPY',
    }),
  );
  const versionId = copied.VersionId;
  if (versionId === undefined) {
    throw new Error(`S3 returned no version id for the copy s3://${artifactBucket}/${key}: is the bucket versioned?`);
  }
  const object = await s3.send(new GetObjectCommand({ Bucket: artifactBucket, Key: key, VersionId: versionId }));
  const hash = createHash('sha256');
  const body = object.Body as AsyncIterable<Uint8Array> | undefined;
  if (body === undefined) throw new Error(`S3 returned no body for s3://${artifactBucket}/${key} (${versionId})`);
  for await (const chunk of body) hash.update(chunk);
  return { uri: `s3://${artifactBucket}/${key}`, versionId, sha256: hash.digest('hex') };
}
