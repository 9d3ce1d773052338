/**
 * The synthesized templates as the IAM oracles see them deployed: the baseline (stack `MultibranchMlops`), the
 * project product as Service Catalog provisions it (stack `SC-<account>-pp-<id>`, parameters SageMaker passes),
 * and a branch stack as the branch Lambda creates it (its stack name and parameters: the Lambda's
 * `PIPELINE_STACK_PARAMETERS` plus `BranchName` and `PipelineName`), with the roles CloudFormation uses for each.
 */
import { branchStackName, codePipelineName } from '../../contracts/naming';
import { BuiltTemplates, STACK_NAME, TEST_ACCOUNT, TEST_REGION } from './app';
import { CfnTemplateJson, DeployedTemplate, logicalIdsOfType, rolePolicies } from './cfn-template';
import type { PolicyDocument } from './iam-policy';

export const PROJECT = { name: 'churn', id: 'p-abcdef123456' } as const;
export const BRANCH = 'experiment/deeper-trees';
export const PRODUCT_STACK_NAME = `SC-${TEST_ACCOUNT}-pp-abcdefghijklm`;

export interface Deployment {
  readonly baseline: DeployedTemplate;
  readonly product: DeployedTemplate;
  readonly branch?: DeployedTemplate;
  /** The launch role's logical id in the baseline and its resolved policies. */
  readonly launchRole: { readonly logicalId: string; readonly policies: PolicyDocument[] };
  /** The branch stacks' CloudFormation service role in the product template (CodeCommit variant only). */
  readonly cloudFormationRole?: { readonly logicalId: string; readonly policies: PolicyDocument[] };
}

/** The role of `template` whose trust policy names `service`. */
export function roleTrusting(stack: DeployedTemplate, service: string): string {
  const found = logicalIdsOfType(stack.template, 'AWS::IAM::Role').filter((id) =>
    JSON.stringify(stack.resource(id).Properties?.AssumeRolePolicyDocument ?? {}).includes(`"${service}"`),
  );
  if (found.length !== 1 || !found[0]) throw new Error(`${found.length} roles trust ${service}`);
  return found[0];
}

export function deploymentOf(built: BuiltTemplates, project: { name: string; id: string } = PROJECT): Deployment {
  const env = { account: TEST_ACCOUNT, region: TEST_REGION };
  const baseline = new DeployedTemplate({
    ...env,
    template: built.baselineTemplate.toJSON() as CfnTemplateJson,
    stackName: STACK_NAME,
  });
  const product = new DeployedTemplate({
    ...env,
    template: built.productTemplate.toJSON() as CfnTemplateJson,
    stackName: PRODUCT_STACK_NAME,
    parameters: { SageMakerProjectName: project.name, SageMakerProjectId: project.id },
  });
  const launchRoleId = roleTrusting(baseline, 'servicecatalog.amazonaws.com');
  const deployment = {
    baseline,
    product,
    launchRole: { logicalId: launchRoleId, policies: rolePolicies(baseline, launchRoleId) },
  };
  if (!built.branchTemplate) return deployment;

  const cfnRoleId = roleTrusting(product, 'cloudformation.amazonaws.com');
  const branchFunction = logicalIdsOfType(product.template, 'AWS::Lambda::Function').find(
    (id) =>
      (product.resource(id).Properties?.Environment as { Variables?: object } | undefined)?.Variables &&
      'PIPELINE_STACK_PARAMETERS' in (product.resource(id).Properties?.Environment as { Variables: object }).Variables,
  );
  if (!branchFunction) throw new Error('no function of the product has PIPELINE_STACK_PARAMETERS');
  const variables = (product.properties(branchFunction).Environment as { Variables: Record<string, string> }).Variables;
  const branch = new DeployedTemplate({
    ...env,
    template: built.branchTemplate.toJSON() as CfnTemplateJson,
    stackName: branchStackName(project.name, BRANCH),
    parameters: {
      ...(JSON.parse(variables.PIPELINE_STACK_PARAMETERS ?? '{}') as Record<string, string>),
      BranchName: BRANCH,
      PipelineName: codePipelineName(project.name, BRANCH),
    },
  });
  return {
    ...deployment,
    branch,
    cloudFormationRole: { logicalId: cfnRoleId, policies: rolePolicies(product, cfnRoleId) },
  };
}
