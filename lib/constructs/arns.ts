/**
 * ARNs of resources in the stack of a construct (its partition, region and account, tokens in a product stack):
 * the project-scoped ARN builders every construct used to write for itself.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** `arn:<partition>:<service>:<region>:<account>:<resource>/<resourceName>` in the stack of `scope`. */
export function stackArn(scope: IConstruct, service: string, resource: string, resourceName: string): string {
  return Stack.of(scope).formatArn({ service, resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
}

/** A SageMaker ARN (`model-package-group/…`, `model-package/…`, `pipeline/…`) in the stack of `scope`. */
export function sageMakerArn(scope: IConstruct, resource: string, resourceName: string): string {
  return stackArn(scope, 'sagemaker', resource, resourceName);
}
