/**
 * Issue 10, attacks 8 (deleting a project deletes its code history and registry) and 13 (nothing caps builds or
 * branches), on the synthesized project template.
 */
import { appTemplates, buildApp, removeApp } from '../support/app';

describe('retention and caps of the project template', () => {
  it('retains the repository and the model package group when the project is deleted (attack 8)', () => {
    const built = appTemplates();
    try {
      const resources = built.productTemplate.toJSON().Resources as Record<
        string,
        { Type: string; DeletionPolicy?: string; UpdateReplacePolicy?: string }
      >;
      for (const type of ['AWS::CodeCommit::Repository', 'AWS::SageMaker::ModelPackageGroup', 'AWS::S3::Bucket']) {
        const found = Object.values(resources).filter((r) => r.Type === type);
        expect(found.length).toBeGreaterThan(0);
        for (const r of found)
          expect({ type, deletion: r.DeletionPolicy, replace: r.UpdateReplacePolicy }).toEqual({
            type,
            deletion: 'Retain',
            replace: 'Retain',
          });
      }
    } finally {
      removeApp(built);
    }
  });

  it('caps concurrent train builds and branch pipelines, from configuration (attack 13)', () => {
    const defaults = appTemplates();
    const configured = appTemplates({ context: { concurrentBuildLimit: 2, maxBranchPipelines: 7 } });
    try {
      defaults.productTemplate.hasResourceProperties('AWS::CodeBuild::Project', { ConcurrentBuildLimit: 4 });
      configured.productTemplate.hasResourceProperties('AWS::CodeBuild::Project', { ConcurrentBuildLimit: 2 });
      configured.productTemplate.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: { MAX_BRANCH_PIPELINES: '7' } },
      });
    } finally {
      removeApp(defaults);
      removeApp(configured);
    }
    expect(() => buildApp({ context: { maxBranchPipelines: 0 } })).toThrow(/"maxBranchPipelines" must be an integer/);
  });
});

describe('project deletion removes the branch stacks first (attack 8)', () => {
  it('has a custom resource served by the branch function, deleted before the roles the branch stacks use', () => {
    const built = appTemplates();
    try {
      const resources = built.productTemplate.toJSON().Resources as Record<
        string,
        { Type: string; Properties?: Record<string, unknown>; DependsOn?: string[] }
      >;
      const guards = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::CloudFormation::CustomResource');
      expect(guards).toHaveLength(1);
      const [, guard] = guards[0]!;
      const token = JSON.stringify(guard.Properties?.ServiceToken);
      expect(token).toMatch(/^\{"Fn::GetAtt":\["BranchAutomationHandlerFunction\w+","Arn"\]\}$/);
      // CloudFormation deletes a resource before what it depends on: the roles and the function outlive the guard.
      const dependsOn = guard.DependsOn ?? [];
      for (const prefix of [
        'BranchPipelineRolesCloudFormationRole',
        'BranchPipelineRolesPipelineRole',
        'BranchPipelineRolesEventsRole',
        'BranchAutomationHandlerFunction',
        'BranchAutomationHandlerRole',
      ]) {
        expect({ prefix, found: dependsOn.some((id) => id.startsWith(prefix)) }).toEqual({ prefix, found: true });
      }
      // The launch role, whose credentials CloudFormation uses to call the function, may invoke it.
      const launch = JSON.stringify(built.baselineTemplate.toJSON());
      expect(launch).toContain('lambda:InvokeFunction');
    } finally {
      removeApp(built);
    }
  });
});
