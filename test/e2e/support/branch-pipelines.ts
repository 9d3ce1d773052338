/**
 * Plays CodePipeline and CodeBuild for the branch stacks that the branch Lambda created in the emulator (moto
 * creates the stacks but skips their CodePipeline resources):
 * - the deployed stack's template (GetTemplate) and parameters (DescribeStacks) give its trigger rule; an event
 *   that matches the pattern of a stack that existed when the event was put starts the pipeline, and so does the
 *   stack's creation (CodePipeline runs a new pipeline once);
 * - an execution checks out the branch head of the real git repository (the CodeCommit source action) and runs the
 *   build as CodeBuild would: the shared build project's environment variables from the project template, the
 *   build action's variables from the branch template (`#{SourceVariables.CommitId}` and `BranchName` filled in), and the
 *   commands of the buildspec the project names, found in the checked-out commit.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { TAG_PROJECT_NAME } from '../../../contracts/naming';
import { parseBuildspecFile } from '../../sagemaker-pipeline/support/buildspec';
import { matchesEventPattern } from './event-pattern';
import type { GitRepository } from './git-events';
import { CfnTemplate, resourcesOfType, TemplateResources } from './template-resources';

export interface BranchStack {
  readonly stackName: string;
  readonly stackId: string;
  readonly branch: string;
  readonly parameters: Record<string, string>;
  readonly tags: Record<string, string>;
}

export interface BuildRun {
  readonly branch: string;
  readonly commit: string;
  readonly stackName: string;
  /** Why the pipeline ran: its creation, or the rule that matched an event. */
  readonly trigger: 'pipeline-created' | 'event';
  /** Set when the execution stopped before the build: the source action found no such branch. */
  readonly failedStage?: 'Source';
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The variables the build ran with. */
  readonly environment: Record<string, string>;
}

export interface BranchPipelinesOptions {
  readonly projectName: string;
  readonly repository: GitRepository;
  readonly productTemplate: CfnTemplate;
  /** Resolves the product template (the build project's environment). */
  readonly productResources: TemplateResources;
  /** Where builds check out their source. */
  readonly workDir: string;
  readonly endpoint: string;
  readonly account: string;
  readonly region: string;
  /** Variables every build gets from the environment it runs in (credentials, region, the emulator's endpoint). */
  readonly runtimeEnv: Record<string, string>;
}

interface BuildSpec {
  env?: { variables?: Record<string, string> };
  phases?: Record<string, { commands?: string[] }>;
}

const PHASES = ['install', 'pre_build', 'build', 'post_build'];

export class BranchPipelines {
  private readonly cloudformation = new CloudFormationClient({});
  private buildCount = 0;

  constructor(private readonly options: BranchPipelinesOptions) {}

  /** The project's branch stacks in the emulator, by branch. */
  async stacks(): Promise<Map<string, BranchStack>> {
    const out = await this.cloudformation.send(new DescribeStacksCommand({}));
    const result = new Map<string, BranchStack>();
    for (const stack of out.Stacks ?? []) {
      if (stack.StackStatus === 'DELETE_COMPLETE') continue;
      const tags = Object.fromEntries((stack.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
      if (tags[TAG_PROJECT_NAME] !== this.options.projectName) continue;
      const parameters = Object.fromEntries(
        (stack.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ParameterValue ?? '']),
      );
      const branch = parameters.BranchName;
      if (!branch) throw new Error(`branch stack ${stack.StackName} has no BranchName parameter`);
      result.set(branch, {
        stackName: stack.StackName ?? '',
        stackId: stack.StackId ?? '',
        branch,
        parameters,
        tags,
      });
    }
    return result;
  }

  /** The stacks among `existing` whose trigger rule matches `event`. */
  async triggeredBy(existing: Map<string, BranchStack>, event: unknown): Promise<BranchStack[]> {
    const matched: BranchStack[] = [];
    for (const stack of existing.values()) {
      const { template, resources } = await this.deployedTemplate(stack);
      for (const ruleId of resourcesOfType(template, 'AWS::Events::Rule')) {
        const props = template.Resources[ruleId]?.Properties ?? {};
        const targetsPipeline = ((props.Targets as { Arn: unknown }[] | undefined) ?? []).some((t) =>
          JSON.stringify(t.Arn).includes(':codepipeline:'),
        );
        if (!targetsPipeline || props.EventPattern === undefined) continue;
        if (matchesEventPattern(await resources.resolve(props.EventPattern), event)) matched.push(stack);
      }
    }
    return matched;
  }

  /**
   * Runs the branch's pipeline once: the build on the branch's current head, or, when the branch is gone, a
   * failure of the source action (as CodePipeline's CodeCommit source fails).
   */
  async runPipeline(stack: BranchStack, trigger: BuildRun['trigger']): Promise<BuildRun> {
    const { template, resources } = await this.deployedTemplate(stack);
    const commit = this.options.repository.branches().get(stack.branch);
    if (commit === undefined) {
      const failed: BuildRun = {
        branch: stack.branch,
        commit: '',
        stackName: stack.stackName,
        trigger,
        failedStage: 'Source',
        exitCode: 1,
        stdout: '',
        stderr: `source action: branch ${stack.branch} does not exist in ${this.options.repository.repositoryName}`,
        environment: {},
      };
      return failed;
    }
    const sourceDir = this.options.repository.exportCommit(
      commit,
      path.join(this.options.workDir, `build-${++this.buildCount}-${commit.slice(0, 8)}`),
    );
    const project = await this.buildProject(stack.parameters.CodeBuildProjectName ?? '');
    const environment = {
      ...this.options.runtimeEnv,
      CODEBUILD_SRC_DIR: sourceDir,
      CODEBUILD_RESOLVED_SOURCE_VERSION: commit,
      ...project.variables,
      ...(await this.actionVariables(template, resources, commit, stack.branch)),
    };
    const buildSpec = this.buildSpec(sourceDir, project.buildSpecFile);
    const commands = PHASES.flatMap((phase) => buildSpec.phases?.[phase]?.commands ?? []);
    if (commands.length === 0) throw new Error(`the buildspec of ${commit} has no commands`);
    // Asynchronous: the role session's counting proxy (test/support/iam-enforcement.ts) runs in this process.
    const result = await runBuild(commands.join('\n'), sourceDir, { ...buildSpec.env?.variables, ...environment });
    const run: BuildRun = {
      branch: stack.branch,
      commit,
      stackName: stack.stackName,
      trigger,
      exitCode: result.status ?? -1,
      stdout: result.stdout,
      stderr: result.stderr,
      environment,
    };
    return run;
  }

  private async deployedTemplate(stack: BranchStack): Promise<{ template: CfnTemplate; resources: TemplateResources }> {
    const out = await this.cloudformation.send(new GetTemplateCommand({ StackName: stack.stackName }));
    const template = JSON.parse(out.TemplateBody ?? '{}') as CfnTemplate;
    const { endpoint, account, region } = this.options;
    return {
      template,
      resources: new TemplateResources({
        template,
        parameters: stack.parameters,
        stackName: stack.stackName,
        endpoint,
        account,
        region,
      }),
    };
  }

  /** The product template's build project named `projectName`: its environment variables and buildspec file. */
  private async buildProject(
    projectName: string,
  ): Promise<{ variables: Record<string, string>; buildSpecFile: string }> {
    const { productTemplate, productResources } = this.options;
    for (const id of resourcesOfType(productTemplate, 'AWS::CodeBuild::Project')) {
      const props = productTemplate.Resources[id]?.Properties ?? {};
      if ((await productResources.resolveString(props.Name, `${id}.Name`)) !== projectName) continue;
      const variables =
        (props.Environment as { EnvironmentVariables?: { Name: string; Value: unknown }[] }).EnvironmentVariables ?? [];
      const result: Record<string, string> = {};
      for (const v of variables) result[v.Name] = await productResources.resolveString(v.Value, `${id} ${v.Name}`);
      const source = (props.Source ?? {}) as { BuildSpec?: string };
      return { variables: result, buildSpecFile: source.BuildSpec ?? 'buildspec.yml' };
    }
    throw new Error(`the project template has no CodeBuild project named ${projectName}`);
  }

  /** The build action's environment variables, with the source action's CommitId and BranchName filled in. */
  private async actionVariables(
    template: CfnTemplate,
    resources: TemplateResources,
    commit: string,
    branch: string,
  ): Promise<Record<string, string>> {
    for (const id of resourcesOfType(template, 'AWS::CodePipeline::Pipeline')) {
      const stages = (template.Resources[id]?.Properties?.Stages ?? []) as {
        Actions: { ActionTypeId: { Category: string }; Namespace?: string; Configuration?: Record<string, unknown> }[];
      }[];
      const actions = stages.flatMap((s) => s.Actions);
      const namespace = actions.find((a) => a.ActionTypeId.Category === 'Source')?.Namespace;
      const build = actions.find((a) => a.ActionTypeId.Category === 'Build');
      if (!build?.Configuration?.EnvironmentVariables) continue;
      const json = await resources.resolveString(build.Configuration.EnvironmentVariables, 'EnvironmentVariables');
      // Like CodePipeline: parse the JSON first, then fill in the source action's variables in the values.
      const list = JSON.parse(json) as { name: string; value: string }[];
      const fill = (value: string) =>
        namespace
          ? value.split(`#{${namespace}.CommitId}`).join(commit).split(`#{${namespace}.BranchName}`).join(branch)
          : value;
      return Object.fromEntries(list.map((v) => [v.name, fill(v.value)]));
    }
    throw new Error('the branch template has no pipeline with a build action');
  }

  /** The buildspec the project names (`Source.BuildSpec`: a file in the checked-out commit). */
  private buildSpec(sourceDir: string, buildSpecFile: string): BuildSpec {
    const file = path.join(sourceDir, buildSpecFile);
    if (!fs.existsSync(file)) throw new Error(`the checked-out commit has no ${buildSpecFile}`);
    return parseBuildspecFile(file) as BuildSpec;
  }
}

/** Runs the build's commands with bash -e, at most 60 s, without blocking this process. */
function runBuild(
  script: string,
  cwd: string,
  env: Record<string, string>,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-e', '-c', script], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
