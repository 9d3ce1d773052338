import fc from 'fast-check';
import {
  ApprovedVersion,
  artifactSource,
  keysToPrune,
  parseS3Uri,
  resolveCurrent,
  servedVersionOf,
  targetModel,
} from '../../../lambda/deploy-model/resolve';
import { ValidationError } from '../../../contracts/errors';

const T0 = Date.parse('2026-12-01T00:00:00Z');
const version = (n: number, approvedAtSeconds: number, packageStatus = 'Completed'): ApprovedVersion => ({
  arn: `arn:aws:sagemaker:us-east-1:123456789012:model-package/model-demo/${n}`,
  version: n,
  lastModified: new Date(T0 + approvedAtSeconds * 1000),
  packageStatus,
  artifact: { bucket: 'b', key: `k${n}`, from: 'model-data-url' },
});
const at = (seconds: number) => new Date(T0 + seconds * 1000);

describe('resolveCurrent', () => {
  it('serves the version approved last, not the highest number', () => {
    const result = resolveCurrent([version(1, 30), version(2, 20), version(3, 10)], at(100), 0);
    expect(result.current?.version).toBe(1);
    expect(result.ranked.map((v) => v.version)).toEqual([1, 2, 3]);
  });

  it('breaks equal approval times by the higher version', () => {
    expect(resolveCurrent([version(4, 10), version(7, 10)], at(100), 0).current?.version).toBe(7);
  });

  it('serves nothing when nothing is approved, and skips versions not Completed', () => {
    expect(resolveCurrent([], at(0), 0).current).toBeUndefined();
    expect(resolveCurrent([version(2, 10, 'InProgress'), version(1, 5)], at(100), 0).current?.version).toBe(1);
  });

  it('with a delay, serves the newest version that stayed Approved that long and reports the others waiting', () => {
    const versions = [version(1, 0), version(2, 3000)];
    expect(resolveCurrent(versions, at(3599), 3600)).toMatchObject({ current: undefined });
    expect(resolveCurrent(versions, at(3600), 3600).current?.version).toBe(1);
    const later = resolveCurrent(versions, at(3700), 3600);
    expect(later.current?.version).toBe(1);
    expect(later.waiting.map((v) => v.version)).toEqual([2]);
    expect(resolveCurrent(versions, at(6600), 3600).current?.version).toBe(2);
  });

  it('does not depend on the order the registry lists versions in (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 10 }),
        fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 10, maxLength: 10 }),
        fc.integer({ min: 0, max: 120 }),
        (numbers, times, delay) => {
          const versions = numbers.map((n, i) => version(n, times[i] ?? 0));
          const expected = resolveCurrent(versions, at(150), delay).current?.version;
          const reversed = resolveCurrent([...versions].reverse(), at(150), delay).current?.version;
          return expected === reversed;
        },
      ),
    );
  });
});

describe('artifactSource', () => {
  const arn = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/model-demo/3';
  it('takes the approved artifact record when present', () => {
    expect(
      artifactSource(
        {
          approved_artifact_uri: 's3://registry-bucket/approved/model-demo/3/model.tar.gz',
          approved_artifact_version_id: 'abc',
          approved_artifact_sha256: 'A'.repeat(64),
        },
        's3://other/model.tar.gz',
        arn,
      ),
    ).toEqual({
      bucket: 'registry-bucket',
      key: 'approved/model-demo/3/model.tar.gz',
      versionId: 'abc',
      sha256: 'a'.repeat(64),
      from: 'approved-artifact',
    });
  });

  it('falls back to the ModelDataUrl when the version has no record', () => {
    expect(artifactSource({ commit_id: 'x' }, 's3://bucket/out/model.tar.gz', arn)).toEqual({
      bucket: 'bucket',
      key: 'out/model.tar.gz',
      from: 'model-data-url',
    });
  });

  it('rejects a malformed digest or URI, and a version with nothing to serve, naming the version', () => {
    expect(() =>
      artifactSource({ approved_artifact_uri: 's3://b1b/k', approved_artifact_sha256: 'xyz' }, undefined, arn),
    ).toThrow(/model-demo\/3: approved_artifact_sha256 "xyz" is not 64 hex digits/);
    expect(() => artifactSource({ approved_artifact_uri: 'https://x/y' }, undefined, arn)).toThrow(ValidationError);
    expect(() => artifactSource(undefined, undefined, arn)).toThrow(/neither approved_artifact_uri nor a ModelDataUrl/);
    expect(() => parseS3Uri('s3://bucket', 'ModelDataUrl')).toThrow(/is not an s3:\/\/<bucket>\/<key> URI/);
  });
});

describe('served keys and pruning', () => {
  const folder = 'models/demo/model-demo/';
  const key = (n: number) => `${folder}v${n}.tar.gz`;

  it('gives every version a key of its own', () => {
    expect(targetModel('demo', 'model-demo', 12)).toBe('demo/model-demo/v12.tar.gz');
    expect(servedVersionOf(key(12), folder)).toBe(12);
    expect(servedVersionOf(`${folder}v012.tar.gz`, folder)).toBeUndefined();
    expect(servedVersionOf(`${folder}other.txt`, folder)).toBeUndefined();
  });

  it('prunes the oldest keys beyond the retained count, never the current, the previous or a retained one', () => {
    const ranked = [version(6, 60), version(5, 50)];
    const pruned = keysToPrune({
      servedKeys: [1, 2, 3, 4, 5, 6].map(key),
      folder,
      ranked,
      retain: 3,
      keep: [key(6), key(2)],
    });
    expect(pruned).toEqual([key(1), key(3), key(4)]);
  });

  it('prunes nothing at or under the retained count, and never a key it did not write', () => {
    expect(keysToPrune({ servedKeys: [key(1), key(2)], folder, ranked: [], retain: 2, keep: [] })).toEqual([]);
    expect(
      keysToPrune({ servedKeys: [key(1), key(2), `${folder}notes.txt`], folder, ranked: [], retain: 2, keep: [] }),
    ).toEqual([]);
  });
});
