/**
 * A serving stage, deployed once per stage with `cdk deploy` (into the registry account, the default, or another
 * account): the serving bucket, one multi-model endpoint for every served model, and the deploy function that keeps
 * each model's current approved version servable under its own key and named in an SSM parameter.
 */
import { Duration, RemovalPolicy, Stack, StackProps, CfnOutput } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { endpointName, SERVING_PREFIX, servingParameterPrefix } from '../contracts/serving';
import { sklearnImageUri } from '../sagemaker-pipeline/src/images';
import type { AppConfig, ServingConfig, ServingStageConfig } from './config';
import { acknowledgeRule } from './constructs/nag';
import { SECURE_RETAINED_BUCKET_PROPS } from './constructs/secure-bucket';
import { DeployAutomation } from './constructs/serving/deploy-automation';
import { MultiModelEndpoint } from './constructs/serving/multi-model-endpoint';

/** Noncurrent versions of served keys (pruned or, by hand, replaced) stay recoverable this long. */
export const SERVED_NONCURRENT_DAYS = 30;

export interface ServingStackProps extends StackProps {
  /** The serving configuration (context `serving`): registry, served projects, artifacts kept, image version. */
  readonly serving: ServingConfig;
  /** The stage this stack deploys, one of `serving.stages`: its name, account, region, delay and instances. */
  readonly stage: ServingStageConfig;
  /** Retention of the deploy function's log group, in days (context `logRetentionDays`). */
  readonly logRetentionDays: AppConfig['logRetentionDays'];
  /**
   * Receives the stage's alarms (contract 6).
   * @default - alarms without actions
   */
  readonly alarmTopic?: sns.ITopic;
}

/** The stack name of a stage. */
export function servingStackName(stage: string): string {
  return `MultibranchMlops-Serving-${stage}`;
}

export class ServingStack extends Stack {
  readonly bucket: s3.Bucket;
  readonly endpoint: MultiModelEndpoint;
  readonly deploy: DeployAutomation;

  constructor(scope: Construct, id: string, props: ServingStackProps) {
    super(scope, id, {
      description: `multibranch-mlops: serving stage ${props.stage.name} (multi-model endpoint and deploy function)`,
      ...props,
      env: { account: props.stage.account, region: props.stage.region },
    });
    const { stage, serving } = props;

    this.bucket = new s3.Bucket(this, 'ServingBucket', {
      ...SECURE_RETAINED_BUCKET_PROPS,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        ...(SECURE_RETAINED_BUCKET_PROPS.lifecycleRules ?? []),
        { id: 'ExpirePrunedVersions', noncurrentVersionExpiration: Duration.days(SERVED_NONCURRENT_DAYS) },
      ],
    });
    acknowledgeRule(
      this.bucket,
      'S1',
      'Only the deploy function writes and the endpoint reads (SSL-only, public access blocked); every object is a copy of a registry artifact. Use CloudTrail S3 data events for object-level audit.',
    );

    this.endpoint = new MultiModelEndpoint(this, 'Endpoint', {
      endpointName: endpointName(stage.name),
      bucket: this.bucket,
      prefix: SERVING_PREFIX,
      image: sklearnImageUri(stage.region, serving.frameworkVersion),
      instanceType: stage.instanceType,
      instanceCount: stage.instanceCount,
      alarmTopic: props.alarmTopic,
    });

    this.deploy = new DeployAutomation(this, 'Deploy', {
      stageName: stage.name,
      registryAccount: serving.registryAccount,
      projects: serving.projects,
      bucket: this.bucket,
      prefix: SERVING_PREFIX,
      delay: Duration.minutes(stage.delayMinutes),
      retainArtifacts: serving.retainArtifacts,
      logRetention: props.logRetentionDays as logs.RetentionDays,
      alarmTopic: props.alarmTopic,
    });

    new CfnOutput(this, 'EndpointName', { value: endpointName(stage.name), description: 'Invoke with TargetModel' });
    new CfnOutput(this, 'ParameterPrefix', {
      value: servingParameterPrefix(stage.name),
      description: "SSM path of each model's current TargetModel: <prefix><project>/<model package group>",
    });
    new CfnOutput(this, 'ServingBucketName', { value: this.bucket.bucketName, description: 'Served artifacts' });
    new CfnOutput(this, 'DeployFunctionName', { value: this.deploy.handler.function.functionName });
  }
}

/** One serving stack per configured stage (none without context `serving`), as bin/app.ts creates them. */
export function createServingStacks(
  scope: Construct,
  config: Pick<AppConfig, 'serving' | 'logRetentionDays'>,
  alarmTopic?: sns.ITopic,
): ServingStack[] {
  const serving = config.serving;
  if (serving === undefined) return [];
  return serving.stages.map(
    (stage) =>
      new ServingStack(scope, servingStackName(stage.name), {
        serving,
        stage,
        logRetentionDays: config.logRetentionDays,
        alarmTopic,
      }),
  );
}
