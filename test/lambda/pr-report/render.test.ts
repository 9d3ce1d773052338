import { COMMENT_LIMIT, PrReport, REPORT_MARKER, renderReport } from '../../../lambda/pr-report/render';
import { compareMetrics, MetricsFormatError, parseEvaluationReport } from '../../../lambda/pr-report/metrics';
import { expectGolden } from './golden';

const HEAD = '1111111111111111111111111111111111111111';
const OLD = '2222222222222222222222222222222222222222';
const EXEC = 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/demo-experiment--deeper-trees/execution/abc123def456';
const pkg = (group: string, version: number) =>
  `arn:aws:sagemaker:us-east-1:123456789012:model-package/${group}/${version}`;

/** Two models: the first failed at its gate on the new head (numbers still of the older commit), the second's step failed. */
const failing: PrReport = {
  projectName: 'demo',
  region: 'us-east-1',
  branch: 'experiment/deeper-trees',
  headCommit: HEAD,
  pipelineName: 'demo-experiment--deeper-trees',
  execution: { arn: EXEC, status: 'Failed' },
  models: [
    {
      model: 'abalone',
      group: 'model-demo',
      state: { kind: 'failed-gate', executionArn: EXEC, metric: 'mse', comparison: '<=', threshold: 6, value: 7.25 },
      candidate: {
        arn: pkg('model-demo', 4),
        version: 4,
        approvalStatus: 'PendingManualApproval',
        commitId: OLD,
        metrics: new Map([
          ['mse', 4.5],
          ['r2', 0.55],
        ]),
      },
      baseline: {
        arn: pkg('model-demo', 2),
        version: 2,
        approvalStatus: 'Approved',
        metrics: new Map([
          ['mse', 5],
          ['r2', 0.5],
        ]),
      },
      gate: { metric: 'mse', direction: 'lower', threshold: 6 },
    },
    {
      model: 'ranker',
      group: 'model-demo-ranker',
      state: {
        kind: 'failed-step',
        executionArn: EXEC,
        step: 'TrainModel-ranker',
        reason: 'AlgorithmError: out of memory',
      },
      baseline: {
        arn: pkg('model-demo-ranker', 1),
        version: 1,
        approvalStatus: 'Approved',
        metrics: { problem: 'NoSuchKey' },
      },
    },
  ],
};

describe('renderReport', () => {
  it('starts with the visible marker line', () => {
    expect(renderReport(failing).split('\n')[0]).toBe(REPORT_MARKER);
  });

  it('renders gate and step failures, the older-commit note and unreadable metrics (golden file)', () => {
    expectGolden('failing-two-models', renderReport(failing));
  });

  it('renders running and not-started states and a group without production', () => {
    const text = renderReport({
      ...failing,
      execution: { arn: EXEC, status: 'Executing' },
      models: [
        { model: 'abalone', group: 'model-demo', state: { kind: 'running', executionArn: EXEC } },
        { model: 'ranker', group: 'model-demo-ranker', state: { kind: 'not-started' } },
      ],
    });
    expect(text).toContain(
      '**Training:** running · [execution](https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/pipelines/demo-experiment--deeper-trees/executions/abc123def456)',
    );
    expect(text).toContain('not started yet: no pipeline execution for commit `11111111`');
    expect(text).toContain('No Approved version in `model-demo-ranker` yet');
  });

  it('cuts a report longer than 10,240 characters at a line, with a note, keeping the marker', () => {
    const many: PrReport = {
      ...failing,
      models: Array.from({ length: 80 }, (_, i) => ({
        ...failing.models[0]!,
        model: `model${i}`,
        group: `model-demo-m${i}`,
      })),
    };
    const full = renderReport(many, 1_000_000);
    expect(full.length).toBeGreaterThan(COMMENT_LIMIT);
    const text = renderReport(many);
    expect(Buffer.byteLength(text, 'utf8')).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(text.startsWith(`${REPORT_MARKER}\n`)).toBe(true);
    expect(text).toMatch(
      /_Report cut at 10,240 characters \(CodeCommit's comment limit\): \d+ more line\(s\) not shown/,
    );
    expect(full.startsWith(text.slice(0, text.indexOf('\n_Report cut')))).toBe(true);
  });

  it('counts the limit in UTF-8 bytes, so multi-byte text never exceeds it in any unit', () => {
    const text = renderReport({ ...failing, branch: 'experiment/' + 'é'.repeat(6000) });
    expect(Buffer.byteLength(text, 'utf8')).toBeLessThanOrEqual(COMMENT_LIMIT);
  });
});

describe('metrics', () => {
  it('reads every <section>.<metric>.value of an evaluation report', () => {
    const metrics = parseEvaluationReport(
      JSON.stringify({
        regression_metrics: { mse: { value: 4.1, standard_deviation: 1 }, r2: { value: 0.6 } },
        test_rows: 627,
      }),
    );
    expect([...metrics]).toEqual([
      ['mse', 4.1],
      ['r2', 0.6],
    ]);
  });

  it('rejects a report without metrics, naming the expected shape', () => {
    expect(() => parseEvaluationReport('{"test_rows": 3}')).toThrow(MetricsFormatError);
    expect(() => parseEvaluationReport('not json')).toThrow(/not JSON/);
  });

  it('judges by direction: lower mse and higher r2 are better; unknown metrics get no verdict', () => {
    const rows = compareMetrics(
      new Map([
        ['mse', 4],
        ['r2', 0.4],
        ['custom', 2],
      ]),
      new Map([
        ['mse', 5],
        ['r2', 0.5],
        ['custom', 1],
      ]),
    );
    expect(rows.map((r) => [r.metric, r.verdict])).toEqual([
      ['mse', 'better'],
      ['r2', 'worse'],
      ['custom', 'unknown'],
    ]);
  });

  it('lets the gate direction override the usual one', () => {
    const [row] = compareMetrics(new Map([['custom', 2]]), new Map([['custom', 1]]), { custom: 'higher' });
    expect(row?.verdict).toBe('better');
  });
});
