/**
 * The image table (sagemaker-pipeline/src/images.ts) against the SageMaker Python SDK's own table, a pinned copy of
 * `image_uri_config/sklearn.json` (test/fixtures/sagemaker-python-sdk, source and commit in SOURCE.txt): the same
 * regions, the same ECR account per region, the same repository, for every framework version the seed accepts, for
 * training and inference alike (the pipeline uses one image for processing, training and the registered model).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  SKLEARN_REGISTRIES,
  SKLEARN_REPOSITORY,
  sklearnImageUri,
  SKLEARN_FRAMEWORK_VERSIONS,
} from '../../sagemaker-pipeline/src/images';

interface SdkVersion {
  readonly processors: string[];
  readonly py_versions: string[];
  readonly registries: Record<string, string>;
  readonly repository: string;
}
type SdkTable = Record<'inference' | 'training', { versions: Record<string, SdkVersion> }>;

const SDK = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'sagemaker-python-sdk', 'sklearn.json'), 'utf8'),
) as SdkTable;

// The scikit-learn versions the pipeline file accepts.
const ACCEPTED = SKLEARN_FRAMEWORK_VERSIONS;

describe('scikit-learn image table against the SageMaker Python SDK', () => {
  it.each(
    ACCEPTED.flatMap(
      (v) =>
        [
          ['training', v],
          ['inference', v],
        ] as const,
    ),
  )('%s %s: same regions, accounts and repository as the SDK', (scope, version) => {
    const sdk = SDK[scope].versions[version];
    if (!sdk) throw new Error(`the SDK table has no ${scope} version ${version}`);
    expect(SKLEARN_REGISTRIES).toEqual(sdk.registries);
    expect(SKLEARN_REPOSITORY).toBe(sdk.repository);
    expect(sdk.processors).toContain('cpu');
    expect(sdk.py_versions).toContain('py3');
    for (const [region, account] of Object.entries(sdk.registries)) {
      expect(sklearnImageUri(region, version).startsWith(`${account}.dkr.ecr.${region}.`)).toBe(true);
    }
  });

  it('would notice a wrong account', () => {
    const wrong = { ...SKLEARN_REGISTRIES, 'us-east-1': '000000000000' };
    expect(wrong).not.toEqual(SDK.training.versions['1.2-1']?.registries);
  });
});
