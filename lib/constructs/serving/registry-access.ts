/**
 * What a project template in the registry account adds when serving stages run in other accounts, from
 * configuration only: a customer-managed KMS key for training output and approved artifacts (the artifact bucket's
 * default encryption) that the stages may use to decrypt through S3; read access to the artifact bucket for the
 * stages' roles; a resource policy on the project's model package group for what the deploy function reads
 * (DescribeModelPackage, ListModelPackages: nothing else); and a rule forwarding the group's Approved and Rejected
 * state changes to each stage account's default event bus.
 *
 * Only the group this template creates (`model-<project>`, tagged with the project's id) is shared and forwarded: a
 * stage cannot read tags across accounts, so it accepts no other group of the project from another account.
 */
import { Aws } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { ROLE_PATH } from '../monitored-function';
import { DETAIL_TYPES, EVENT_SOURCES } from '../../../contracts/events';

/** What a stage's deploy function may do on the shared group (its resource policy). */
export const STAGE_REGISTRY_ACTIONS = ['sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages'];
/** What a stage's deploy function may do on the artifact bucket's objects. */
export const STAGE_ARTIFACT_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion'];

export interface RegistryAccessProps {
  readonly projectName: string;
  readonly modelPackageGroup: sagemaker.CfnModelPackageGroup;
  readonly modelPackageGroupName: string;
  readonly artifactBucket: s3.Bucket;
  /** Accounts of the serving stages outside this account (distinct, non-empty). */
  readonly stageAccounts: readonly string[];
}

export class RegistryAccess extends Construct {
  readonly key: kms.Key;
  readonly forwardRule: events.Rule;

  constructor(scope: Construct, id: string, props: RegistryAccessProps) {
    super(scope, id);
    const accounts = [...new Set(props.stageAccounts)];
    if (accounts.length === 0) throw new Error('stageAccounts must name at least one account');
    const stageRoots = accounts.map((a) => new iam.AccountPrincipal(a));
    // Only the roles a stage's product creates (path /multibranch-mlops/), not any principal of the stage account.
    const stageRoles = accounts.map((a) => `arn:${Aws.PARTITION}:iam::${a}:role${ROLE_PATH}*`);
    const s3Service = `s3.${Aws.REGION}.amazonaws.com`;

    this.key = new kms.Key(this, 'ArtifactKey', {
      enableKeyRotation: true,
      description: `Encrypts training output and approved artifacts of SageMaker project ${props.projectName}`,
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ProjectUseThroughS3',
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:CallerAccount': Aws.ACCOUNT_ID, 'kms:ViaService': s3Service } },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'StagesDecryptThroughS3',
        principals: stageRoots,
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:ViaService': s3Service }, ArnLike: { 'aws:PrincipalArn': stageRoles } },
      }),
    );
    // Training output and approved copies are written from now on with this key; older objects keep SSE-S3, which
    // other accounts can read without a key grant.
    const cfnBucket = props.artifactBucket.node.defaultChild as s3.CfnBucket;
    cfnBucket.bucketEncryption = {
      serverSideEncryptionConfiguration: [
        {
          serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: this.key.keyArn },
          bucketKeyEnabled: true,
        },
      ],
    };
    props.artifactBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ServingStagesReadArtifacts',
        principals: stageRoots,
        actions: STAGE_ARTIFACT_ACTIONS,
        resources: [props.artifactBucket.arnForObjects('*')],
        conditions: { ArnLike: { 'aws:PrincipalArn': stageRoles } },
      }),
    );

    const groupArn = `arn:${Aws.PARTITION}:sagemaker:${Aws.REGION}:${Aws.ACCOUNT_ID}:model-package-group/${props.modelPackageGroupName}`;
    const packagesArn = `arn:${Aws.PARTITION}:sagemaker:${Aws.REGION}:${Aws.ACCOUNT_ID}:model-package/${props.modelPackageGroupName}/*`;
    props.modelPackageGroup.modelPackageGroupPolicy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ServingStagesRead',
          Effect: 'Allow',
          Principal: { AWS: accounts.map((a) => `arn:${Aws.PARTITION}:iam::${a}:root`) },
          Action: STAGE_REGISTRY_ACTIONS,
          Resource: [groupArn, packagesArn],
        },
      ],
    };

    const forwardRole = new iam.Role(this, 'ForwardRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      path: ROLE_PATH,
      description: `Forwards model package state changes of ${props.modelPackageGroupName} to the serving stages`,
    });
    this.forwardRule = new events.Rule(this, 'ForwardToStages', {
      description: `Approved and rejected versions of ${props.modelPackageGroupName}, to the serving stages' buses`,
      eventPattern: {
        source: [EVENT_SOURCES.sagemaker],
        detailType: [DETAIL_TYPES.modelPackageStateChange],
        detail: {
          ModelPackageGroupName: [props.modelPackageGroupName],
          ModelApprovalStatus: ['Approved', 'Rejected'],
        },
      },
    });
    accounts.forEach((account, index) => {
      const bus = events.EventBus.fromEventBusArn(
        this,
        `StageBus${index}`,
        `arn:${Aws.PARTITION}:events:${Aws.REGION}:${account}:event-bus/default`,
      );
      this.forwardRule.addTarget(new targets.EventBus(bus, { role: forwardRole }));
    });
  }
}
