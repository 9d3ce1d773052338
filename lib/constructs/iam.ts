/**
 * IAM building blocks more than one construct uses: passing a role to one service only, and the EventBridge rule
 * actions CloudFormation needs to create, update and delete a rule with its targets and tags.
 */
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * What CloudFormation calls to create, read, update and delete an `AWS::Events::Rule` with targets and tags (its
 * published handler permissions: the delete handler lists the targets to remove them); granted to
 * the launch role (project rules) and to the branch stacks' CloudFormation service role (trigger rules).
 */
export const EVENT_RULE_ACTIONS: readonly string[] = [
  'events:PutRule',
  'events:DeleteRule',
  'events:DescribeRule',
  'events:ListTargetsByRule',
  'events:PutTargets',
  'events:RemoveTargets',
  'events:TagResource',
  'events:UntagResource',
  'events:ListTagsForResource',
];

/**
 * Lets `grantee` pass `role`, to `service` only (`iam:PassedToService`, for example `sagemaker.amazonaws.com`):
 * `role.grantPassRole` would let it pass the role to any service that accepts one.
 */
export function grantPassRoleTo(role: iam.IRole, grantee: iam.IGrantable, service: string): iam.Grant {
  return iam.Grant.addToPrincipal({
    grantee,
    actions: ['iam:PassRole'],
    resourceArns: [role.roleArn],
    conditions: { StringEquals: { 'iam:PassedToService': service } },
  });
}
