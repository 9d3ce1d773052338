/**
 * The Service Catalog launch role: what CloudFormation runs with when SageMaker provisions (updates, terminates)
 * a project from the product. It may do exactly what the project template needs, on resources named like the
 * template names them:
 * - stacks Service Catalog creates (`SC-<account>-pp-*`) and resources CloudFormation names after them (`SC-*`);
 * - the promised names: repository and build project `model-<project>-train`, model package group `model-<project>`,
 *   release function `release-model-package-<project>`;
 * - IAM roles under the product's role path only, passed only to the services that use them;
 * - the product's assets (templates, Lambda code, seed code) in the asset bucket, read only.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { SourceProvider } from '../config';
import { projectResourceStatements } from './launch-role-resources';
import { optionalStatements, provisioningStatements } from './launch-role-statements';
import { acknowledgeWildcards, nagResource } from './nag';

export interface LaunchRoleProps {
  /** The bucket that holds the product's assets. */
  readonly assetBucket: s3.IBucket;
  /**
   * What the project template creates for the code: a CodeCommit repository, or (`external-ci`) the Studio association
   * of an outside repository.
   * @default 'codecommit'
   */
  readonly sourceProvider?: SourceProvider;
  /**
   * Whether the project template shares its registry with serving stages in other accounts (RegistryAccess: a KMS
   * key, the model package group's resource policy, a forwarding rule with a role).
   * @default false
   */
  readonly servingAccess?: boolean;
  /**
   * Whether the project template schedules retraining of the main branch (RetrainSchedule: an EventBridge Scheduler
   * schedule named "model-<project>-retrain" in the default group, with a role it passes to the scheduler).
   * @default false
   */
  readonly retrainSchedule?: boolean;
}

export class LaunchRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: LaunchRoleProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('servicecatalog.amazonaws.com'),
      description: 'Service Catalog launch role of the multibranch-mlops SageMaker project product',
    });
    // Each statement; a resource with a wildcard needs the reason, which acknowledges its cdk-nag finding.
    for (const { sid, actions, resources, reason, conditions } of [
      ...provisioningStatements(props),
      ...projectResourceStatements(),
      ...optionalStatements(props),
    ]) {
      this.role.addToPolicy(new iam.PolicyStatement({ sid, actions, resources, conditions }));
      for (const resource of resources.filter((r) => nagResource(this, r).includes('*'))) {
        if (reason === undefined)
          throw new Error(`statement ${sid}: resource ${resource} has a wildcard and no reason`);
        acknowledgeWildcards(this.role, { [resource === '*' ? 'Resource::*' : nagResource(this, resource)]: reason });
      }
    }
  }
}
