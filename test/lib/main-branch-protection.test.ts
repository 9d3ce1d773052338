/**
 * Issue 10, attack 4 (main is open) and the approver side of attack 2: the project creates and associates an approval
 * rule template for pull requests into main (CodeCommit's documented content format; the author's own approval never
 * counts: UpdatePullRequestApprovalState refuses it with PullRequestCannotBeApprovedByAuthorException), and ships two
 * managed policies: ProtectMainBranch (data scientists: no direct write to main) and ApproveModels (approvers only).
 * The policies are evaluated with IAM's documented semantics (support/iam-evaluator.ts). What it cannot prove: that
 * CodeCommit enforces the rule (no CodeCommit here); the custom resource calls are checked against the SDK's shapes.
 */
import { approvalRuleTemplateContent, BRANCH_WRITE_ACTIONS } from '../../lib/constructs/main-branch-protection';
import { appTemplates, buildApp, removeApp } from '../support/app';
import { evaluate, Request, Statement } from './support/iam-evaluator';
import { CfnTemplate, Project, ProjectResolver } from './support/project-policies';

const PROJECT: Project = { name: 'churn', id: 'p-churn0000001', stackName: 'SC-111111111111-pp-churnaaaaaaaa' };
const REPO = 'arn:aws:codecommit:us-east-1:111111111111:model-churn-train';

let template: CfnTemplate;
let policies: Record<string, Statement[]>;

beforeAll(() => {
  const built = appTemplates({
    context: { mainApprovers: ['arn:aws:sts::111111111111:assumed-role/MlLead/*'], mainApprovalsRequired: 2 },
  });
  try {
    template = built.productTemplate.toJSON() as CfnTemplate;
  } finally {
    removeApp(built);
  }
  const resolver = new ProjectResolver(template, PROJECT);
  policies = Object.fromEntries(
    Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy')
      .map(([id, r]) => [
        id.replace(/^MainBranchProtection/, '').replace(/[0-9A-F]{8}$/, ''),
        (resolver.resolve(r.Properties?.PolicyDocument) as { Statement: Statement[] }).Statement,
      ]),
  );
}, 120_000);

describe('approval rule template on main (attack 4)', () => {
  it("writes CodeCommit's documented template content: destination main, approvals needed, approval pool", () => {
    expect(JSON.parse(approvalRuleTemplateContent('main', ['arn:aws:iam::111111111111:user/lead'], 2))).toEqual({
      Version: '2018-11-08',
      DestinationReferences: ['refs/heads/main'],
      Statements: [
        { Type: 'Approvers', NumberOfApprovalsNeeded: 2, ApprovalPoolMembers: ['arn:aws:iam::111111111111:user/lead'] },
      ],
    });
    // Without a pool, any member of the account but the author may approve.
    expect(JSON.parse(approvalRuleTemplateContent('trunk', [], 1)).Statements).toEqual([
      { Type: 'Approvers', NumberOfApprovalsNeeded: 1 },
    ]);
  });

  it('creates the template from configuration and associates it with the repository (custom resources)', () => {
    const calls = Object.values(template.Resources)
      .filter((r) => r.Type === 'Custom::AWS')
      .map((r) => JSON.stringify(new ProjectResolver(template, PROJECT).resolve(r.Properties)));
    const create = calls.find((c) => c.includes('createApprovalRuleTemplate'));
    expect(create).toBeDefined();
    const parsed = JSON.parse(JSON.parse(create!).Create) as {
      parameters: { approvalRuleTemplateName: string; approvalRuleTemplateContent: string };
    };
    expect(parsed.parameters.approvalRuleTemplateName).toBe(`mbm-${PROJECT.id}-main`);
    expect(JSON.parse(parsed.parameters.approvalRuleTemplateContent)).toEqual({
      Version: '2018-11-08',
      DestinationReferences: ['refs/heads/main'],
      Statements: [
        {
          Type: 'Approvers',
          NumberOfApprovalsNeeded: 2,
          ApprovalPoolMembers: ['arn:aws:sts::111111111111:assumed-role/MlLead/*'],
        },
      ],
    });
    const associate = calls.find((c) => c.includes('associateApprovalRuleTemplateWithRepository'));
    expect(associate).toContain('model-churn-train');
    expect(associate).toContain('disassociateApprovalRuleTemplateFromRepository');
    expect(create).toContain('deleteApprovalRuleTemplate');
  });

  it('refuses an approval pool member that is not an IAM ARN', () => {
    expect(() => buildApp({ context: { mainApprovers: ['lead@example.com'] } })).toThrow(
      /context key "mainApprovers" must hold IAM ARNs/,
    );
  });
});

describe('ProtectMainBranch: no direct write to main for data scientists (attack 4)', () => {
  // What a data scientist typically holds besides: full CodeCommit access to the repository.
  const scientist = (): Statement[] => [
    { Effect: 'Allow', Action: 'codecommit:*', Resource: REPO },
    ...policies.ProtectMainBranch!,
  ];
  const request = (action: string, references?: string[]): Request => ({
    action,
    resource: REPO,
    context: references === undefined ? {} : { 'codecommit:References': references },
  });

  it('denies every branch write that names main, alone or with other branches', () => {
    for (const action of BRANCH_WRITE_ACTIONS) {
      expect({ action, decision: evaluate(scientist(), request(action, ['refs/heads/main'])) }).toEqual({
        action,
        decision: 'ExplicitDeny',
      });
    }
    expect(evaluate(scientist(), request('codecommit:GitPush', ['refs/heads/experiment/a', 'refs/heads/main']))).toBe(
      'ExplicitDeny',
    );
  });

  it('allows pushes to experiment branches and reads, and denies overriding the approval rules', () => {
    expect(evaluate(scientist(), request('codecommit:GitPush', ['refs/heads/experiment/a']))).toBe('Allow');
    expect(evaluate(scientist(), request('codecommit:GitPull'))).toBe('Allow');
    expect(evaluate(scientist(), request('codecommit:CreatePullRequest'))).toBe('Allow');
    expect(evaluate(scientist(), request('codecommit:OverridePullRequestApprovalRules'))).toBe('ExplicitDeny');
    expect(evaluate(scientist(), request('codecommit:DisassociateApprovalRuleTemplateFromRepository'))).toBe(
      'ExplicitDeny',
    );
  });

  it('would let a direct push to main through without it (the check can fail)', () => {
    expect(evaluate(scientist().slice(0, 1), request('codecommit:GitPush', ['refs/heads/main']))).toBe('Allow');
  });
});

describe('ApproveModels: only approvers may approve, only this project (attack 2)', () => {
  const version = (group: string) => `arn:aws:sagemaker:us-east-1:111111111111:model-package/${group}/3`;
  const update = (group: string, id: string, status: string) =>
    evaluate(policies.ApproveModels!, {
      action: 'sagemaker:UpdateModelPackage',
      resource: version(group),
      context: { 'aws:ResourceTag/sagemaker:project-id': id, 'sagemaker:ModelApprovalStatus': status },
    });

  it('approves and rejects the versions of the project, of every group', () => {
    expect(update('model-churn', PROJECT.id, 'Approved')).toBe('Allow');
    expect(update('model-churn-ranker', PROJECT.id, 'Rejected')).toBe('Allow');
    expect(update('model-churn', PROJECT.id, 'PendingManualApproval')).toBe('ImplicitDeny');
  });

  it("never another project's versions, even in a group whose name extends the project's", () => {
    expect(update('model-churn-v2', 'p-churnv200002', 'Approved')).toBe('ImplicitDeny');
    expect(update('model-fraud', PROJECT.id, 'Approved')).toBe('ImplicitDeny');
  });
});
