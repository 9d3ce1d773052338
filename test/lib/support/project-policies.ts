/**
 * The IAM policies of one provisioned project, as IAM would hold them: the synthesized project template with its
 * parameters (SageMakerProjectName, SageMakerProjectId) and pseudo parameters substituted, and every other resource
 * named as CloudFormation names it (`<stack>-<logical id>-<suffix>`). A synchronous, offline counterpart of
 * test/e2e/support/template-resources.ts (which creates what it resolves in moto): here only names and ARNs matter.
 *
 * Also the inventory of what a project owns at run time (branch pipelines, jobs, stacks, model package groups and
 * versions...), named as docs/design.md names them and tagged as the project tags them.
 */
import { branchStackName } from '../../../contracts/naming';
import type { Statement } from './iam-evaluator';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}
export interface CfnTemplate {
  readonly Parameters?: Record<string, { Default?: string }>;
  readonly Resources: Record<string, CfnResource>;
}

export interface Project {
  readonly name: string;
  readonly id: string;
  /** The Service Catalog stack's name, `SC-<account>-pp-<id>`. */
  readonly stackName: string;
}

export const ACCOUNT = '111111111111';
export const REGION = 'us-east-1';

export class ProjectResolver {
  constructor(
    private readonly template: CfnTemplate,
    private readonly project: Project,
  ) {}

  private physicalName(logicalId: string, lower = false, max = 64): string {
    const name = `${this.project.stackName}-${logicalId}`.slice(0, max - 13) + '-ABCDEFGH1234';
    return lower ? name.toLowerCase() : name;
  }

  private arn(service: string, resource: string): string {
    return `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
  }

  private prop(resource: CfnResource, key: string): string | undefined {
    const value = resource.Properties?.[key];
    return value === undefined ? undefined : String(this.resolve(value));
  }

  /** Ref and the attributes the project's policies use, per resource type. */
  private physical(logicalId: string): { ref: string; attributes: Record<string, string> } {
    const resource = this.template.Resources[logicalId];
    if (resource === undefined) throw new Error(`the template has no resource ${logicalId}`);
    switch (resource.Type) {
      case 'AWS::IAM::Role': {
        const name = this.prop(resource, 'RoleName') ?? this.physicalName(logicalId);
        const path = this.prop(resource, 'Path') ?? '/';
        return { ref: name, attributes: { Arn: `arn:aws:iam::${ACCOUNT}:role${path}${name}` } };
      }
      case 'AWS::S3::Bucket': {
        const name = this.prop(resource, 'BucketName') ?? this.physicalName(logicalId, true, 63);
        return { ref: name, attributes: { Arn: `arn:aws:s3:::${name}` } };
      }
      case 'AWS::DynamoDB::Table': {
        const name = this.prop(resource, 'TableName') ?? this.physicalName(logicalId, false, 255);
        return { ref: name, attributes: { Arn: this.arn('dynamodb', `table/${name}`) } };
      }
      case 'AWS::SQS::Queue': {
        const name = this.physicalName(logicalId, false, 80);
        return {
          ref: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`,
          attributes: { Arn: this.arn('sqs', name), QueueName: name },
        };
      }
      case 'AWS::SNS::Topic': {
        const name = this.prop(resource, 'TopicName') ?? this.physicalName(logicalId, false, 256);
        const arn = this.arn('sns', name);
        return { ref: arn, attributes: { TopicArn: arn, TopicName: name } };
      }
      case 'AWS::Lambda::Function': {
        const name = this.prop(resource, 'FunctionName') ?? this.physicalName(logicalId);
        return { ref: name, attributes: { Arn: this.arn('lambda', `function:${name}`) } };
      }
      case 'AWS::Logs::LogGroup': {
        const name = this.prop(resource, 'LogGroupName') ?? this.physicalName(logicalId, false, 512);
        return { ref: name, attributes: { Arn: this.arn('logs', `log-group:${name}:*`) } };
      }
      case 'AWS::CodeCommit::Repository': {
        const name = this.prop(resource, 'RepositoryName') ?? this.physicalName(logicalId);
        return { ref: `${name}-id`, attributes: { Arn: this.arn('codecommit', name), Name: name } };
      }
      case 'AWS::CodeBuild::Project': {
        const name = this.prop(resource, 'Name') ?? this.physicalName(logicalId, false, 255);
        return { ref: name, attributes: { Arn: this.arn('codebuild', `project/${name}`) } };
      }
      case 'AWS::SageMaker::ModelPackageGroup': {
        const name = this.prop(resource, 'ModelPackageGroupName') ?? this.physicalName(logicalId);
        const arn = this.arn('sagemaker', `model-package-group/${name}`);
        return { ref: arn, attributes: { ModelPackageGroupArn: arn } };
      }
      case 'AWS::Events::Rule': {
        const name = this.prop(resource, 'Name') ?? this.physicalName(logicalId);
        return { ref: name, attributes: { Arn: this.arn('events', `rule/${name}`) } };
      }
      case 'AWS::IAM::ManagedPolicy': {
        const name = this.prop(resource, 'ManagedPolicyName') ?? this.physicalName(logicalId);
        return { ref: `arn:aws:iam::${ACCOUNT}:policy/${name}`, attributes: {} };
      }
      default: {
        const name = this.physicalName(logicalId);
        return { ref: name, attributes: { Arn: this.arn('unknown', name) } };
      }
    }
  }

  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (typeof value !== 'object' || value === null) return value;
    const entries = Object.entries(value as Record<string, unknown>);
    const [first] = entries;
    if (entries.length === 1 && first && (first[0] === 'Ref' || first[0].startsWith('Fn::'))) {
      const [name, argument] = first;
      switch (name) {
        case 'Ref':
          return this.ref(String(argument));
        case 'Fn::GetAtt': {
          const [id, attribute] = Array.isArray(argument) ? argument : String(argument).split('.');
          const found = this.physical(String(id)).attributes[String(attribute)];
          if (found === undefined) throw new Error(`${String(id)}.${String(attribute)} is not modelled`);
          return found;
        }
        case 'Fn::Join': {
          const [separator, parts] = argument as [string, unknown[]];
          return (this.resolve(parts) as unknown[]).map(String).join(separator);
        }
        case 'Fn::Select': {
          const [index, items] = argument as [number, unknown];
          return (this.resolve(items) as unknown[])[Number(index)];
        }
        case 'Fn::Split': {
          const [separator, text] = argument as [string, unknown];
          return String(this.resolve(text)).split(separator);
        }
        case 'Fn::Sub': {
          const text = typeof argument === 'string' ? argument : (argument as [string])[0];
          return text.replace(/\$\{([^!}][^}]*)\}/g, (_, key: string) => {
            const [id, attribute] = key.split('.');
            return attribute === undefined ? this.ref(key) : String(this.resolve({ 'Fn::GetAtt': [id, attribute] }));
          });
        }
        default:
          throw new Error(`intrinsic ${name} is not modelled`);
      }
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, this.resolve(v)]));
  }

  private ref(name: string): string {
    const pseudo: Record<string, string> = {
      'AWS::Region': REGION,
      'AWS::AccountId': ACCOUNT,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': this.project.stackName,
      'AWS::StackId': `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${this.project.stackName}/uuid`,
    };
    if (pseudo[name] !== undefined) return pseudo[name];
    if (name === 'SageMakerProjectName') return this.project.name;
    if (name === 'SageMakerProjectId') return this.project.id;
    const parameter = this.template.Parameters?.[name];
    if (parameter !== undefined) {
      if (parameter.Default === undefined) throw new Error(`parameter ${name} has no value`);
      return parameter.Default;
    }
    return this.physical(name).ref;
  }

  /** ARN of a template resource, when it has one. */
  arnOf(logicalId: string): string | undefined {
    const { ref, attributes } = this.physical(logicalId);
    return (
      attributes.Arn ??
      attributes.TopicArn ??
      attributes.ModelPackageGroupArn ??
      (ref.startsWith('arn:') ? ref : undefined)
    );
  }
}

/** Every role of the template with the statements IAM holds for it (inline, AWS::IAM::Policy, managed in-template). */
export function rolePolicies(template: CfnTemplate, project: Project): Map<string, Statement[]> {
  const resolver = new ProjectResolver(template, project);
  const roles = new Map<string, Statement[]>();
  const add = (roleLogicalId: string, document: unknown) => {
    const statements = (resolver.resolve(document) as { Statement: Statement[] }).Statement;
    roles.set(roleLogicalId, [...(roles.get(roleLogicalId) ?? []), ...statements]);
  };
  for (const [id, resource] of Object.entries(template.Resources)) {
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::IAM::Role') {
      roles.set(id, roles.get(id) ?? []);
      for (const policy of (props.Policies as { PolicyDocument: unknown }[] | undefined) ?? [])
        add(id, policy.PolicyDocument);
    }
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      for (const role of (props.Roles as { Ref: string }[] | undefined) ?? []) add(role.Ref, props.PolicyDocument);
    }
  }
  return roles;
}

/** One resource of a project, as a request names it. */
export interface OwnedResource {
  readonly kind: string;
  readonly arn: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Its name is derived from the project name (so another project could create it before it exists). */
  readonly predictableName: boolean;
}

/**
 * What project `p` owns once it runs: its template's resources, and what its branches, builds and pipelines create
 * (names from docs/design.md, tags as the parts set them).
 */
export function ownedResources(template: CfnTemplate, p: Project): OwnedResource[] {
  const resolver = new ProjectResolver(template, p);
  const tags = { 'sagemaker:project-name': p.name, 'sagemaker:project-id': p.id };
  const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
  const owned: OwnedResource[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type.startsWith('Custom::') || resource.Type === 'AWS::IAM::Policy') continue;
    const resourceArn = resolver.arnOf(id);
    if (resourceArn === undefined || resourceArn.includes(':unknown:')) continue;
    owned.push({ kind: resource.Type, arn: resourceArn, tags, predictableName: false });
    if (resource.Type === 'AWS::S3::Bucket') {
      owned.push({
        kind: 'S3 object',
        arn: `${resourceArn}/${p.name}-experiment--x/code/c/run.py`,
        tags: {},
        predictableName: false,
      });
    }
  }
  const branch = 'experiment/deeper-trees';
  const slug = 'experiment--deeper-trees';
  const execution = 'abcdef123456';
  const job = `pipelines-${execution}-TrainModel-Zx9`;
  const runtime: [string, string, Record<string, string>, boolean][] = [
    ['SageMaker pipeline', arn('sagemaker', `pipeline/${p.name}-${slug}`), tags, true],
    ['SageMaker pipeline execution', arn('sagemaker', `pipeline/${p.name}-${slug}/execution/${execution}`), {}, false],
    ['training job', arn('sagemaker', `training-job/${job}`), tags, false],
    ['processing job', arn('sagemaker', `processing-job/pipelines-${execution}-PreprocessData-Ab1`), tags, false],
    ['tuning job', arn('sagemaker', `hyper-parameter-tuning-job/pipelines-${execution}-TuneModel`), tags, false],
    // A SQL extract job's interface in the warehouse subnets (context `warehouse`), created by SageMaker untagged.
    ['network interface', `arn:aws:ec2:${REGION}:${ACCOUNT}:network-interface/eni-0${p.id.slice(2)}`, {}, false],
    ['model package group', arn('sagemaker', `model-package-group/model-${p.name}`), tags, true],
    ['further model package group', arn('sagemaker', `model-package-group/model-${p.name}-ranker`), tags, true],
    ['model version', arn('sagemaker', `model-package/model-${p.name}/1`), tags, false],
    ['further model version', arn('sagemaker', `model-package/model-${p.name}-ranker/1`), tags, false],
    ['experiment', arn('sagemaker', `experiment/model-${p.name}`), tags, true],
    ['trial', arn('sagemaker', `experiment-trial/${'c'.repeat(40)}`), {}, false],
    ['trial component', arn('sagemaker', `experiment-trial-component/${job}-aws-training-job`), {}, false],
    ['CodePipeline', arn('codepipeline', `${p.name}-${slug}`), tags, true],
    ['branch stack', arn('cloudformation', `stack/${branchStackName(p.name, branch)}/0a1b2c3d-uuid`), tags, true],
    ['trigger rule', arn('events', `rule/mbm-${p.id}-0a1b2c3d-uuid`), tags, false],
    [
      'job log stream',
      arn('logs', `log-group:/aws/sagemaker/TrainingJobs:log-stream:${job}/algo-1-1700000000`),
      {},
      false,
    ],
    ['build log stream', arn('logs', `log-group:/aws/codebuild/model-${p.name}-train:log-stream:b1`), {}, false],
    ['release function', arn('lambda', `function:release-model-package-${p.name}`), tags, true],
    ['repository', arn('codecommit', `model-${p.name}-train`), tags, true],
    // Not an ARN IAM knows (templates have none; their actions take Resource "*"): stands for the project's template.
    ['approval rule template', arn('codecommit', `approval-rule-template/mbm-${p.id}-main`), {}, false],
    ['build project', arn('codebuild', `project/model-${p.name}-train`), tags, true],
  ];
  for (const [kind, resourceArn, resourceTags, predictableName] of runtime) {
    owned.push({ kind, arn: resourceArn, tags: resourceTags, predictableName });
  }
  return owned;
}
