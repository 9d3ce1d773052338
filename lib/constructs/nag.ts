/**
 * Acknowledgements of cdk-nag (AwsSolutions) findings, each with its reason. cdk-nag 3 reports each wildcard of an
 * IAM policy as its own finding (`AwsSolutions-IAM5[Resource::...]`, `AwsSolutions-IAM5[Action::...]`), so each is
 * acknowledged on its own, where the statement is written.
 */
import { CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** Acknowledges a whole rule (for example `AwsSolutions-S1`) on `scope` and its children. */
export function acknowledgeRule(scope: IConstruct, ruleId: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions::AwsSolutions-${ruleId}`, reason });
}

/**
 * Acknowledges IAM5 findings on `scope` and its children; keys are the findings as cdk-nag prints them
 * (`Resource::arn:<AWS::Partition>:...`, `Action::s3:List*`), values the reasons.
 */
export function acknowledgeWildcards(scope: IConstruct, findings: Record<string, string>): void {
  for (const [finding, reason] of Object.entries(findings)) {
    Validations.of(scope).acknowledge({ id: `AwsSolutions::AwsSolutions-IAM5[${finding}]`, reason });
  }
}

/** How cdk-nag prints `Fn::GetAtt <resource>.<attribute>` of a CloudFormation resource. */
export function nagAttribute(element: IConstruct, attribute: string): string {
  const stack = Stack.of(element);
  return `<${stack.resolve(stack.getLogicalId(element as CfnElement)) as string}.${attribute}>`;
}

/** How cdk-nag prints a (possibly tokenized) string: `Ref X` as `<X>`, `Fn::GetAtt X.A` as `<X.A>`, joins inline. */
export function nagString(scope: IConstruct, value: string): string {
  const render = (part: unknown): string => {
    if (typeof part === 'string' || typeof part === 'number') return String(part);
    if (part !== null && typeof part === 'object') {
      const intrinsic = part as Record<string, unknown>;
      if (typeof intrinsic.Ref === 'string') return `<${intrinsic.Ref}>`;
      const getAtt = intrinsic['Fn::GetAtt'];
      if (Array.isArray(getAtt)) return `<${getAtt.map(String).join('.')}>`;
      const join = intrinsic['Fn::Join'];
      if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
        return join[1].map(render).join(join[0]);
      }
    }
    throw new Error(`cannot render ${JSON.stringify(part)} as cdk-nag does`);
  };
  return render(Stack.of(scope).resolve(value));
}

/** The IAM5 finding key of a resource ARN with a wildcard. */
export function nagResource(scope: IConstruct, arn: string): string {
  return `Resource::${nagString(scope, arn)}`;
}
