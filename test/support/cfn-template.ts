/**
 * A synthesized CloudFormation template "as deployed", without an emulator: the physical names CloudFormation
 * would give its resources (the template's name property, else `<stack name>-<logical id>-<suffix>`, as
 * CloudFormation generates them), their `Ref` and `Fn::GetAtt` values and ARNs, and the template's values with
 * every intrinsic resolved (`Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select`, `Fn::Split`, pseudo
 * parameters). Used by the IAM oracles to turn the synthesized policies and resources into plain strings.
 *
 *   const stack = new DeployedTemplate({ template, stackName: 'SC-111111111111-pp-abc', parameters, account, region });
 *   stack.arn('ArtifactsBucket88671897')             // arn:aws:s3:::sc-111111111111-pp-abc-artifactsbucket...
 *   rolePolicies(stack, 'LaunchRoleC6D4F1D0')        // the role's identity policies, resolved
 */
import { createHash } from 'node:crypto';
import type { PolicyDocument } from './iam-policy';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
  readonly DeletionPolicy?: string;
}

export interface CfnTemplateJson {
  readonly Parameters?: Record<string, { Type: string; Default?: unknown }>;
  readonly Resources: Record<string, CfnResource>;
}

export interface DeployedTemplateOptions {
  readonly template: CfnTemplateJson;
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  /** Parameter values (defaults fill the rest). */
  readonly parameters?: Record<string, string>;
  /** Values of `Fn::ImportValue`-free outside references, if any: not needed by this app. */
}

export class UnresolvableValueError extends Error {
  override readonly name = 'UnresolvableValueError';
}

/** Name property and name length limit of the types that take one; CloudFormation generates the rest. */
const NAME_PROPERTY: Record<string, { property?: string; max: number; lowerCase?: boolean }> = {
  'AWS::S3::Bucket': { property: 'BucketName', max: 63, lowerCase: true },
  'AWS::IAM::Role': { property: 'RoleName', max: 64 },
  'AWS::IAM::ManagedPolicy': { property: 'ManagedPolicyName', max: 128 },
  'AWS::Lambda::Function': { property: 'FunctionName', max: 64 },
  'AWS::SQS::Queue': { property: 'QueueName', max: 80 },
  'AWS::SNS::Topic': { property: 'TopicName', max: 256 },
  'AWS::Events::Rule': { property: 'Name', max: 64 },
  'AWS::Logs::LogGroup': { property: 'LogGroupName', max: 512 },
  'AWS::DynamoDB::Table': { property: 'TableName', max: 255 },
  'AWS::CloudWatch::Alarm': { property: 'AlarmName', max: 255 },
  'AWS::CodeBuild::Project': { property: 'Name', max: 150 },
  'AWS::CodePipeline::Pipeline': { property: 'Name', max: 100 },
  'AWS::CodeCommit::Repository': { property: 'RepositoryName', max: 100 },
  'AWS::SageMaker::ModelPackageGroup': { property: 'ModelPackageGroupName', max: 63 },
  'AWS::SageMaker::CodeRepository': { property: 'CodeRepositoryName', max: 63 },
  'AWS::SageMaker::Pipeline': { property: 'PipelineName', max: 256 },
  'AWS::Scheduler::Schedule': { property: 'Name', max: 64 },
  'AWS::SSM::Parameter': { property: 'Name', max: 1011 },
  'AWS::ECR::Repository': { property: 'RepositoryName', max: 256, lowerCase: true },
};

/** The suffix CloudFormation appends to generated names (12 characters there too). */
const SUFFIX = 'A1B2C3D4E5F6';

/** A UUID-shaped key id, fixed per logical id (KMS generates the real one). */
function keyId(logicalId: string): string {
  const hex = createHash('sha256').update(logicalId).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export class DeployedTemplate {
  readonly template: CfnTemplateJson;
  private readonly names = new Map<string, string>();

  constructor(private readonly options: DeployedTemplateOptions) {
    this.template = options.template;
    for (const [name, parameter] of Object.entries(options.template.Parameters ?? {})) {
      if (options.parameters?.[name] === undefined && parameter.Default === undefined) {
        throw new UnresolvableValueError(`template parameter ${name} needs a value`);
      }
    }
  }

  get account(): string {
    return this.options.account;
  }
  get region(): string {
    return this.options.region;
  }
  get stackName(): string {
    return this.options.stackName;
  }

  resource(logicalId: string): CfnResource {
    const resource = this.template.Resources[logicalId];
    if (!resource) throw new UnresolvableValueError(`the template has no resource ${logicalId}`);
    return resource;
  }

  /** The resource's properties with every intrinsic resolved. */
  properties(logicalId: string): Record<string, unknown> {
    return this.resolve(this.resource(logicalId).Properties ?? {}) as Record<string, unknown>;
  }

  /** The physical name: the template's name property, or the one CloudFormation generates. */
  physicalName(logicalId: string): string {
    const known = this.names.get(logicalId);
    if (known !== undefined) return known;
    const resource = this.resource(logicalId);
    const naming = NAME_PROPERTY[resource.Type];
    const given = naming?.property ? resource.Properties?.[naming.property] : undefined;
    let name: string;
    if (given !== undefined) name = this.resolveString(given, `${logicalId}.${naming?.property}`);
    else {
      const max = naming?.max ?? 255;
      name = `${this.options.stackName}-${logicalId}`.slice(0, max - SUFFIX.length - 1) + `-${SUFFIX}`;
      if (naming?.lowerCase) name = name.toLowerCase();
    }
    this.names.set(logicalId, name);
    return name;
  }

  /** The ARN IAM uses for the resource (the Service Authorization Reference's resource type). */
  arn(logicalId: string): string {
    const { account, region } = this.options;
    const resource = this.resource(logicalId);
    const name = () => this.physicalName(logicalId);
    const at = (service: string, path: string) => `arn:aws:${service}:${region}:${account}:${path}`;
    switch (resource.Type) {
      case 'AWS::S3::Bucket':
        return `arn:aws:s3:::${name()}`;
      case 'AWS::IAM::Role': {
        const path = (resource.Properties?.Path as string | undefined) ?? '/';
        return `arn:aws:iam::${account}:role${path}${name()}`;
      }
      case 'AWS::IAM::ManagedPolicy':
        return `arn:aws:iam::${account}:policy${(resource.Properties?.Path as string | undefined) ?? '/'}${name()}`;
      case 'AWS::Lambda::Function':
        return at('lambda', `function:${name()}`);
      case 'AWS::SQS::Queue':
        return at('sqs', name());
      case 'AWS::SNS::Topic':
        return at('sns', name());
      case 'AWS::Events::Rule':
        return at('events', `rule/${name()}`);
      case 'AWS::Logs::LogGroup':
        return at('logs', `log-group:${name()}`);
      case 'AWS::DynamoDB::Table':
        return at('dynamodb', `table/${name()}`);
      case 'AWS::CloudWatch::Alarm':
        return at('cloudwatch', `alarm:${name()}`);
      case 'AWS::CodeBuild::Project':
        return at('codebuild', `project/${name()}`);
      case 'AWS::CodePipeline::Pipeline':
        return at('codepipeline', name());
      case 'AWS::CodeCommit::Repository':
        return at('codecommit', name());
      case 'AWS::SageMaker::ModelPackageGroup':
        return at('sagemaker', `model-package-group/${name().toLowerCase()}`);
      case 'AWS::SageMaker::CodeRepository':
        return at('sagemaker', `code-repository/${name().toLowerCase()}`);
      case 'AWS::SageMaker::Pipeline':
        return at('sagemaker', `pipeline/${name().toLowerCase()}`);
      case 'AWS::Scheduler::Schedule':
        return at('scheduler', `schedule/default/${name()}`);
      case 'AWS::SSM::Parameter':
        return at('ssm', `parameter/${name().replace(/^\//, '')}`);
      case 'AWS::ECR::Repository':
        return at('ecr', `repository/${name()}`);
      case 'AWS::KMS::Key':
        // KMS generates the key id (a UUID); a fixed one per logical id stands in for it.
        return at('kms', `key/${keyId(logicalId)}`);
      default:
        throw new UnresolvableValueError(
          `${logicalId}: no ARN known for ${resource.Type} (add it to DeployedTemplate.arn)`,
        );
    }
  }

  /** `Ref` of a resource, as CloudFormation documents it per type. */
  ref(logicalId: string): string {
    const { account, region } = this.options;
    const type = this.resource(logicalId).Type;
    switch (type) {
      case 'AWS::SQS::Queue':
        return `https://sqs.${region}.amazonaws.com/${account}/${this.physicalName(logicalId)}`;
      case 'AWS::SNS::Topic':
      case 'AWS::SageMaker::ModelPackageGroup':
      case 'AWS::SageMaker::Pipeline':
        return this.arn(logicalId);
      case 'AWS::CodeCommit::Repository':
        return `${logicalId}-repository-id`;
      case 'AWS::KMS::Key':
        return keyId(logicalId);
      default:
        if (NAME_PROPERTY[type]) return this.physicalName(logicalId);
        return `${this.options.stackName}-${logicalId}-${SUFFIX}`;
    }
  }

  getAtt(logicalId: string, attribute: string): string {
    const { region } = this.options;
    const type = this.resource(logicalId).Type;
    const name = this.physicalName(logicalId);
    if (attribute === 'Arn') {
      // CloudFormation's LogGroup Arn attribute ends in ":*".
      return type === 'AWS::Logs::LogGroup' ? `${this.arn(logicalId)}:*` : this.arn(logicalId);
    }
    if (attribute === 'Name' || attribute === 'QueueName' || attribute === 'TopicName') return name;
    if (attribute === 'ModelPackageGroupArn' || attribute === 'TopicArn') return this.arn(logicalId);
    if (attribute === 'QueueUrl') return this.ref(logicalId);
    if (attribute === 'CloneUrlHttp') return `https://git-codecommit.${region}.amazonaws.com/v1/repos/${name}`;
    if (attribute === 'DomainName') return `${name}.s3.amazonaws.com`;
    if (attribute === 'RegionalDomainName') return `${name}.s3.${region}.amazonaws.com`;
    if (attribute === 'RoleId') return `AROA${logicalId.slice(0, 16).toUpperCase()}`;
    throw new UnresolvableValueError(`${logicalId}.${attribute} (${type}) is not known to DeployedTemplate`);
  }

  /** Resolves every intrinsic in `value`. */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (typeof value !== 'object' || value === null) return value;
    const entries = Object.entries(value as Record<string, unknown>);
    const [first] = entries;
    if (entries.length === 1 && first && (first[0] === 'Ref' || first[0].startsWith('Fn::'))) {
      return this.intrinsic(first[0], first[1]);
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, this.resolve(v)]));
  }

  resolveString(value: unknown, what: string): string {
    const resolved = this.resolve(value);
    if (typeof resolved !== 'string') throw new UnresolvableValueError(`${what} is not a string`);
    return resolved;
  }

  private intrinsic(name: string, argument: unknown): unknown {
    switch (name) {
      case 'Ref':
        return this.refName(String(argument));
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(argument) ? argument : String(argument).split('.');
        return this.getAtt(String(logicalId), String(attribute));
      }
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown[]];
        return (this.resolve(parts) as unknown[]).map((p) => String(p)).join(separator);
      }
      case 'Fn::Select': {
        const [index, items] = argument as [unknown, unknown];
        return (this.resolve(items) as unknown[])[Number(this.resolve(index))];
      }
      case 'Fn::Split': {
        const [separator, text] = argument as [string, unknown];
        return this.resolveString(text, 'Fn::Split').split(separator);
      }
      case 'Fn::Sub': {
        const [text, variables] = typeof argument === 'string' ? [argument, {}] : (argument as [string, object]);
        const local = this.resolve(variables) as Record<string, string>;
        return text.replace(/\$\{([^!}][^}]*)\}/g, (_, key: string) => {
          if (local[key] !== undefined) return local[key];
          const [id, attribute] = key.split('.');
          return attribute === undefined ? this.refName(key) : this.getAtt(id ?? '', attribute);
        });
      }
      default:
        throw new UnresolvableValueError(`intrinsic ${name} is not supported by DeployedTemplate`);
    }
  }

  private refName(name: string): string {
    const { account, region, stackName, parameters, template } = this.options;
    const pseudo: Record<string, string> = {
      'AWS::Region': region,
      'AWS::AccountId': account,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': stackName,
      'AWS::StackId': `arn:aws:cloudformation:${region}:${account}:stack/${stackName}/00000000-0000-0000-0000-000000000000`,
    };
    if (pseudo[name] !== undefined) return pseudo[name];
    if (template.Parameters?.[name]) return String(parameters?.[name] ?? template.Parameters[name].Default);
    return this.ref(name);
  }
}

/** The logical ids of the template's resources of `type`. */
export function logicalIdsOfType(template: CfnTemplateJson, type: string): string[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === type)
    .map(([id]) => id);
}

/**
 * The identity policies of role `roleLogicalId`, resolved: its inline `Policies`, every `AWS::IAM::Policy` of the
 * template attached to it, and customer managed policies of the template it names. An AWS managed policy cannot be
 * evaluated here and throws, naming it.
 */
export function rolePolicies(stack: DeployedTemplate, roleLogicalId: string): PolicyDocument[] {
  const role = stack.resource(roleLogicalId);
  if (role.Type !== 'AWS::IAM::Role') throw new UnresolvableValueError(`${roleLogicalId} is not an IAM role`);
  const roleName = stack.physicalName(roleLogicalId);
  const props = stack.properties(roleLogicalId);
  const documents: PolicyDocument[] = [];
  for (const inline of (props.Policies as { PolicyDocument: PolicyDocument }[] | undefined) ?? []) {
    documents.push(inline.PolicyDocument);
  }
  for (const [id, resource] of Object.entries(stack.template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Policy' && resource.Type !== 'AWS::IAM::ManagedPolicy') continue;
    const policy = stack.properties(id);
    if (((policy.Roles as string[] | undefined) ?? []).includes(roleName)) {
      documents.push(policy.PolicyDocument as PolicyDocument);
    }
  }
  for (const arn of (props.ManagedPolicyArns as string[] | undefined) ?? []) {
    const local = logicalIdsOfType(stack.template, 'AWS::IAM::ManagedPolicy').find((id) => stack.arn(id) === arn);
    if (local === undefined) {
      throw new UnresolvableValueError(`${roleLogicalId} has managed policy ${arn}, which cannot be evaluated here`);
    }
  }
  return documents;
}
