/**
 * The checks the issue asks for on every template the app synthesizes (baseline, product stack, per-branch):
 * cdk-nag AwsSolutions with zero unacknowledged findings, each acknowledgement with a specific reason, and cfn-lint
 * with zero errors (accepted warnings listed in the README).
 */
import * as fs from 'node:fs';
import { Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { BuiltApp, buildApp, removeApp } from '../support/app';
import { cfnLint } from '../support/cfn-lint';

/** cfn-lint warnings accepted (the README lists them with the reason, under "Accepted cfn-lint warnings"). */
const ACCEPTED_CFN_LINT_WARNINGS = ['W3005'];

function acknowledgements(root: IConstruct): Array<{ path: string; id: string; reason: string }> {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      // Recorded as { "<plugin>::<rule id>": reason }.
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .map(([id, reason]) => ({ path: construct.node.path, id, reason })),
  );
}

describe('compliance of the synthesized templates', () => {
  let built: BuiltApp;

  beforeAll(() => {
    // Synthesis fails on any unacknowledged cdk-nag finding, in the app or in the per-branch template's app.
    built = buildApp({ nag: true });
  });
  afterAll(() => removeApp(built));

  it('synthesizes all three templates under cdk-nag AwsSolutionsChecks', () => {
    expect(built.templateFiles).toHaveLength(3);
    const report = JSON.parse(fs.readFileSync(`${built.outdir}/validation-report.json`, 'utf8')) as {
      pluginReports: Array<{
        pluginName: string;
        conclusion: string;
        violations: unknown[];
        suppressedViolations: Array<{ ruleName: string; reason: string }>;
      }>;
    };
    expect(report.pluginReports.map((r) => [r.pluginName, r.conclusion, r.violations])).toEqual([
      ['AwsSolutions', 'success', []],
    ]);
    // Every acknowledged finding is in the report with its reason.
    for (const suppressed of report.pluginReports[0]?.suppressedViolations ?? []) {
      expect(suppressed.reason.length).toBeGreaterThanOrEqual(40);
    }
  });

  it('gives every acknowledgement a specific reason', () => {
    const acks = acknowledgements(built.baseline);
    expect(acks.length).toBeGreaterThan(20);
    for (const ack of acks) {
      expect(ack.id).toMatch(/^AwsSolutions::AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
      expect(ack.reason.length).toBeGreaterThanOrEqual(40);
    }
  });

  it('acknowledges wildcards finding by finding, never a whole IAM5 rule', () => {
    const blanket = acknowledgements(built.baseline).filter((ack) => ack.id.endsWith('AwsSolutions-IAM5'));
    expect(blanket).toEqual([]);
  });

  it('reports zero cfn-lint errors on every template, and only accepted warnings', async () => {
    const { errors, warnings } = await cfnLint(built.templateFiles);
    expect(errors).toEqual([]);
    expect(warnings.filter((id) => !ACCEPTED_CFN_LINT_WARNINGS.includes(id))).toEqual([]);
  });
});

describe('cdk-nag as the app applies it', () => {
  it('fails synthesis on an unacknowledged finding inside the product stack', () => {
    expect(() =>
      buildApp({
        nag: true,
        extend: (baseline) => {
          new s3.Bucket(baseline.productStack, 'UncheckedBucket');
        },
      }),
    ).toThrow(/AwsSolutions-S10/);
  });
});
