/**
 * The pull request report as Markdown: one pure function of the facts {@link collectReport} gathers, used by the
 * CodeCommit function (the comment it keeps current) and by the seed's `report.js` (GitHub job summary and sticky
 * comment), so both say the same thing. Deterministic: no clock, no randomness, so a golden file can pin it.
 *
 * The first line is the visible marker by which the function finds its comment again (with its own author ARN).
 * The result is at most {@link COMMENT_LIMIT} characters (CodeCommit's comment limit, counted here in UTF-8 bytes,
 * which is never fewer): a longer report is cut at a line boundary and ends with a note saying so.
 */
import { Comparison, compareMetrics, Direction, Metrics } from './metrics';

/** CodeCommit's limit on a comment's content (PostCommentForPullRequest, UpdateComment). */
export const COMMENT_LIMIT = 10_240;

/** The first line of every report: visible, constant, how the function and the workflow find their comment again. */
export const REPORT_MARKER =
  '**multibranch-mlops model report** (kept up to date automatically; edits are overwritten)';

/** A model version in the registry, with its evaluation metrics (or why they could not be read). */
export interface VersionFacts {
  readonly arn: string;
  readonly version: number;
  readonly approvalStatus: string;
  readonly commitId?: string;
  readonly executionArn?: string;
  readonly metrics: Metrics | { readonly problem: string };
}

/** Where the branch's training of the head commit stands, for one model. */
export type TrainingState =
  | { readonly kind: 'registered'; readonly version: number; readonly approvalStatus: string }
  | { readonly kind: 'running'; readonly executionArn: string }
  | {
      readonly kind: 'failed-gate';
      readonly executionArn: string;
      readonly metric: string;
      readonly comparison: '<=' | '>=';
      readonly threshold: number;
      /** The model's value of the metric, when the evaluation report could be read. */
      readonly value?: number;
    }
  | { readonly kind: 'failed-step'; readonly executionArn: string; readonly step: string; readonly reason?: string }
  | { readonly kind: 'stopped'; readonly executionArn: string }
  | { readonly kind: 'finished-without-version'; readonly executionArn: string }
  | { readonly kind: 'not-started' };

export interface ModelReport {
  /** The model's name (`model_name`), or the group name when no version says it. */
  readonly model: string;
  readonly group: string;
  readonly state: TrainingState;
  /** The branch's newest registered version: of the head commit, or of an older commit until the head's registers. */
  readonly candidate?: VersionFacts;
  /** The group's newest Approved version (what is in production). */
  readonly baseline?: VersionFacts;
  /** The gate's metric and direction, from the pipeline definition: it overrides the metric's usual direction. */
  readonly gate?: { readonly metric: string; readonly direction: Direction; readonly threshold: number };
}

export interface PrReport {
  readonly projectName: string;
  readonly region: string;
  readonly branch: string;
  /** The pull request's source head commit (40 hex). */
  readonly headCommit: string;
  readonly pipelineName: string;
  /** The head commit's pipeline execution, when one exists. */
  readonly execution?: { readonly arn: string; readonly status: string };
  readonly models: readonly ModelReport[];
  /** Problems found while collecting that the reader should know (a group without metrics, a listing cut short). */
  readonly notes?: readonly string[];
}

const short = (commit: string) => commit.slice(0, 8);

function consoleHost(region: string): string {
  return region.startsWith('cn-') ? 'console.amazonaws.cn' : 'console.aws.amazon.com';
}

/** SageMaker console page of a pipeline execution. */
export function executionLink(region: string, pipelineName: string, executionArn: string): string {
  const id = executionArn.split('/').pop() ?? '';
  return (
    `https://${region}.${consoleHost(region)}/sagemaker/home?region=${region}#/pipelines/` +
    `${encodeURIComponent(pipelineName)}/executions/${encodeURIComponent(id)}`
  );
}

/** SageMaker console page of a model package version. */
export function modelPackageLink(region: string, group: string, version: number): string {
  return (
    `https://${region}.${consoleHost(region)}/sagemaker/home?region=${region}#/model-registry/` +
    `${encodeURIComponent(group)}/versions/${version}`
  );
}

/** A number as people read it: up to 6 significant digits, no exponent for ordinary magnitudes. */
export function formatNumber(value: number): string {
  if (value === 0) return '0';
  const text = String(Number(value.toPrecision(6)));
  return text;
}

function formatDifference(value: number): string {
  return value > 0 ? `+${formatNumber(value)}` : formatNumber(value);
}

/** Escapes what would break a table cell or inline code. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

function stateLine(report: PrReport, model: ModelReport): string {
  const s = model.state;
  const exec = (arn: string) => `[execution](${executionLink(report.region, report.pipelineName, arn)})`;
  switch (s.kind) {
    case 'registered':
      return (
        `registered as version ${s.version} (${s.approvalStatus}) · ` +
        `[model package](${modelPackageLink(report.region, model.group, s.version)})` +
        (model.candidate?.executionArn !== undefined ? ` · ${exec(model.candidate.executionArn)}` : '')
      );
    case 'running':
      return `running · ${exec(s.executionArn)}`;
    case 'failed-gate':
      return (
        `failed at the quality gate: ${s.metric} ` +
        (s.value !== undefined ? `= ${formatNumber(s.value)}, ` : '') +
        `required ${s.metric} ${s.comparison} ${formatNumber(s.threshold)}; not registered · ${exec(s.executionArn)}`
      );
    case 'failed-step':
      return (
        `failed at step ${code(s.step)}` +
        (s.reason !== undefined && s.reason.length > 0 ? `: ${cell(s.reason).slice(0, 300)}` : '') +
        ` · ${exec(s.executionArn)}`
      );
    case 'stopped':
      return `stopped before registering · ${exec(s.executionArn)}`;
    case 'finished-without-version':
      return `the execution succeeded but registered no version in ${code(model.group)} · ${exec(s.executionArn)}`;
    case 'not-started':
      return `not started yet: no pipeline execution for commit ${code(short(report.headCommit))}`;
  }
}

function versionLabel(v: VersionFacts | undefined, what: string): string {
  return v === undefined ? what : `${what} (v${v.version})`;
}

function verdictText(c: Comparison): string {
  switch (c.verdict) {
    case 'better':
      return 'this branch';
    case 'worse':
      return 'production';
    case 'same':
      return 'equal';
    case 'unknown':
      return c.direction === undefined && c.difference !== undefined ? 'n/a (direction unknown)' : '';
  }
}

function metricsOf(v: VersionFacts | undefined): Metrics | undefined {
  return v === undefined || 'problem' in v.metrics ? undefined : (v.metrics as Metrics);
}

function modelSection(report: PrReport, model: ModelReport): string[] {
  const lines = [
    `#### Model ${code(model.model)} · group ${code(model.group)}`,
    '',
    `**Training:** ${stateLine(report, model)}`,
  ];
  const { candidate, baseline } = model;
  if (candidate !== undefined && candidate.commitId !== undefined && candidate.commitId !== report.headCommit) {
    const ended = ['failed-gate', 'failed-step', 'stopped', 'finished-without-version'].includes(model.state.kind);
    lines.push(
      '',
      `> The branch moved to ${code(short(report.headCommit))}: the numbers below are for the older commit ` +
        `${code(short(candidate.commitId))} (version ${candidate.version}) ` +
        (ended
          ? `because the run of ${code(short(report.headCommit))} registered no version.`
          : 'until the new run registers.'),
    );
  }
  for (const [v, who] of [
    [candidate, 'this branch'],
    [baseline, 'production'],
  ] as const) {
    if (v !== undefined && 'problem' in v.metrics) {
      lines.push('', `Metrics of ${who} (version ${v.version}) could not be read: ${cell(v.metrics.problem)}`);
    }
  }
  const directions = model.gate !== undefined ? { [model.gate.metric]: model.gate.direction } : {};
  const rows = compareMetrics(metricsOf(candidate), metricsOf(baseline), directions);
  if (rows.length > 0) {
    lines.push(
      '',
      `| metric | ${versionLabel(candidate, 'this branch')} | ${versionLabel(baseline, 'production')} | difference | better |`,
      '| --- | ---: | ---: | ---: | --- |',
    );
    for (const row of rows) {
      const arrow = row.direction === 'lower' ? ' ↓' : row.direction === 'higher' ? ' ↑' : '';
      const gate =
        model.gate?.metric === row.metric
          ? ` (gate ${model.gate.direction === 'lower' ? '<=' : '>='} ${formatNumber(model.gate.threshold)})`
          : '';
      const value = (n: number | undefined) => (n === undefined ? '—' : formatNumber(n));
      lines.push(
        `| ${cell(row.metric)}${arrow}${gate} | ${value(row.candidate)} | ${value(row.baseline)} | ` +
          `${row.difference === undefined ? '—' : formatDifference(row.difference)} | ${verdictText(row)} |`,
      );
    }
  }
  if (baseline === undefined)
    lines.push('', `No Approved version in ${code(model.group)} yet: nothing to compare with.`);
  const links: string[] = [];
  if (candidate !== undefined) {
    links.push(
      `[this branch's version ${candidate.version}](${modelPackageLink(report.region, model.group, candidate.version)})`,
    );
  }
  if (baseline !== undefined) {
    links.push(
      `[production version ${baseline.version}](${modelPackageLink(report.region, model.group, baseline.version)})`,
    );
  }
  if (links.length > 0) lines.push('', links.join(' · '));
  return lines;
}

function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The report's Markdown, at most {@link COMMENT_LIMIT} (UTF-8 bytes, so never more characters). */
export function renderReport(report: PrReport, limit = COMMENT_LIMIT): string {
  const lines: string[] = [
    REPORT_MARKER,
    '',
    `Branch ${code(report.branch)} at ${code(report.headCommit)} · project ${code(report.projectName)} · ` +
      `pipeline ${code(report.pipelineName)}` +
      (report.execution !== undefined
        ? ` · [execution ${report.execution.status.toLowerCase()}](${executionLink(report.region, report.pipelineName, report.execution.arn)})`
        : ''),
  ];
  if (report.models.length === 0) {
    lines.push('', `No model package group of project ${code(report.projectName)} found yet: nothing to report.`);
  }
  for (const model of report.models) lines.push('', ...modelSection(report, model));
  for (const note of report.notes ?? []) lines.push('', `_${cell(note)}_`);
  lines.push('', 'Production = the newest Approved version of the same group. ↓ lower is better, ↑ higher is better.');
  const full = lines.join('\n') + '\n';
  if (utf8Length(full) <= limit) return full;
  return cut(lines, limit);
}

function cut(lines: readonly string[], limit: number): string {
  const note = (shown: number) =>
    `\n_Report cut at ${limit.toLocaleString('en-US')} characters (CodeCommit's comment limit): ` +
    `${lines.length - shown} more line(s) not shown. The model registry has every version and its metrics._\n`;
  let kept = '';
  let shown = 0;
  for (const line of lines) {
    const next = `${kept}${line}\n`;
    if (utf8Length(next) + utf8Length(note(shown + 1)) > limit) break;
    kept = next;
    shown += 1;
  }
  if (shown === 0) {
    // A single line longer than the limit: keep the marker only.
    return `${REPORT_MARKER}\n${note(1)}`;
  }
  return `${kept}${note(shown)}`;
}
