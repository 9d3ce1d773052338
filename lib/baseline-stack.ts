/**
 * The baseline stack, what the platform engineer deploys with `cdk deploy`: the Service Catalog portfolio and the
 * SageMaker project product (visible in Studio, versions kept), its launch role and launch constraint, the
 * principals allowed to use it, the ECR repository of training and processing images, and the bucket that holds the
 * product's assets.
 */
import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, StackProps, Tags } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as servicecatalog from 'aws-cdk-lib/aws-servicecatalog';
import { Construct } from 'constructs';
import type { AppConfig } from './config';
import { AssetBucket } from './constructs/asset-bucket';
import { LaunchRole } from './constructs/launch-role';
import type { ProjectBuildInputs } from './constructs/source/project-source';
import { ProjectProductStack } from './project-product-stack';

export const PRODUCT_NAME = 'multibranch-mlops';
export const TRAINING_IMAGE_REPOSITORY_NAME = 'multibranch-mlops/training';
/** The warning a synth gives when no Studio role may see the product (`studioPrincipalArns` is empty). */
export const NO_STUDIO_PRINCIPALS_WARNING =
  'Context key "studioPrincipalArns" is empty: the portfolio gives no Studio role access, so nobody will see the ' +
  'project template in SageMaker Studio. Add the execution role ARNs of your Studio users, e.g. ' +
  '-c studioPrincipalArns=arn:aws:iam::<account>:role/<StudioExecutionRole> (docs/deploying.md says how to find them).';

/** The tag that makes a Service Catalog product appear in SageMaker Studio's project templates. */
export const STUDIO_VISIBILITY_TAG = { key: 'sagemaker:studio-visibility', value: 'true' } as const;

export interface BaselineStackProps extends StackProps {
  /** The app's configuration (lib/config.ts); its deprecation `warnings` become warning annotations. */
  readonly config: AppConfig;
  /**
   * Directory of the product version snapshots (templates of deployed versions).
   * @default 'product-stack-snapshots'
   */
  readonly snapshotDirectory?: string;
  /**
   * The seed code and the per-branch template, built before synthesis by `prepareBuildInputs` (lib/build-inputs.ts).
   * Required by the `codecommit` source provider.
   * @default - none: a provider that needs them throws, naming the fix
   */
  readonly buildInputs?: ProjectBuildInputs;
}

/** The id of the warning a deprecated configuration value gives. */
export const DEPRECATED_CONFIG_WARNING_ID = 'multibranch-mlops:deprecated-config';

export class BaselineStack extends Stack {
  readonly portfolio: servicecatalog.Portfolio;
  readonly product: servicecatalog.CloudFormationProduct;
  readonly productStack: ProjectProductStack;
  readonly launchRole: iam.Role;
  readonly trainingImages: ecr.Repository;

  constructor(scope: Construct, id: string, props: BaselineStackProps) {
    super(scope, id, {
      description: 'multibranch-mlops: Service Catalog product of SageMaker projects with a pipeline per branch',
      ...props,
      env: { account: props.config.account, region: props.config.region },
    });
    const { config } = props;

    const assetBucket = new AssetBucket(this, 'Assets', { account: config.account, region: config.region });
    const assets = assetBucket.bucket;

    this.trainingImages = new ecr.Repository(this, 'TrainingImages', {
      repositoryName: TRAINING_IMAGE_REPOSITORY_NAME,
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      encryption: ecr.RepositoryEncryption.AES_256,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          description: 'Drop untagged images after a week',
          tagStatus: ecr.TagStatus.UNTAGGED,
          maxImageAge: Duration.days(7),
        },
        { description: 'Keep the newest 200 images', tagStatus: ecr.TagStatus.ANY, maxImageCount: 200 },
      ],
    });

    this.productStack = new ProjectProductStack(this, 'ProjectTemplate', {
      config,
      assetBucket: assets,
      trainingImageRepositoryName: TRAINING_IMAGE_REPOSITORY_NAME,
      buildInputs: props.buildInputs,
    });
    assetBucket.acknowledgeProductAssetDeployment();
    const history = new servicecatalog.ProductStackHistory(this, 'ProjectTemplateHistory', {
      productStack: this.productStack,
      currentVersionName: config.productVersion,
      currentVersionLocked: config.productVersionLocked,
      description: `multibranch-mlops ${config.productVersion}`,
      directory: props.snapshotDirectory,
    });

    this.product = new servicecatalog.CloudFormationProduct(this, 'Product', {
      productName: PRODUCT_NAME,
      owner: 'Platform engineering',
      description: 'SageMaker project: a git repository where every experiment branch gets its own training pipeline',
      productVersions: [
        ...config.retainedProductVersions.map((name) => history.versionFromSnapshot(name)),
        history.currentVersion(),
      ],
    });
    Tags.of(this.product).add(STUDIO_VISIBILITY_TAG.key, STUDIO_VISIBILITY_TAG.value);
    // A new version becomes available only once the assets it provisions from (Lambda code, seed code, branch
    // template) have been copied into the asset bucket.
    const assetDeployment = assets.node.tryFindChild('ProductAssetsDeployment');
    if (assetDeployment !== undefined) this.product.node.addDependency(assetDeployment);

    this.portfolio = new servicecatalog.Portfolio(this, 'Portfolio', {
      displayName: 'Multi-branch MLOps',
      providerName: 'Platform engineering',
      description: 'SageMaker project templates with a training pipeline per experiment branch',
    });
    this.portfolio.addProduct(this.product);

    this.launchRole = new LaunchRole(this, 'LaunchRole', {
      assetBucket: assets,
      sourceProvider: config.sourceProvider,
      servingAccess: (config.serving?.stages ?? []).some((stage) => stage.account !== config.serving?.registryAccount),
      retrainSchedule: config.retrain !== undefined,
    }).role;
    this.portfolio.setLaunchRole(this.product, this.launchRole, {
      description: 'Projects are provisioned with the launch role, not with the permissions of the Studio user',
    });

    config.studioPrincipalArns.forEach((arn, index) => {
      this.portfolio.giveAccessToRole(iam.Role.fromRoleArn(this, `StudioPrincipal${index}`, arn, { mutable: false }));
    });
    for (const warning of config.warnings) Annotations.of(this).addWarningV2(DEPRECATED_CONFIG_WARNING_ID, warning);
    if (config.studioPrincipalArns.length === 0) {
      Annotations.of(this).addWarningV2('multibranch-mlops:no-studio-principals', NO_STUDIO_PRINCIPALS_WARNING);
    }

    // What an operator needs next: where Studio finds the template, and where images and assets go.
    const output = (outputId: string, value: string, description: string) =>
      new CfnOutput(this, outputId, { value, description });
    output('PortfolioId', this.portfolio.portfolioId, 'Service Catalog portfolio of the SageMaker project template');
    output('ProductId', this.product.productId, 'Service Catalog product that SageMaker Studio lists as a template');
    output('ProductVersion', config.productVersion, 'Product version this deployment published');
    output('LaunchRoleArn', this.launchRole.roleArn, 'Role Service Catalog provisions projects with');
    output('AssetBucketName', assets.bucketName, 'Bucket of the product assets (templates, Lambda code, seed code)');
    output(
      'TrainingImageRepositoryUri',
      this.trainingImages.repositoryUri,
      'ECR repository for custom training and processing images',
    );
  }
}
