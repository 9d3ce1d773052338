/**
 * The serving bucket side: copy a version's approved artifact to its own key (never overwriting one), verify it,
 * and prune old keys. A multi-model endpoint may keep serving a cached copy of an overwritten key, so every version
 * gets a key of its own and a key, once written, is never written again.
 */
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { ConflictError } from '../../contracts/errors';
import { ApprovedVersion } from './resolve';
import { isS3ObjectNotFound } from '../../contracts/sdk-errors/s3';

/** Object metadata that ties a served key to the version it was copied from. */
export const META_MODEL_PACKAGE = 'model-package-arn';
export const META_SHA256 = 'sha256';

export type ServeOutcome = 'copied' | 'already-served';

function hexOfBase64(value: string): string {
  return Buffer.from(value, 'base64').toString('hex');
}

function copySource(version: ApprovedVersion): string {
  const { bucket, key, versionId } = version.artifact;
  const path = `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
  return versionId === undefined ? path : `${path}?versionId=${encodeURIComponent(versionId)}`;
}

/**
 * Makes `bucket/key` hold `version`'s artifact. An existing key copied from the same version is kept as it is
 * (repeated events); an existing key from anything else is a conflict, never overwritten. The copy is checked
 * against `approved_artifact_sha256` when the version has one; a mismatching copy is removed and the call fails.
 */
export async function ensureServed(
  s3: S3Client,
  bucket: string,
  key: string,
  version: ApprovedVersion,
): Promise<{ outcome: ServeOutcome; sha256: string | undefined }> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    const servedFrom = head.Metadata?.[META_MODEL_PACKAGE];
    if (servedFrom !== version.arn) {
      throw new ConflictError(
        `s3://${bucket}/${key} exists and was copied from ${servedFrom ?? 'an unknown source'}, not ${version.arn}: ` +
          'served keys are never overwritten; remove it by hand if it is wrong',
      );
    }
    return { outcome: 'already-served', sha256: head.Metadata?.[META_SHA256] };
  } catch (err) {
    if (!isS3ObjectNotFound(err)) throw err;
  }

  const copied = await s3.send(
    new CopyObjectCommand({
      Bucket: bucket,
      Key: key,
      CopySource: copySource(version),
      MetadataDirective: 'REPLACE',
      // No tags copied: reading and writing tags would need s3:GetObjectTagging and s3:PutObjectTagging.
      TaggingDirective: 'REPLACE',
      ChecksumAlgorithm: 'SHA256',
      ContentType: 'application/gzip',
      Metadata: {
        [META_MODEL_PACKAGE]: version.arn,
        'source-uri': `s3://${version.artifact.bucket}/${version.artifact.key}`,
        ...(version.artifact.versionId === undefined ? {} : { 'source-version-id': version.artifact.versionId }),
        ...(version.artifact.sha256 === undefined ? {} : { [META_SHA256]: version.artifact.sha256 }),
      },
    }),
  );
  const checksum = copied.CopyObjectResult?.ChecksumSHA256;
  const actual = checksum === undefined ? undefined : hexOfBase64(checksum);
  if (version.artifact.sha256 !== undefined && actual !== version.artifact.sha256) {
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    throw new ConflictError(
      `artifact of ${version.arn} (s3://${version.artifact.bucket}/${version.artifact.key}) has SHA-256 ` +
        `${actual ?? '(none reported)'}, not the approved ${version.artifact.sha256}: not served`,
    );
  }
  return { outcome: 'copied', sha256: actual };
}

/** Keys under `folder` in the serving bucket. */
export async function listServed(s3: S3Client, bucket: string, folder: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: folder, ContinuationToken: token }));
    for (const item of page.Contents ?? []) if (item.Key !== undefined) keys.push(item.Key);
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

/** Deletes served keys (the bucket keeps their noncurrent versions for its lifecycle's grace period). */
export async function deleteServed(s3: S3Client, bucket: string, keys: readonly string[]): Promise<void> {
  for (const key of keys) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}
