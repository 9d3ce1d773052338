/**
 * One multi-model endpoint: a SageMaker model in `MultiModel` mode (the scikit-learn inference container, the
 * project's inference code, ModelDataUrl = the serving prefix), an endpoint config (CPU instance type and count from
 * configuration, storage volume encrypted with a customer-managed key) and the endpoint. Every artifact under the
 * prefix is a TargetModel; the endpoint loads one on its first invocation and keeps it cached.
 */
import { Aws, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CfnEndpoint, CfnEndpointConfig, CfnModel } from 'aws-cdk-lib/aws-sagemaker';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ROLE_PATH } from '../monitored-function';
import { acknowledgeRule, acknowledgeWildcards, nagResource } from '../nag';
import { INFERENCE_PROGRAM, InferenceCode } from './inference-code';
import { propChecker, INSTANCE_TYPE_RULE, integerRule, KEY_PREFIX_RULE, PropError } from '../validation';

/** What MultiModelEndpoint checks before it creates anything (lib/constructs/validation.ts). */
const validate = propChecker<MultiModelEndpointProps>('MultiModelEndpoint', {
  prefix: KEY_PREFIX_RULE,
  instanceType: INSTANCE_TYPE_RULE,
  instanceCount: integerRule(1, 20, 'set serving.stages[].instanceCount to 1 to 20'),
});

export interface MultiModelEndpointProps {
  /** Physical endpoint name (clients invoke it by name). */
  readonly endpointName: string;
  /** The serving bucket: the endpoint reads the TargetModels under `prefix` (read-only). */
  readonly bucket: s3.IBucket;
  /** Key prefix of the TargetModels, ending with `/`. */
  readonly prefix: string;
  /** The scikit-learn inference image URI. */
  readonly image: string;
  /** The endpoint's instance type (a CPU `ml.*` type: the scikit-learn container serves multiple models on CPU). */
  readonly instanceType: string;
  /** How many instances serve the endpoint, 1 to 20 (context `serving.stages[].instanceCount`). */
  readonly instanceCount: number;
  /**
   * Receives the endpoint's alarms (contract 6).
   * @default - alarms without actions
   */
  readonly alarmTopic?: sns.ITopic;
}

export class MultiModelEndpoint extends Construct {
  readonly role: iam.Role;
  readonly model: CfnModel;
  readonly endpointConfig: CfnEndpointConfig;
  readonly endpoint: CfnEndpoint;
  readonly volumeKey: kms.Key;
  readonly errorsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: MultiModelEndpointProps) {
    super(scope, validate(scope, id, props));
    const stack = Stack.of(this);
    const code = new InferenceCode(this, 'Code');

    this.role = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      path: ROLE_PATH,
      description: `Runs the multi-model endpoint ${props.endpointName}: reads its models and code, writes its logs`,
    });
    // The endpoint only reads: the served artifacts under the prefix and the inference code.
    props.bucket.grantRead(this.role, `${props.prefix}*`);
    code.asset.grantRead(this.role);
    const [imageRegistry, imageRepository] = (() => {
      const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.[a-z.]+\/([^:@]+)/.exec(props.image);
      if (match === null) {
        throw new PropError(
          `MultiModelEndpoint at "${this.node.path}": prop image must be an ECR image URI, got ` +
            `${JSON.stringify(props.image)}. Fix: use <account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>.`,
        );
      }
      return [match[1] as string, match[3] as string];
    })();
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PullInferenceImage',
        actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        resources: [`arn:${Aws.PARTITION}:ecr:${stack.region}:${imageRegistry}:repository/${imageRepository}`],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'EcrToken',
        // ecr:GetAuthorizationToken supports no resource-level permission.
        actions: ['ecr:GetAuthorizationToken'],
        resources: ['*'],
      }),
    );
    const logGroups = `arn:${Aws.PARTITION}:logs:${stack.region}:${stack.account}:log-group:/aws/sagemaker/Endpoints/${props.endpointName}`;
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'EndpointLogs',
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [logGroups, `${logGroups}:*`],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'EndpointMetrics',
        // cloudwatch:PutMetricData supports no resource-level permission; the namespace condition scopes it.
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringLike: { 'cloudwatch:namespace': ['/aws/sagemaker/Endpoints', 'AWS/SageMaker'] } },
      }),
    );
    acknowledgeWildcards(this.role, {
      'Resource::*':
        'ecr:GetAuthorizationToken and cloudwatch:PutMetricData support no resource-level permission (the latter is scoped by namespace).',
      [nagResource(this, `${logGroups}:*`)]:
        "The endpoint's log streams are named per instance at run time; only its own log group.",
      [nagResource(this, props.bucket.arnForObjects(`${props.prefix}*`))]:
        'TargetModels are versioned keys written at run time by the deploy function; read-only, under the serving prefix.',
      'Action::s3:GetBucket*': 'grantRead on the serving bucket (read-only; the endpoint lists nothing else).',
      'Action::s3:GetObject*': 'grantRead on the serving prefix and the code asset (read-only).',
      'Action::s3:List*': 'grantRead on the serving bucket (read-only).',
    });
    acknowledgeWildcards(this.role, {
      [nagResource(this, `arn:${Aws.PARTITION}:s3:::${code.asset.s3BucketName}/*`)]:
        'The CDK asset bucket holds the inference code under a content hash; grantRead of the asset.',
    });

    this.model = new CfnModel(this, 'Model', {
      executionRoleArn: this.role.roleArn,
      primaryContainer: {
        image: props.image,
        mode: 'MultiModel',
        modelDataUrl: props.bucket.s3UrlForObject(props.prefix),
        environment: {
          SAGEMAKER_PROGRAM: INFERENCE_PROGRAM,
          SAGEMAKER_SUBMIT_DIRECTORY: code.asset.s3ObjectUrl,
          SAGEMAKER_CONTAINER_LOG_LEVEL: '20',
          SAGEMAKER_REGION: stack.region,
        },
      },
    });
    this.model.node.addDependency(this.role);
    acknowledgeRule(
      this.model,
      'SM1',
      'The model reads only its S3 artifacts and the AWS-owned ECR image; a VPC is the next step for private networks (docs/serving.md).',
    );

    this.volumeKey = new kms.Key(this, 'VolumeKey', {
      enableKeyRotation: true,
      description: `Encrypts the storage volumes of endpoint ${props.endpointName}`,
    });
    this.endpointConfig = new CfnEndpointConfig(this, 'EndpointConfig', {
      kmsKeyId: this.volumeKey.keyArn,
      productionVariants: [
        {
          variantName: 'AllTraffic',
          modelName: this.model.attrModelName,
          initialInstanceCount: props.instanceCount,
          instanceType: props.instanceType,
          initialVariantWeight: 1,
        },
      ],
    });
    this.endpoint = new CfnEndpoint(this, 'Endpoint', {
      endpointName: props.endpointName,
      endpointConfigName: this.endpointConfig.attrEndpointConfigName,
    });

    this.errorsAlarm = new cloudwatch.Alarm(this, 'Invocation5xxAlarm', {
      alarmDescription: `Endpoint ${props.endpointName} answered invocations with server errors`,
      metric: new cloudwatch.Metric({
        namespace: 'AWS/SageMaker',
        metricName: 'Invocation5XXErrors',
        dimensionsMap: { EndpointName: props.endpointName, VariantName: 'AllTraffic' },
        period: Duration.minutes(5),
        statistic: 'Sum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmTopic !== undefined) this.errorsAlarm.addAlarmAction(new cwActions.SnsAction(props.alarmTopic));
  }
}
