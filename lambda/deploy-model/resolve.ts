/**
 * Which approved version a stage serves, decided from the registry's state alone (never from the order events
 * arrive in), and where its artifact lives. Pure functions; the handler feeds them what the registry answered.
 *
 * Order: the current version of a model is the Approved, Completed version with the latest `LastModifiedTime`,
 * ties broken by the higher version number. SageMaker sets `LastModifiedTime` when a version is approved, so this
 * is "the version approved last": re-approving an old version makes it current again, and rejecting the current one
 * falls back to the one approved before it. Version numbers alone could not do the first (a re-approved v1 would
 * stay behind v2); event order could not survive duplicates and reordering. A later metadata change of an Approved
 * version also counts as approving it again (docs/serving.md says so).
 *
 * Stage delay: a version is eligible in a stage with delay D only when it has not changed for D (`LastModifiedTime
 * <= now - D`): it stayed Approved that long. A rejection meanwhile removes it from the Approved list altogether.
 */
import { ValidationError } from '../../contracts/errors';
import { S3_URI_PATTERN as S3_URI } from '../../contracts/patterns';

export const APPROVED = 'Approved';
export const REJECTED = 'Rejected';

/** Where a version's approved artifact is, as the release function recorded it (or the registered ModelDataUrl). */
export interface ArtifactSource {
  readonly bucket: string;
  readonly key: string;
  /** The S3 object version the release function pinned; absent for a ModelDataUrl fallback. */
  readonly versionId?: string;
  /** Lower-case hex SHA-256 of the tarball, verified on copy when present. */
  readonly sha256?: string;
  /** `approved-artifact` (CustomerMetadataProperties) or `model-data-url` (the fallback). */
  readonly from: 'approved-artifact' | 'model-data-url';
}

export interface ApprovedVersion {
  readonly arn: string;
  readonly version: number;
  readonly lastModified: Date;
  /** ModelPackageStatus: only `Completed` versions are served. */
  readonly packageStatus: string;
  readonly artifact: ArtifactSource;
}

export interface Resolution {
  /** The version to serve now, if any. */
  readonly current?: ApprovedVersion;
  /** Approved versions, newest approval first (eligible or not). */
  readonly ranked: readonly ApprovedVersion[];
  /** Approved versions newer than the current one that have not yet stayed Approved for the stage delay. */
  readonly waiting: readonly ApprovedVersion[];
}

/** Newest approval first; equal times: higher version first. */
export function rankApproved(versions: readonly ApprovedVersion[]): ApprovedVersion[] {
  return [...versions].sort((a, b) => b.lastModified.getTime() - a.lastModified.getTime() || b.version - a.version);
}

export function resolveCurrent(versions: readonly ApprovedVersion[], now: Date, delaySeconds: number): Resolution {
  const ranked = rankApproved(versions.filter((v) => v.packageStatus === 'Completed'));
  const matured = (v: ApprovedVersion) => v.lastModified.getTime() <= now.getTime() - delaySeconds * 1000;
  const index = ranked.findIndex(matured);
  return {
    current: index >= 0 ? ranked[index] : undefined,
    ranked,
    waiting: index >= 0 ? ranked.slice(0, index) : ranked,
  };
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function parseS3Uri(uri: string, what: string): { bucket: string; key: string } {
  const match = S3_URI.exec(uri);
  if (match === null) throw new ValidationError(`${what} ${JSON.stringify(uri)} is not an s3://<bucket>/<key> URI`);
  return { bucket: match[1] as string, key: match[2] as string };
}

/**
 * The artifact to serve: the immutable approved copy the release function recorded (`approved_artifact_uri`,
 * `approved_artifact_version_id`, `approved_artifact_sha256`), or the registered ModelDataUrl when the version
 * carries none. A malformed record is an error, never a silent fallback.
 */
export function artifactSource(
  metadata: Record<string, string> | undefined,
  modelDataUrl: string | undefined,
  arn: string,
): ArtifactSource {
  const uri = metadata?.approved_artifact_uri;
  if (uri !== undefined && uri !== '') {
    const sha256 = metadata?.approved_artifact_sha256?.toLowerCase();
    if (sha256 !== undefined && sha256 !== '' && !SHA256_HEX.test(sha256)) {
      throw new ValidationError(`${arn}: approved_artifact_sha256 ${JSON.stringify(sha256)} is not 64 hex digits`);
    }
    const versionId = metadata?.approved_artifact_version_id;
    return {
      ...parseS3Uri(uri, `${arn}: approved_artifact_uri`),
      versionId: versionId === undefined || versionId === '' ? undefined : versionId,
      sha256: sha256 === '' ? undefined : sha256,
      from: 'approved-artifact',
    };
  }
  if (modelDataUrl === undefined || modelDataUrl === '') {
    throw new ValidationError(`${arn} has neither approved_artifact_uri nor a ModelDataUrl: nothing to serve`);
  }
  return { ...parseS3Uri(modelDataUrl, `${arn}: ModelDataUrl`), from: 'model-data-url' };
}

/** The TargetModel of a version: unique per version, so a served artifact is never overwritten. */
export function targetModel(project: string, group: string, version: number): string {
  return `${project}/${group}/v${version}.tar.gz`;
}

/** The SSM parameter that holds a model's current TargetModel. */
export function parameterName(parameterPrefix: string, project: string, group: string): string {
  return `${parameterPrefix}${project}/${group}`;
}

/** The version number of a served key under `<prefix><project>/<group>/`, or undefined for any other key. */
export function servedVersionOf(key: string, folder: string): number | undefined {
  if (!key.startsWith(folder)) return undefined;
  const match = /^v([1-9][0-9]*)\.tar\.gz$/.exec(key.slice(folder.length));
  return match === null ? undefined : Number(match[1]);
}

/**
 * Served keys that may be deleted: everything beyond the `retain` newest approvals, never the current one, never
 * the one clients were pointed at until now (they may still read the old parameter), never a key of a version that
 * is Approved and among the retained.
 */
export function keysToPrune(options: {
  readonly servedKeys: readonly string[];
  readonly folder: string;
  readonly ranked: readonly ApprovedVersion[];
  readonly retain: number;
  readonly keep: readonly (string | undefined)[];
}): string[] {
  const { servedKeys, folder, ranked, retain } = options;
  const keep = new Set(options.keep.filter((k): k is string => k !== undefined));
  for (const v of ranked.slice(0, retain)) keep.add(`${folder}v${v.version}.tar.gz`);
  const served = servedKeys.filter((k) => servedVersionOf(k, folder) !== undefined);
  if (served.length <= retain) return [];
  // Oldest version numbers first, so the count drops to `retain` by removing what was served longest ago.
  const candidates = served
    .filter((k) => !keep.has(k))
    .sort((a, b) => (servedVersionOf(a, folder) ?? 0) - (servedVersionOf(b, folder) ?? 0));
  return candidates.slice(0, Math.max(0, served.length - retain));
}
