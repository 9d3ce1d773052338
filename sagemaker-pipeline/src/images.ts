/**
 * SageMaker's scikit-learn framework images (used for processing, training and inference), per region.
 *
 * The ECR accounts are the ones the SageMaker Python SDK resolves (`image_uri_config/sklearn.json`, version 1.2-1,
 * the same account for training and inference), covering every region where SageMaker Pipelines runs.
 */
// The SageMaker Python SDK's table of XGBoost images, pinned (see image-uri-config/README.md for its source).
import XGBOOST_CONFIG from './image-uri-config/xgboost.json';

export const SKLEARN_REPOSITORY = 'sagemaker-scikit-learn';

/** region → ECR registry account of `sagemaker-scikit-learn`. */
export const SKLEARN_REGISTRIES: Readonly<Record<string, string>> = {
  'af-south-1': '510948584623',
  'ap-east-1': '651117190479',
  'ap-northeast-1': '354813040037',
  'ap-northeast-2': '366743142698',
  'ap-northeast-3': '867004704886',
  'ap-south-1': '720646828776',
  'ap-south-2': '628508329040',
  'ap-southeast-1': '121021644041',
  'ap-southeast-2': '783357654285',
  'ap-southeast-3': '951798379941',
  'ap-southeast-4': '106583098589',
  'ca-central-1': '341280168497',
  'ca-west-1': '190319476487',
  'cn-north-1': '450853457545',
  'cn-northwest-1': '451049120500',
  'eu-central-1': '492215442770',
  'eu-central-2': '680994064768',
  'eu-north-1': '662702820516',
  'eu-south-1': '978288397137',
  'eu-south-2': '104374241257',
  'eu-west-1': '141502667606',
  'eu-west-2': '764974769150',
  'eu-west-3': '659782779980',
  'il-central-1': '898809789911',
  'me-central-1': '272398656194',
  'me-south-1': '801668240914',
  'sa-east-1': '737474898029',
  'us-east-1': '683313688378',
  'us-east-2': '257758044811',
  'us-gov-east-1': '237065988967',
  'us-gov-west-1': '414596584902',
  'us-iso-east-1': '833128469047',
  'us-isob-east-1': '281123927165',
  'us-west-1': '746614075791',
  'us-west-2': '246618743249',
};

export class UnknownRegionError extends Error {
  override readonly name = 'UnknownRegionError';
}

/** DNS suffix of ECR in the region's partition. */
export function ecrDomain(region: string): string {
  if (region.startsWith('cn-')) return 'amazonaws.com.cn';
  if (region.startsWith('us-isob-')) return 'sc2s.sgov.gov';
  if (region.startsWith('us-iso-')) return 'c2s.ic.gov';
  return 'amazonaws.com';
}

/** `<account>.dkr.ecr.<region>.<domain>/sagemaker-scikit-learn:<version>-cpu-py3`; throws for a region not in the table. */
export function sklearnImageUri(region: string, frameworkVersion: string): string {
  const account = Object.prototype.hasOwnProperty.call(SKLEARN_REGISTRIES, region)
    ? SKLEARN_REGISTRIES[region]
    : undefined;
  if (account === undefined) {
    throw new UnknownRegionError(
      `region ${JSON.stringify(region)} has no SageMaker scikit-learn image in the table (known: ${Object.keys(
        SKLEARN_REGISTRIES,
      ).join(', ')})`,
    );
  }
  return `${account}.dkr.ecr.${region}.${ecrDomain(region)}/${SKLEARN_REPOSITORY}:${frameworkVersion}-cpu-py3`;
}

interface ImageConfigVersion {
  readonly registries: Readonly<Record<string, string>>;
  readonly repository: string;
  readonly processors?: readonly string[];
  readonly py_versions?: readonly string[];
}

const XGBOOST_VERSIONS = XGBOOST_CONFIG.versions as Readonly<Record<string, ImageConfigVersion>>;

/** Framework versions of SageMaker's XGBoost container (built-in algorithm and script mode), from the pinned table. */
export const XGBOOST_FRAMEWORK_VERSIONS: readonly string[] = Object.keys(XGBOOST_VERSIONS).filter(
  (v) => XGBOOST_VERSIONS[v]?.repository === 'sagemaker-xgboost',
);

/** Versions of SageMaker's scikit-learn images this seed resolves (same registry accounts for each). */
export const SKLEARN_FRAMEWORK_VERSIONS: readonly string[] = ['1.2-1'];

/** The XGBoost image of a version in a region, as the SageMaker Python SDK resolves it. */
export function xgboostImageUri(region: string, version: string): string {
  const entry = Object.prototype.hasOwnProperty.call(XGBOOST_VERSIONS, version) ? XGBOOST_VERSIONS[version] : undefined;
  if (entry === undefined || entry.repository !== 'sagemaker-xgboost') {
    throw new UnknownRegionError(
      `XGBoost version ${JSON.stringify(version)} is not in the table (versions: ${XGBOOST_FRAMEWORK_VERSIONS.join(', ')})`,
    );
  }
  const account = Object.prototype.hasOwnProperty.call(entry.registries, region) ? entry.registries[region] : undefined;
  if (account === undefined) {
    throw new UnknownRegionError(
      `region ${JSON.stringify(region)} has no SageMaker XGBoost ${version} image in the table (regions: ${Object.keys(
        entry.registries,
      ).join(', ')})`,
    );
  }
  const tag = entry.processors ? `${version}-cpu-py3` : version;
  return `${account}.dkr.ecr.${region}.${ecrDomain(region)}/${entry.repository}:${tag}`;
}

/** The image of a framework and version in a region. */
export function frameworkImageUri(framework: 'sklearn' | 'xgboost', version: string, region: string): string {
  return framework === 'sklearn' ? sklearnImageUri(region, version) : xgboostImageUri(region, version);
}

/** Accelerated (GPU, Inferentia, Trainium) instance families: the CPU-only images cannot use them. */
export function isAcceleratedInstance(instanceType: string): boolean {
  return /^ml\.(p\d|g\d|inf\d|trn\d)/.test(instanceType);
}
