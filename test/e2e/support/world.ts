/**
 * Everything the end-to-end story runs on, set up once: moto_server, the synthesized app, the project "deployed"
 * (the resources its handlers reference created in moto, the per-branch template uploaded where the branch Lambda
 * reads it), the real git repository seeded with the synthesized seed code, the CodeCommit stand-in, both Lambda
 * functions running from their bundles, the event bus with the template's rules, CodePipeline/CodeBuild and
 * SageMaker played on top of moto.
 *
 * {@link World.deliver} is "what happens after a git operation": each event goes to the bus at once (EventBridge),
 * then the branch pipelines it started run (CodePipeline → CodeBuild → run.js).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { credentialsForRole, enableIamEnforcement, RoleSession } from '../../support/iam-enforcement';
import type { PolicyDocument } from '../../support/iam-policy';
import { MotoServer, startMoto, useMotoEnvironment } from '../../support/moto';
import { BranchPipelines, BuildRun } from './branch-pipelines';
import { AddTagsCommand, DescribeModelPackageGroupCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  CodeCommitStandIn,
  PullRequestStore,
  startCodeCommitStandIn,
  startPullRequestStandIn,
} from './codecommit-standin';
import { DeployedFunction, SynthesizedApp, synthesizeApp } from './deployed-app';
import { Delivery, EventBus } from './event-bus';
import { AwsEvent, GitRepository } from './git-events';
import { SageMakerPlayer } from './sagemaker-player';
import { SageMakerStepsStandIn, startSageMakerStepsStandIn } from '../../support/sagemaker-steps';
import { CfnTemplate, resourcesOfType, TemplateResources } from './template-resources';

/** moto's account: ARNs it returns carry it, so the app is synthesized for it. */
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const PROJECT_NAME = 'churn';
export const PROJECT_ID = 'p-e2e0000001';

export interface DeliveryReport {
  readonly event: AwsEvent;
  readonly deliveries: Delivery[];
  readonly builds: BuildRun[];
}

export class World {
  private constructor(
    readonly moto: MotoServer,
    readonly app: SynthesizedApp,
    readonly resources: TemplateResources,
    readonly repository: GitRepository,
    readonly codecommit: CodeCommitStandIn,
    readonly functions: ReadonlyMap<string, DeployedFunction>,
    readonly bus: EventBus,
    readonly pipelines: BranchPipelines,
    readonly sagemaker: SageMakerPlayer,
    /** The role sessions the functions and the run command call AWS with (IAM enforced by moto). */
    readonly sessions: readonly RoleSession[],
    private readonly workDir: string,
    /** Answers ListPipelineExecutionSteps (moto has none) in front of moto for SageMaker. */
    readonly steps: SageMakerStepsStandIn,
    /** Pull requests and comments, for the pull request report function (issue 16). */
    readonly pullRequests: PullRequestStore,
    private readonly pullRequestStandIn: CodeCommitStandIn,
  ) {}

  static async create(): Promise<World> {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-world-'));
    const app = synthesizeApp(ACCOUNT, REGION);
    // The worker's shared server: the next suite's lease turns off the IAM enforcement turned on below.
    const moto = await startMoto();
    useMotoEnvironment(moto.endpoint, REGION);
    // The run-time IAM oracle: from here on moto authorizes every call; the test's own clients are an admin user,
    // the functions and the run command their synthesized roles (test/support/iam-enforcement.ts).
    await enableIamEnforcement(moto);
    const template = app.productTemplate;
    const resources = new TemplateResources({
      template,
      parameters: { SageMakerProjectName: PROJECT_NAME, SageMakerProjectId: PROJECT_ID },
      stackName: `SC-${ACCOUNT}-pp-e2e0000001`,
      account: ACCOUNT,
      region: REGION,
      endpoint: moto.endpoint,
    });

    // The repository, created with the seed code the template gives it (CodeCommit's Code property).
    const [repositoryId] = resourcesOfType(template, 'AWS::CodeCommit::Repository');
    const repositoryProps = template.Resources[repositoryId ?? '']?.Properties ?? {};
    const code = repositoryProps.Code as { S3: { Key: string }; BranchName: string };
    const repository = new GitRepository({
      repositoryName: await resources.resolveString(repositoryProps.RepositoryName, 'RepositoryName'),
      account: ACCOUNT,
      region: REGION,
      mainBranch: code.BranchName,
      seedDir: app.assetPath(code.S3.Key),
    });
    const codecommit = await startCodeCommitStandIn(repository);
    const steps = await startSageMakerStepsStandIn(moto.endpoint);
    const runtimeEnv = {
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      // CodeCommit is the stand-in: no IAM there (moto lacks the branch APIs), said in iam-enforcement.ts.
      AWS_ENDPOINT_URL_CODECOMMIT: codecommit.endpoint,
    };
    // The functions' SageMaker calls go through the steps stand-in (below). Builds (run.js) keep moto's endpoint:
    // they run synchronously in this process, whose event loop then cannot answer for the stand-in.

    // The pull request report function talks to the pull request and comment stand-in; its caller ARN is the one
    // moto's STS gives the test credentials.
    const pullRequests = new PullRequestStore(repository.repositoryName);
    const callerArn = (await new STSClient({}).send(new GetCallerIdentityCommand({}))).Arn;
    const pullRequestStandIn = await startPullRequestStandIn(pullRequests, () => callerArn);
    const reportsOnPullRequests = (id: string) =>
      (template.Resources[id]?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
        ?.Variables?.ARTIFACT_BUCKET !== undefined;

    await resources.createAll('AWS::SageMaker::ModelPackageGroup');
    // SageMaker provisions a project's template with the stack tags sagemaker:project-name and sagemaker:project-id,
    // which CloudFormation propagates to the group (contract 1: readers accept a group only with its project's id).
    const sagemaker = new SageMakerClient({});
    for (const id of resourcesOfType(template, 'AWS::SageMaker::ModelPackageGroup')) {
      const name = await resources.resolveString(template.Resources[id]?.Properties?.ModelPackageGroupName, id);
      const { ModelPackageGroupArn } = await sagemaker.send(
        new DescribeModelPackageGroupCommand({ ModelPackageGroupName: name }),
      );
      await sagemaker.send(
        new AddTagsCommand({
          ResourceArn: ModelPackageGroupArn,
          Tags: [
            { Key: 'sagemaker:project-name', Value: PROJECT_NAME },
            { Key: 'sagemaker:project-id', Value: PROJECT_ID },
          ],
        }),
      );
    }
    const functions = new Map<string, DeployedFunction>();
    const sessions: RoleSession[] = [];
    const deployTime = World.customResourceProviders(template);
    for (const id of resourcesOfType(template, 'AWS::Lambda::Function')) {
      // A custom resource's provider runs when CloudFormation deploys the project, never in the story (moto runs no
      // custom resources): it gets no session here, and the oracle says nothing about its role.
      if (deployTime.has(id)) continue;
      const roleId = World.roleOf(template, id, 'Role');
      const session = await World.roleSession(moto, template, resources, roleId, `function ${id}`);
      sessions.push(session);
      // The functions' SageMaker calls go through the role's counting proxy, then the steps stand-in, which answers
      // ListPipelineExecutionSteps and forwards the rest, signed as the role, to moto (which authorizes them).
      const base = { ...runtimeEnv, ...session.env, AWS_ENDPOINT_URL_SAGEMAKER: await session.through(steps.endpoint) };
      const env = reportsOnPullRequests(id)
        ? { ...base, AWS_ENDPOINT_URL_CODECOMMIT: pullRequestStandIn.endpoint }
        : base;
      functions.set(id, await DeployedFunction.fromTemplate(app, resources, id, env));
    }
    const [buildProjectId] = resourcesOfType(template, 'AWS::CodeBuild::Project');
    const buildSession = await World.roleSession(
      moto,
      template,
      resources,
      World.roleOf(template, buildProjectId ?? '', 'ServiceRole'),
      'run command (build role)',
    );
    sessions.push(buildSession);
    await World.publishBranchTemplate(app, functions);

    const bus = await EventBus.fromTemplate(template, resources, functions);
    const pipelines = new BranchPipelines({
      projectName: PROJECT_NAME,
      repository,
      productTemplate: template,
      productResources: resources,
      workDir: path.join(workDir, 'builds'),
      endpoint: moto.endpoint,
      account: ACCOUNT,
      region: REGION,
      runtimeEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: workDir, ...runtimeEnv, ...buildSession.env },
    });
    const branchFunction = [...functions.values()].find((f) => f.environment.PIPELINE_STACK_PARAMETERS);
    const artifactBucket = (
      JSON.parse(branchFunction?.environment.PIPELINE_STACK_PARAMETERS ?? '{}') as { ArtifactBucketName?: string }
    ).ArtifactBucketName;
    if (!artifactBucket) throw new Error('the branch function has no ArtifactBucketName in PIPELINE_STACK_PARAMETERS');
    return new World(
      moto,
      app,
      resources,
      repository,
      codecommit,
      functions,
      bus,
      pipelines,
      new SageMakerPlayer(artifactBucket, steps),
      sessions,
      workDir,
      steps,
      pullRequests,
      pullRequestStandIn,
    );
  }

  /** The functions named only by a custom resource's ServiceToken (`Fn::GetAtt [function, Arn]`): deploy time. */
  private static customResourceProviders(template: CfnTemplate): Set<string> {
    const providers = new Set<string>();
    for (const resource of Object.values(template.Resources)) {
      const isCustom = resource.Type.startsWith('Custom::') || resource.Type === 'AWS::CloudFormation::CustomResource';
      const token = resource.Properties?.ServiceToken as { 'Fn::GetAtt'?: [string, string] } | undefined;
      const id = token?.['Fn::GetAtt']?.[0];
      if (isCustom && id && template.Resources[id]?.Type === 'AWS::Lambda::Function') providers.add(id);
    }
    // A function an event rule also targets runs in the story (the branch function reconciles at deploy too).
    for (const id of resourcesOfType(template, 'AWS::Events::Rule')) {
      const targets = JSON.stringify(template.Resources[id]?.Properties?.Targets ?? []);
      for (const provider of providers) if (targets.includes(`"${provider}"`)) providers.delete(provider);
    }
    return providers;
  }

  /** The logical id of the role a resource's `property` names (`Fn::GetAtt [role, Arn]`). */
  private static roleOf(template: CfnTemplate, logicalId: string, property: string): string {
    const value = template.Resources[logicalId]?.Properties?.[property] as
      { 'Fn::GetAtt'?: [string, string] } | undefined;
    const roleId = value?.['Fn::GetAtt']?.[0];
    if (!roleId || template.Resources[roleId]?.Type !== 'AWS::IAM::Role') {
      throw new Error(`${logicalId}.${property} is not the Arn of a role of the template`);
    }
    return roleId;
  }

  /** The template's role `roleId` in moto with its synthesized policies, assumed (counted by its proxy). */
  private static async roleSession(
    moto: MotoServer,
    template: CfnTemplate,
    resources: TemplateResources,
    roleId: string,
    label: string,
  ): Promise<RoleSession> {
    const props = template.Resources[roleId]?.Properties ?? {};
    if (props.ManagedPolicyArns !== undefined) throw new Error(`${roleId} has managed policies, not evaluated here`);
    const policies: PolicyDocument[] = [];
    for (const inline of (props.Policies as { PolicyDocument: unknown }[] | undefined) ?? []) {
      policies.push((await resources.resolve(inline.PolicyDocument)) as PolicyDocument);
    }
    for (const id of resourcesOfType(template, 'AWS::IAM::Policy')) {
      const policy = template.Resources[id]?.Properties ?? {};
      const roles = (policy.Roles as { Ref?: string }[] | undefined) ?? [];
      if (roles.some((r) => r.Ref === roleId)) {
        policies.push((await resources.resolve(policy.PolicyDocument)) as PolicyDocument);
      }
    }
    const roleName = await resources.resolveString({ Ref: roleId }, `${roleId} name`);
    return credentialsForRole(moto, {
      label,
      roleName,
      path: props.Path as string | undefined,
      trustPolicy: await resources.resolve(props.AssumeRolePolicyDocument),
      policies,
    });
  }

  /**
   * Puts the per-branch template where PIPELINE_TEMPLATE_URL says, as publishing the product's assets does (the
   * asset bucket belongs to the baseline stack, so the test creates it).
   */
  private static async publishBranchTemplate(app: SynthesizedApp, functions: ReadonlyMap<string, DeployedFunction>) {
    const url = [...functions.values()].map((f) => f.environment.PIPELINE_TEMPLATE_URL).find(Boolean);
    const match = url ? /^https:\/\/([^.]+)\.s3\.[^/]+\/(.+)$/.exec(url) : null;
    if (!match?.[1] || !match[2]) throw new Error(`PIPELINE_TEMPLATE_URL ${url} is not an S3 object URL`);
    const s3 = new S3Client({ forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: match[1] }));
    await s3.send(
      new PutObjectCommand({ Bucket: match[1], Key: match[2], Body: fs.readFileSync(app.assetPath(match[2])) }),
    );
  }

  /** The deployed function whose environment has `variable` (each handler has one it alone needs). */
  functionWith(variable: string): DeployedFunction {
    const found = [...this.functions.values()].filter((f) => f.environment[variable] !== undefined);
    if (found.length !== 1 || !found[0]) throw new Error(`${found.length} functions have ${variable}`);
    return found[0];
  }

  /** Delivers each event as EventBridge would, then runs the branch pipelines that it started. */
  async deliver(events: AwsEvent[]): Promise<DeliveryReport[]> {
    const reports: DeliveryReport[] = [];
    for (const event of events) {
      this.recordPullRequests(event);
      const before = await this.pipelines.stacks();
      const triggered = await this.pipelines.triggeredBy(before, event);
      const deliveries = await this.bus.put(event);
      const after = await this.pipelines.stacks();
      const builds: BuildRun[] = [];
      for (const stack of triggered) {
        if (after.has(stack.branch)) builds.push(await this.pipelines.runPipeline(stack, 'event'));
      }
      for (const [branch, stack] of after) {
        if (!before.has(branch)) builds.push(await this.pipelines.runPipeline(stack, 'pipeline-created'));
      }
      reports.push({ event, deliveries, builds });
    }
    return reports;
  }

  /** Keeps the pull request stand-in in step with the repository's pull request and branch events. */
  private recordPullRequests(event: AwsEvent): void {
    const detail = event.detail as Record<string, unknown>;
    const branch = (ref: unknown) => String(ref).replace(/^refs\/heads\//, '');
    if (event['detail-type'] === 'CodeCommit Pull Request State Change') {
      const id = String(detail.pullRequestId);
      if (detail.event === 'pullRequestCreated') {
        this.pullRequests.open({
          pullRequestId: id,
          sourceBranch: branch(detail.sourceReference),
          destinationBranch: branch(detail.destinationReference),
          sourceCommit: String(detail.sourceCommit),
          destinationCommit: String(detail.destinationCommit),
        });
      } else if (detail.isMerged === 'True' || detail.pullRequestStatus === 'Closed') {
        const pr = this.pullRequests.pullRequests.get(id);
        if (pr !== undefined) pr.status = 'CLOSED';
      }
    } else if (event['detail-type'] === 'CodeCommit Repository State Change' && typeof detail.commitId === 'string') {
      for (const pr of this.pullRequests.pullRequests.values()) {
        if (pr.status === 'OPEN' && pr.sourceReference === `refs/heads/${String(detail.referenceName)}`) {
          this.pullRequests.updateSource(pr.pullRequestId, detail.commitId);
        }
      }
    }
  }

  async dispose(): Promise<void> {
    await this.pullRequestStandIn.stop();
    await Promise.all([...this.functions.values()].map((f) => f.stop()));
    await this.codecommit.stop();
    await this.steps.stop();
    await Promise.all(this.sessions.map((s) => s.stop()));
    await this.moto.stop();
    this.repository.dispose();
    this.app.remove();
    fs.rmSync(this.workDir, { recursive: true, force: true });
  }
}
