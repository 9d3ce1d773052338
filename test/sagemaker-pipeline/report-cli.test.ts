import { parseReportOptions, ReportUsageError, runReport } from '../../sagemaker-pipeline/src/report-cli';
import type { CollectDeps } from '../../lambda/pr-report/collect';
import * as collect from '../../lambda/pr-report/collect';
import type { PrReport } from '../../lambda/pr-report/render';

const env = {
  MLOPS_PROJECT_NAME: 'churn',
  MLOPS_PROJECT_ID: 'p-1',
  BRANCH_NAME: 'experiment/x',
  COMMIT_HASH: 'a'.repeat(40),
  MLOPS_SOURCE_BUCKET: 'churn-artifacts',
  AWS_REGION: 'eu-west-1',
};

describe('report.js options', () => {
  it('reads every input from the environment when no flag is given', () => {
    expect(parseReportOptions([], env)).toEqual({
      target: {
        projectName: 'churn',
        projectId: 'p-1',
        branch: 'experiment/x',
        headCommit: 'a'.repeat(40),
        artifactBucket: 'churn-artifacts',
        region: 'eu-west-1',
      },
      waitMs: 0,
      pollMs: 60_000,
    });
  });

  it('names every missing or malformed input at once, before any AWS call', () => {
    let error: unknown;
    try {
      parseReportOptions(['--commit', 'abc', '--wait-minutes', 'soon'], { ...env, MLOPS_PROJECT_ID: '' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ReportUsageError);
    expect((error as Error).message.split('\n')).toEqual([
      '--project-id (or MLOPS_PROJECT_ID) is required',
      '--commit (or COMMIT_HASH) "abc" must be a full commit id: 40 lowercase hex digits',
      '--wait-minutes "soon" must be a whole number',
    ]);
  });

  it('names malformed project, branch and bucket with the value and the reason; flags win over the environment', () => {
    const problems = (argv: string[]) => {
      try {
        parseReportOptions(argv, env);
        return [];
      } catch (err) {
        expect(err).toBeInstanceOf(ReportUsageError);
        return (err as Error).message.split('\n');
      }
    };
    expect(problems(['--project', 'no_underscores', '--branch', 'refs/heads/x', '--bucket', 'Upper'])).toEqual([
      expect.stringMatching(/^--project \(or MLOPS_PROJECT_NAME\) "no_underscores" is not valid: .+/),
      expect.stringMatching(/^--branch \(or BRANCH_NAME\) "refs\/heads\/x" is not valid: .+/),
      '--bucket (or MLOPS_SOURCE_BUCKET) "Upper" is not an S3 bucket name',
    ]);
    expect(problems(['--no-such-flag'])).toEqual([expect.stringMatching(/Unknown option '--no-such-flag'/)]);
    expect(parseReportOptions(['--poll-seconds', '5', '--region', 'us-west-2'], env)).toMatchObject({
      pollMs: 5000,
      target: { region: 'us-west-2' },
    });
  });
});

describe('report.js --wait-minutes', () => {
  const report = (kind: 'running' | 'registered'): PrReport => ({
    projectName: 'churn',
    region: 'eu-west-1',
    branch: 'experiment/x',
    headCommit: 'a'.repeat(40),
    pipelineName: 'churn-experiment--x',
    models: [
      {
        model: 'churn',
        group: 'model-churn',
        state:
          kind === 'running'
            ? { kind, executionArn: 'arn:aws:sagemaker:eu-west-1:1:pipeline/p/execution/e' }
            : { kind, version: 3, approvalStatus: 'PendingManualApproval' },
      },
    ],
  });

  it('polls while a model trains and prints the report once it registered', async () => {
    const states = [report('running'), report('running'), report('registered')];
    const spy = jest.spyOn(collect, 'collectReport').mockImplementation(async () => states.shift() as PrReport);
    let clock = 0;
    const out: string[] = [];
    const options = {
      ...(parseReportOptions(['--wait-minutes', '10'], env) as Exclude<ReturnType<typeof parseReportOptions>, 'help'>),
    };
    await runReport(
      options,
      { out: (t) => out.push(t), err: () => undefined, sleep: async (ms) => void (clock += ms), now: () => clock },
      {} as CollectDeps,
    );
    expect(spy).toHaveBeenCalledTimes(3);
    expect(out.join('')).toContain('registered as version 3');
    spy.mockRestore();
  });

  it('gives up at the deadline and prints the running state', async () => {
    const spy = jest.spyOn(collect, 'collectReport').mockImplementation(async () => report('running'));
    let clock = 0;
    const out: string[] = [];
    const options = parseReportOptions(['--wait-minutes', '3'], env) as Exclude<
      ReturnType<typeof parseReportOptions>,
      'help'
    >;
    await runReport(
      options,
      { out: (t) => out.push(t), err: () => undefined, sleep: async (ms) => void (clock += ms), now: () => clock },
      {} as CollectDeps,
    );
    expect(spy).toHaveBeenCalledTimes(4); // at 0, 1, 2 and 3 minutes
    expect(out.join('')).toContain('**Training:** running');
    spy.mockRestore();
  });
});
