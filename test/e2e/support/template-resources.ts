/**
 * The values a deployed project template would hold, with the emulator standing in for AWS: resolves the
 * CloudFormation intrinsics (`Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, pseudo parameters) of the synthesized
 * project template, creating in moto, on first reference, the resources whose values the emulator provides:
 * - `AWS::S3::Bucket` → CreateBucket (the template's `BucketName`, else a generated name) and its versioning;
 * - `AWS::DynamoDB::Table` → CreateTable with the template's key schema, attributes and billing mode;
 * - `AWS::IAM::Role` → CreateRole with the template's path and trust policy (IAM's Query API: the project has no
 *   IAM client, and moto accepts an unsigned request);
 * - `AWS::SageMaker::ModelPackageGroup` → CreateModelPackageGroup with the template's name and tags.
 * `AWS::SQS::Queue` and `AWS::Logs::LogGroup` are named, not created (the roles' policies name them). Two more
 * types are named, not created: `AWS::CodeCommit::Repository` (the real git bare repository plays it; moto's
 * CodeCommit lacks branch APIs) and `AWS::CodeBuild::Project` (the tests run its build themselves).
 * Anything else the template references throws, naming the resource, so a new dependency shows up here.
 */
import { CreateTableCommand, DynamoDBClient, KeySchemaElement, AttributeDefinition } from '@aws-sdk/client-dynamodb';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateModelPackageGroupCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';

export interface CfnTemplate {
  Parameters?: Record<string, { Type: string; Default?: string }>;
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

/** The logical ids of the template's resources of `type`. */
export function resourcesOfType(template: CfnTemplate, type: string): string[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === type)
    .map(([id]) => id);
}

export interface TemplateResourcesOptions {
  readonly template: CfnTemplate;
  /** What SageMaker passes, e.g. `{ SageMakerProjectName: 'demo', SageMakerProjectId: 'p-abc' }`. */
  readonly parameters: Record<string, string>;
  /** The name CloudFormation would give the stack (generated names start with it). */
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  /** moto's endpoint. */
  readonly endpoint: string;
}

interface Physical {
  readonly ref: string;
  readonly attributes: Record<string, string>;
}

export class UnsupportedTemplateValueError extends Error {
  override readonly name = 'UnsupportedTemplateValueError';
}

export class TemplateResources {
  /** What the test created in the emulator, by logical id. */
  private readonly created = new Map<string, Physical>();
  private readonly pending = new Map<string, Promise<Physical>>();
  private readonly s3 = new S3Client({ forcePathStyle: true });
  private readonly dynamodb = new DynamoDBClient({});
  private readonly sagemaker = new SageMakerClient({});
  private readonly iam = new IAMClient({});

  constructor(private readonly options: TemplateResourcesOptions) {
    for (const [name, parameter] of Object.entries(options.template.Parameters ?? {})) {
      if (options.parameters[name] === undefined && parameter.Default === undefined) {
        throw new UnsupportedTemplateValueError(`template parameter ${name} needs a value`);
      }
    }
  }

  /** Resolves every intrinsic in `value` (a property, an environment, an event pattern). */
  async resolve(value: unknown): Promise<unknown> {
    if (Array.isArray(value)) return Promise.all(value.map((v) => this.resolve(v)));
    if (typeof value !== 'object' || value === null) return value;
    const entries = Object.entries(value as Record<string, unknown>);
    const [first] = entries;
    if (entries.length === 1 && first && (first[0] === 'Ref' || first[0].startsWith('Fn::'))) {
      return this.intrinsic(first[0], first[1]);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) out[k] = await this.resolve(v);
    return out;
  }

  /**
   * Creates every resource of `type` in the emulator, referenced or not: what a deployment creates that the story
   * needs to exist (the model package group the pipelines register into).
   */
  async createAll(type: string): Promise<string[]> {
    const ids = resourcesOfType(this.options.template, type);
    for (const id of ids) await this.physical(id);
    return ids;
  }

  /** Resolves a value that must be a string. */
  async resolveString(value: unknown, what: string): Promise<string> {
    const resolved = await this.resolve(value);
    if (typeof resolved !== 'string') throw new UnsupportedTemplateValueError(`${what} is not a string`);
    return resolved;
  }

  private async intrinsic(name: string, argument: unknown): Promise<unknown> {
    switch (name) {
      case 'Ref':
        return this.ref(String(argument));
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(argument) ? argument : String(argument).split('.');
        return this.getAtt(String(logicalId), String(attribute));
      }
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown[]];
        const values = await Promise.all(parts.map((p) => this.resolveString(p, 'a Fn::Join part')));
        return values.join(separator);
      }
      case 'Fn::Sub': {
        const [text, variables] = typeof argument === 'string' ? [argument, {}] : (argument as [string, object]);
        const local = (await this.resolve(variables)) as Record<string, string>;
        let out = '';
        let last = 0;
        for (const match of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
          const key = match[1] ?? '';
          const [id, attribute] = key.split('.');
          const replacement =
            local[key] ?? (attribute === undefined ? await this.ref(key) : await this.getAtt(id ?? '', attribute));
          out += text.slice(last, match.index) + replacement;
          last = (match.index ?? 0) + match[0].length;
        }
        return out + text.slice(last);
      }
      default:
        throw new UnsupportedTemplateValueError(`intrinsic ${name} is not supported by the e2e resolver`);
    }
  }

  private async ref(name: string): Promise<string> {
    const { account, region, stackName, parameters, template } = this.options;
    const pseudo: Record<string, string> = {
      'AWS::Region': region,
      'AWS::AccountId': account,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': stackName,
    };
    if (pseudo[name] !== undefined) return pseudo[name];
    if (template.Parameters?.[name]) {
      const value = parameters[name] ?? template.Parameters[name].Default;
      if (value === undefined) throw new UnsupportedTemplateValueError(`parameter ${name} has no value`);
      return value;
    }
    return (await this.physical(name)).ref;
  }

  private async getAtt(logicalId: string, attribute: string): Promise<string> {
    const physical = await this.physical(logicalId);
    const value = physical.attributes[attribute];
    if (value === undefined) {
      throw new UnsupportedTemplateValueError(`${logicalId}.${attribute} is not known to the e2e resolver`);
    }
    return value;
  }

  private physical(logicalId: string): Promise<Physical> {
    const done = this.created.get(logicalId);
    if (done) return Promise.resolve(done);
    let promise = this.pending.get(logicalId);
    if (!promise) {
      promise = this.create(logicalId).then((physical) => {
        this.created.set(logicalId, physical);
        return physical;
      });
      this.pending.set(logicalId, promise);
    }
    return promise;
  }

  /** A name as CloudFormation generates it: stack name, logical id, a suffix. */
  private generatedName(logicalId: string, maxLength: number, lowercase = false): string {
    const suffix = Math.random().toString(36).slice(2, 10).toUpperCase();
    const name = `${this.options.stackName}-${logicalId}`.slice(0, maxLength - suffix.length - 1) + `-${suffix}`;
    return lowercase ? name.toLowerCase() : name;
  }

  private async create(logicalId: string): Promise<Physical> {
    const resource = this.options.template.Resources[logicalId];
    if (!resource) throw new UnsupportedTemplateValueError(`the template has no resource ${logicalId}`);
    const props = resource.Properties ?? {};
    const { account, region } = this.options;
    const optionalName = async (key: string) =>
      props[key] === undefined ? undefined : this.resolveString(props[key], `${logicalId}.${key}`);

    switch (resource.Type) {
      case 'AWS::S3::Bucket': {
        const name = (await optionalName('BucketName')) ?? this.generatedName(logicalId, 63, true);
        await this.s3.send(new CreateBucketCommand({ Bucket: name }));
        const versioning = props.VersioningConfiguration as { Status?: 'Enabled' | 'Suspended' } | undefined;
        if (versioning?.Status !== undefined) {
          await this.s3.send(
            new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: versioning.Status } }),
          );
        }
        return {
          ref: name,
          attributes: {
            Arn: `arn:aws:s3:::${name}`,
            DomainName: `${name}.s3.amazonaws.com`,
            RegionalDomainName: `${name}.s3.${region}.amazonaws.com`,
          },
        };
      }
      case 'AWS::DynamoDB::Table': {
        const name = (await optionalName('TableName')) ?? this.generatedName(logicalId, 255);
        const out = await this.dynamodb.send(
          new CreateTableCommand({
            TableName: name,
            KeySchema: props.KeySchema as KeySchemaElement[],
            AttributeDefinitions: props.AttributeDefinitions as AttributeDefinition[],
            BillingMode: (props.BillingMode as 'PAY_PER_REQUEST' | undefined) ?? 'PROVISIONED',
            ...(props.BillingMode === 'PAY_PER_REQUEST'
              ? {}
              : { ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } }),
          }),
        );
        return { ref: name, attributes: { Arn: out.TableDescription?.TableArn ?? '' } };
      }
      case 'AWS::IAM::Role': {
        const name = (await optionalName('RoleName')) ?? this.generatedName(logicalId, 64);
        const trust = await this.resolve(props.AssumeRolePolicyDocument);
        const arn = await this.createRole(name, (await optionalName('Path')) ?? '/', JSON.stringify(trust));
        return { ref: name, attributes: { Arn: arn } };
      }
      case 'AWS::SageMaker::ModelPackageGroup': {
        const name = await this.resolveString(props.ModelPackageGroupName, `${logicalId}.ModelPackageGroupName`);
        const out = await this.sagemaker.send(
          new CreateModelPackageGroupCommand({
            ModelPackageGroupName: name,
            ModelPackageGroupDescription: (await optionalName('ModelPackageGroupDescription')) ?? undefined,
            Tags: await Promise.all(
              ((props.Tags as { Key: string; Value: unknown }[] | undefined) ?? []).map(async (tag) => ({
                Key: tag.Key,
                Value: await this.resolveString(tag.Value, `${logicalId}.Tags.${tag.Key}`),
              })),
            ),
          }),
        );
        const arn = out.ModelPackageGroupArn ?? '';
        return { ref: arn, attributes: { ModelPackageGroupArn: arn } };
      }
      case 'AWS::CodeCommit::Repository': {
        const name = await this.resolveString(props.RepositoryName, `${logicalId}.RepositoryName`);
        return {
          ref: `${logicalId}-id`,
          attributes: {
            Name: name,
            Arn: `arn:aws:codecommit:${region}:${account}:${name}`,
            CloneUrlHttp: `https://git-codecommit.${region}.amazonaws.com/v1/repos/${name}`,
          },
        };
      }
      case 'AWS::CodeBuild::Project': {
        const name = (await optionalName('Name')) ?? this.generatedName(logicalId, 255);
        return { ref: name, attributes: { Arn: `arn:aws:codebuild:${region}:${account}:project/${name}` } };
      }
      case 'AWS::SQS::Queue': {
        // Named only (the functions' policies name their dead-letter queues; nothing here sends to them).
        const name = (await optionalName('QueueName')) ?? this.generatedName(logicalId, 80);
        return {
          ref: `https://sqs.${region}.amazonaws.com/${account}/${name}`,
          attributes: { Arn: `arn:aws:sqs:${region}:${account}:${name}`, QueueName: name },
        };
      }
      case 'AWS::Logs::LogGroup': {
        const name = (await optionalName('LogGroupName')) ?? this.generatedName(logicalId, 512);
        return { ref: name, attributes: { Arn: `arn:aws:logs:${region}:${account}:log-group:${name}:*` } };
      }
      default:
        throw new UnsupportedTemplateValueError(
          `${logicalId} (${resource.Type}) is referenced but the e2e resolver cannot create it in the emulator`,
        );
    }
  }

  private async createRole(name: string, rolePath: string, trustPolicy: string): Promise<string> {
    // Signed by the SDK with the test's credentials, so it works with moto's IAM enforcement on.
    const out = await this.iam.send(
      new CreateRoleCommand({ RoleName: name, Path: rolePath, AssumeRolePolicyDocument: trustPolicy }),
    );
    const arn = out.Role?.Arn;
    if (!arn) throw new Error(`CreateRole ${name} returned no ARN`);
    return arn;
  }
}
