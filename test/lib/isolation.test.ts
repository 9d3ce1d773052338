/**
 * Issue 10, attacks 1, 2 (IAM side) and 9: every synthesized policy of project `churn`, evaluated with IAM's
 * documented semantics (support/iam-evaluator.ts) against the resources of projects `churn-v2` and `churn-branch`,
 * whose names extend `churn`'s. Nothing is allowed on them but what the services cannot scope
 * (lib/constructs/isolation.ts, UNSCOPABLE), while the same roles still reach their own project's resources.
 *
 * What it cannot prove: that AWS evaluates exactly as documented, and that the services set the tags the policies
 * expect (SageMaker pipelines, jobs and versions are tagged by the run command and the definition; CloudFormation
 * tags branch stack resources). Those are covered where they are produced (test/sagemaker-pipeline, test/lib).
 */
import * as path from 'node:path';
import { UNSCOPABLE } from '../../lib/constructs/isolation';
import { SEED_SOURCE_DIR } from '../../lib/seed-code';
import { loadPipelineFile } from '../../sagemaker-pipeline/src/pipeline-file';
import { buildDefinition, RunContext } from '../../sagemaker-pipeline/src/definition';
import { appTemplates, removeApp } from '../support/app';
import { evaluate, Request, requestKeys, Statement, valuesOf } from './support/iam-evaluator';
import { CfnTemplate, ownedResources, OwnedResource, Project, rolePolicies } from './support/project-policies';

const CHURN: Project = { name: 'churn', id: 'p-churn0000001', stackName: 'SC-111111111111-pp-churnaaaaaaaa' };
const VICTIMS: Project[] = [
  { name: 'churn-v2', id: 'p-churnv200002', stackName: 'SC-111111111111-pp-churnv2bbbbbb' },
  { name: 'churn-branch', id: 'p-churnbr00003', stackName: 'SC-111111111111-pp-churnbrcccccc' },
];

interface Finding {
  readonly role: string;
  readonly action: string;
  readonly kind: string;
  readonly arn: string;
}

const ABSENT = Symbol('absent');

/** Every combination of attacker-chosen context values for the keys the statements test. */
function contexts(
  keys: readonly string[],
  candidates: (key: string) => readonly (string | typeof ABSENT)[],
): Record<string, string>[] {
  let out: Record<string, string>[] = [{}];
  for (const key of keys) {
    out = out.flatMap((ctx) => candidates(key).map((v) => (v === ABSENT ? ctx : { ...ctx, [key]: v })));
  }
  return out;
}

/**
 * What `roles` (the attacker's, all of project `attacker`) may do to `resources`: for every action a role allows on
 * the resource's service, is there a request context (the keys the caller controls, any value the policies mention)
 * under which IAM allows it? A create action targets a resource that does not exist yet (no resource tags), only
 * where the name is predictable.
 */
export function reach(
  roles: Map<string, Statement[]>,
  resources: readonly OwnedResource[],
  mentioned: readonly Statement[],
  extraValues: readonly string[],
): Finding[] {
  const findings: Finding[] = [];
  // The values worth trying for a key depend only on `mentioned` and `extraValues`: computed once per key.
  const candidatesByKey = new Map<string, readonly (string | typeof ABSENT)[]>();
  const candidates = (key: string) => {
    let values = candidatesByKey.get(key);
    if (values === undefined) {
      values = [ABSENT, ...new Set([...valuesOf(mentioned, key), ...extraValues])];
      candidatesByKey.set(key, values);
    }
    return values;
  };
  for (const [role, statements] of roles) {
    const actions = new Set(
      statements
        .filter((s) => s.Effect === 'Allow')
        .flatMap((s) => (Array.isArray(s.Action) ? s.Action : s.Action === undefined ? [] : [s.Action])),
    );
    const keys = requestKeys(statements);
    for (const resource of resources) {
      const service = resource.arn.split(':')[2];
      for (const action of actions) {
        if (action.split(':')[0] !== service) continue;
        if (!appliesTo(action, resource)) continue;
        const creates = /^[a-z0-9-]+:Create/.test(action) && !createsInside(action, resource);
        if (creates && !resource.predictableName) continue;
        const resourceTags = creates
          ? {}
          : Object.fromEntries(Object.entries(resource.tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v]));
        const context = (ctx: Record<string, string>): Request => ({
          action,
          resource: resource.arn,
          context: { ...resourceTags, ...ctx },
        });
        // Without a Deny, one Allow statement decides: only its own keys need trying (same result, far fewer).
        const allowed = statements.some((s) => s.Effect === 'Deny')
          ? contexts(keys, candidates).some((ctx) => evaluate(statements, context(ctx)) === 'Allow')
          : statements.some((s) =>
              contexts(requestKeys([s]), candidates).some((ctx) => evaluate([s], context(ctx)) === 'Allow'),
            );
        if (allowed) findings.push({ role, action, kind: resource.kind, arn: resource.arn });
      }
    }
  }
  return findings;
}

/**
 * Whether IAM would evaluate `action` against a resource of this kind (the action's resource types in the Service
 * Authorization Reference): pipeline-level SageMaker actions never name an execution ARN and the reverse.
 */
function appliesTo(action: string, resource: OwnedResource): boolean {
  if (resource.kind === 'SageMaker pipeline execution') {
    return /^sagemaker:(Describe|Stop|Retry|Send)PipelineExecution|^sagemaker:ListPipelineExecutionSteps|^sagemaker:DescribePipelineDefinitionForExecution/.test(
      action,
    );
  }
  if (resource.kind === 'SageMaker pipeline') {
    return !/^sagemaker:((Describe|Stop)PipelineExecution|ListPipelineExecutionSteps|DescribePipelineDefinitionForExecution)$/.test(
      action,
    );
  }
  // Approval rule templates are account-level: their actions name no repository (and need Resource "*").
  const templateAction = /ApprovalRuleTemplate(Content|Name)?$/.test(action) && !/Repository$/.test(action);
  if (resource.kind === 'approval rule template') return templateAction;
  if (templateAction) return false;
  if (resource.kind === 'training job') return /TrainingJob$|:AddTags$/.test(action);
  if (resource.kind === 'tuning job') return /HyperParameterTuningJob$|:AddTags$/.test(action);
  if (resource.kind === 'network interface') return /NetworkInterface(Permission)?$/.test(action);
  if (resource.kind === 'processing job') return /ProcessingJob$|:AddTags$/.test(action);
  if (resource.kind === 'trial') return /Trial$|:AddTags$|:AssociateTrialComponent$/.test(action);
  if (resource.kind === 'trial component') return /TrialComponent$|:AddTags$/.test(action);
  return true;
}

/** A create action whose resource of this kind already exists: the group a model version is registered into. */
function createsInside(action: string, resource: OwnedResource): boolean {
  return action === 'sagemaker:CreateModelPackage' && resource.arn.includes(':model-package-group/');
}

let churnRoles: Map<string, Statement[]>;
let victimResources: OwnedResource[];
let churnResources: OwnedResource[];
let mentioned: Statement[];
let extraValues: string[];

beforeAll(() => {
  const built = appTemplates();
  try {
    const template = built.productTemplate.toJSON() as CfnTemplate;
    churnRoles = rolePolicies(template, CHURN);
    churnResources = ownedResources(template, CHURN);
    victimResources = VICTIMS.flatMap((victim) => ownedResources(template, victim));
    mentioned = [...churnRoles.values(), ...VICTIMS.flatMap((v) => [...rolePolicies(template, v).values()])].flat();
    extraValues = [CHURN, ...VICTIMS].flatMap((p) => [p.id, p.name]).concat(['Approved', 'PendingManualApproval']);
  } finally {
    removeApp(built);
  }
}, 120_000);

describe('isolation of project churn from churn-v2 and churn-branch (attacks 1 and 9)', () => {
  it('has the roles the issue names, each with statements', () => {
    // Build, SageMaker execution, CloudFormation, events, pipeline, branch function, release function roles.
    expect(churnRoles.size).toBeGreaterThanOrEqual(7);
    for (const statements of churnRoles.values()) expect(statements.length).toBeGreaterThan(0);
  });

  it('allows nothing on the other projects but what the services cannot scope', () => {
    const findings = reach(churnRoles, victimResources, mentioned, extraValues);
    const unscopable = new Set(UNSCOPABLE.map((u) => u.action));
    const outside = findings.filter((f) => !unscopable.has(f.action));
    expect(outside).toEqual([]);
    // The exceptions are read-only, write-only logs or creates under a name not yet taken: never an existing
    // resource of another project changed, started, deleted or re-tagged.
    for (const f of findings) {
      expect(f.action).toMatch(
        /:(Describe|List|CreateLogStream|PutLogEvents|CreatePipeline|CreateModelPackageGroup|CreateStack|UpdateTrialComponent|AssociateTrialComponent|(Create|Update|Delete)ApprovalRuleTemplate)/,
      );
    }
  });

  it('still allows each role its own project (positive control: the scoping is not a blanket deny)', () => {
    const own = reach(churnRoles, churnResources, mentioned, extraValues);
    const has = (action: string, kind: string) => own.some((f) => f.action === action && f.kind === kind);
    expect(has('sagemaker:StartPipelineExecution', 'SageMaker pipeline')).toBe(true);
    expect(has('sagemaker:UpdatePipeline', 'SageMaker pipeline')).toBe(true);
    expect(has('sagemaker:DescribeTrainingJob', 'training job')).toBe(true);
    expect(has('sagemaker:CreateModelPackage', 'model package group')).toBe(true);
    expect(has('sagemaker:CreateModelPackage', 'further model package group')).toBe(true);
    expect(has('codepipeline:StartPipelineExecution', 'CodePipeline')).toBe(true);
    expect(has('codepipeline:UpdatePipeline', 'CodePipeline')).toBe(true);
    expect(has('cloudformation:DeleteStack', 'branch stack')).toBe(true);
    expect(has('sagemaker:DeletePipeline', 'SageMaker pipeline')).toBe(true);
  });

  it('finds the cross-project Allow of a policy scoped by name prefix, as the policies were (the check can fail)', () => {
    // The shape of the build role's and the branch function's statements before the fix.
    const old: Statement[] = [
      {
        Effect: 'Allow',
        Action: ['sagemaker:UpdatePipeline', 'sagemaker:StartPipelineExecution'],
        Resource: 'arn:aws:sagemaker:us-east-1:111111111111:pipeline/churn-*',
      },
      {
        Effect: 'Allow',
        Action: ['cloudformation:DeleteStack'],
        Resource: 'arn:aws:cloudformation:us-east-1:111111111111:stack/mbm-churn-branch-*/*',
      },
      {
        Effect: 'Allow',
        Action: ['sagemaker:DescribeTrainingJob', 'sagemaker:StopTrainingJob'],
        Resource: 'arn:aws:sagemaker:us-east-1:111111111111:training-job/pipelines-*',
      },
    ];
    const findings = reach(new Map([['OldRole', old]]), victimResources, mentioned, extraValues);
    const arns = findings.map((f) => `${f.action} ${f.arn}`);
    expect(arns).toEqual(
      expect.arrayContaining([
        'sagemaker:StartPipelineExecution arn:aws:sagemaker:us-east-1:111111111111:pipeline/churn-v2-experiment--deeper-trees',
        'cloudformation:DeleteStack arn:aws:cloudformation:us-east-1:111111111111:stack/mbm-churn-branch-branch-experiment--deeper-trees/0a1b2c3d-uuid',
        'sagemaker:StopTrainingJob arn:aws:sagemaker:us-east-1:111111111111:training-job/pipelines-abcdef123456-TrainModel-Zx9',
      ]),
    );
  });
});

describe('isolation with the external-ci source provider (CI roles)', () => {
  it('allows nothing on the other projects but what the services cannot scope', () => {
    const built = appTemplates({ context: { sourceProvider: 'external-ci' } });
    try {
      const template = built.productTemplate.toJSON() as CfnTemplate;
      const roles = rolePolicies(template, CHURN);
      const victims = VICTIMS.flatMap((victim) => ownedResources(template, victim));
      const unscopable = new Set(UNSCOPABLE.map((u) => u.action));
      const outside = reach(roles, victims, mentioned, extraValues).filter((f) => !unscopable.has(f.action));
      expect(outside).toEqual([]);
    } finally {
      removeApp(built);
    }
  }, 120_000);
});

describe('isolation with the optional features (retrain schedule, SQL warehouse)', () => {
  it('allows nothing on the other projects but what the services cannot scope', () => {
    const built = appTemplates({
      context: {
        retrain: { schedule: 'cron(0 3 1 * ? *)', timeZone: 'UTC', testMode: false, maxParents: 3 },
        warehouse: {
          secretArn: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:warehouse/readonly-AbC123',
          subnetIds: ['subnet-0a1b2c3d4e5f60718'],
          securityGroupIds: ['sg-0123456789abcdef0'],
        },
      },
    });
    try {
      const template = built.productTemplate.toJSON() as CfnTemplate;
      const roles = rolePolicies(template, CHURN);
      const all = [...roles.values()].flat();
      // The features' statements are there (else this case proves nothing).
      expect(all.some((s) => s.Sid === 'RetrainReadTuningJobs')).toBe(true);
      expect(all.some((s) => s.Sid === 'WarehouseNetworkInterfacesUse')).toBe(true);
      const victims = VICTIMS.flatMap((victim) => ownedResources(template, victim));
      const findings = reach(roles, victims, [...mentioned, ...all], extraValues);
      const unscopable = new Set(UNSCOPABLE.map((u) => u.action));
      expect(findings.filter((f) => !unscopable.has(f.action))).toEqual([]);
      // Positive control: the build still reads its own groups, versions and tuning jobs for warm starts.
      const own = reach(roles, ownedResources(template, CHURN), [...mentioned, ...all], extraValues);
      const has = (action: string, kind: string) => own.some((f) => f.action === action && f.kind === kind);
      expect(has('sagemaker:DescribeHyperParameterTuningJob', 'tuning job')).toBe(true);
      expect(has('sagemaker:DescribeModelPackage', 'further model version')).toBe(true);
      expect(has('sagemaker:ListTags', 'further model package group')).toBe(true);
    } finally {
      removeApp(built);
    }
  }, 120_000);
});

describe('registered Pending, always (attack 2, IAM side)', () => {
  const version = 'arn:aws:sagemaker:us-east-1:111111111111:model-package/model-churn/7';
  const group = 'arn:aws:sagemaker:us-east-1:111111111111:model-package-group/model-churn';
  const ownTags = { 'aws:ResourceTag/sagemaker:project-id': CHURN.id };

  it('no role of the project but the release function may UpdateModelPackage', () => {
    for (const [role, statements] of churnRoles) {
      const decision = evaluate(statements, {
        action: 'sagemaker:UpdateModelPackage',
        resource: version,
        context: { ...ownTags, 'sagemaker:ModelApprovalStatus': 'Approved' },
      });
      if (!role.startsWith('ReleaseAutomation')) expect({ role, decision }).toEqual({ role, decision: 'ImplicitDeny' });
    }
  });

  it('the execution role registers only PendingManualApproval versions, into its own groups', () => {
    const [, execution] = [...churnRoles].find(([role]) => role.startsWith('SageMakerExecution'))!;
    const register = (status: string | undefined, groupTags: Record<string, string>) =>
      [version, group].every(
        (resource) =>
          evaluate(execution, {
            action: 'sagemaker:CreateModelPackage',
            resource,
            context: {
              ...(resource === group ? groupTags : {}),
              'aws:RequestTag/sagemaker:project-id': CHURN.id,
              ...(status === undefined ? {} : { 'sagemaker:ModelApprovalStatus': status }),
            },
          }) === 'Allow',
      );
    expect(register('PendingManualApproval', ownTags)).toBe(true);
    expect(register('Approved', ownTags)).toBe(false);
    expect(register(undefined, ownTags)).toBe(false);
    expect(register('PendingManualApproval', { 'aws:ResourceTag/sagemaker:project-id': 'p-churnv200002' })).toBe(false);
  });
});

describe('the definition tags what the execution role may create (policy and code agree)', () => {
  const context: RunContext = {
    projectName: CHURN.name,
    projectId: CHURN.id,
    branch: 'experiment/deeper-trees',
    commit: '3f786850e387550fdab836ed7e6dc881de23001b',
    region: 'us-east-1',
    roleArn: 'arn:aws:iam::111111111111:role/multibranch-mlops/execution',
    bucket: 'artifacts',
    pipelineName: 'churn-experiment--deeper-trees',
    modelPackageGroupName: 'model-churn',
  };
  const ACTION: Record<string, [string, string]> = {
    Processing: ['sagemaker:CreateProcessingJob', 'processing-job/pipelines-abc-PreprocessData-x'],
    Training: ['sagemaker:CreateTrainingJob', 'training-job/pipelines-abc-TrainModel-x'],
    RegisterModel: ['sagemaker:CreateModelPackage', 'model-package/model-churn/1'],
  };

  it('every job and model version step carries the project id its role requires, and is refused without it', () => {
    const [, execution] = [...churnRoles].find(([role]) => role.startsWith('SageMakerExecution'))!;
    const config = loadPipelineFile(path.join(SEED_SOURCE_DIR, 'pipeline.yaml'), SEED_SOURCE_DIR);
    const steps = buildDefinition(config, context).Steps.filter((step) => ACTION[step.Type] !== undefined);
    expect(steps.length).toBeGreaterThanOrEqual(3);
    for (const step of steps) {
      const [action, resource] = ACTION[step.Type]!;
      const tags = (step.Arguments as { Tags?: { Key: string; Value: string }[] }).Tags ?? [];
      const requestTags = Object.fromEntries(tags.map((t) => [`aws:RequestTag/${t.Key}`, t.Value]));
      const request = (ctx: Record<string, string>) => ({
        action,
        resource: `arn:aws:sagemaker:us-east-1:111111111111:${resource}`,
        context: { ...ctx, 'sagemaker:ModelApprovalStatus': 'PendingManualApproval' },
      });
      expect({ step: step.Name, decision: evaluate(execution, request(requestTags)) }).toEqual({
        step: step.Name,
        decision: 'Allow',
      });
      expect(evaluate(execution, request({}))).toBe('ImplicitDeny');
    }
  });
});
