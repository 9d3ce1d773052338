/**
 * Readers for the CI files of the seed code (`sagemaker-pipeline/Jenkinsfile`, `.github/workflows/mlops.yml`, and the
 * `ci/*.sh` scripts both call), so tests can check the calls and run exactly the scripts they call.
 *
 * The workflow is read with the `yaml` package in the failsafe schema (mappings, sequences and strings: scalars stay
 * strings, as GitHub Actions reads them where it matters here), with unique keys; a malformed file fails naming its line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { PROJECT_ROOT } from '../../support/fixtures';

export const SEED_DIR = path.join(PROJECT_ROOT, 'sagemaker-pipeline');
export const JENKINSFILE_PATH = path.join(SEED_DIR, 'Jenkinsfile');
export const WORKFLOW_PATH = path.join(SEED_DIR, '.github', 'workflows', 'mlops.yml');
/** The CI scripts of the seed code, relative to the repository root, as the Jenkinsfile and the workflow call them. */
export const TRAIN_SCRIPT = 'ci/train.sh';
export const RELEASE_SCRIPT = 'ci/release.sh';

/** The absolute path of a seed code script given relative to the repository root. */
export function seedFile(relative: string): string {
  return path.join(SEED_DIR, relative);
}

export interface ShellStep {
  readonly label: string;
  readonly script: string;
}

/**
 * The `sh(label: '...', script: '...')` steps of a Jenkinsfile. Each script is one Groovy single-quoted string on one
 * line (no interpolation): the command that runs a script file of the seed code. Any other form of sh step, or a
 * backslash (which Groovy would interpret), is rejected.
 */
export function jenkinsShellSteps(jenkinsfile: string): ShellStep[] {
  const steps: ShellStep[] = [];
  for (const match of jenkinsfile.matchAll(/\bsh\(label: '([^'\\\n]*)', script: '([^'\n]*)'\)/g)) {
    const [, label, script] = match;
    if (label === undefined || script === undefined) continue;
    if (script.includes('\\')) throw new Error(`Jenkinsfile step "${label}" holds a backslash, which Groovy would eat`);
    steps.push({ label, script });
  }
  const calls = jenkinsfile.match(/(?<![\w.])sh[ (]/g)?.length ?? 0;
  if (calls !== steps.length) {
    throw new Error(`Jenkinsfile has ${calls} sh steps but only ${steps.length} in the form sh(label:, script: '...')`);
  }
  return steps;
}

export type YamlValue = string | YamlValue[] | { [key: string]: YamlValue };

/** Parses YAML with the `yaml` package: failsafe schema (every scalar a string), duplicate keys refused. */
export function parseWorkflowYaml(source: string): YamlValue {
  return parseYaml(source, { schema: 'failsafe', uniqueKeys: true, prettyErrors: true }) as YamlValue;
}

/** The value at `keys` under `root`, or an error naming the first missing key. */
export function at(root: YamlValue, ...keys: (string | number)[]): YamlValue {
  let current: YamlValue = root;
  const walked: string[] = [];
  for (const key of keys) {
    walked.push(String(key));
    const next: YamlValue | undefined =
      typeof key === 'number'
        ? Array.isArray(current)
          ? current[key]
          : undefined
        : typeof current === 'object' && !Array.isArray(current)
          ? current[key]
          : undefined;
    if (next === undefined) throw new Error(`workflow has no ${walked.join('.')}`);
    current = next;
  }
  return current;
}

export function readJenkinsfile(): string {
  return fs.readFileSync(JENKINSFILE_PATH, 'utf8');
}

export function readWorkflow(): YamlValue {
  return parseWorkflowYaml(fs.readFileSync(WORKFLOW_PATH, 'utf8'));
}

export interface WorkflowStep {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with: Record<string, string>;
  readonly env: Record<string, string>;
}

function stringRecord(value: YamlValue | undefined, what: string): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${what} must be a mapping`);
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') throw new Error(`${what}.${key} must be a scalar`);
    out[key] = entry;
  }
  return out;
}

/** The steps of job `job` of the workflow, typed. */
export function workflowSteps(workflow: YamlValue, job: string): WorkflowStep[] {
  const steps = at(workflow, 'jobs', job, 'steps');
  if (!Array.isArray(steps)) throw new Error(`jobs.${job}.steps must be a sequence`);
  return steps.map((step, index) => {
    if (typeof step !== 'object' || Array.isArray(step))
      throw new Error(`jobs.${job}.steps[${index}] must be a mapping`);
    const text = (key: string) => {
      const entry = step[key];
      if (entry !== undefined && typeof entry !== 'string') throw new Error(`jobs.${job}.steps[${index}].${key}`);
      return entry;
    };
    return {
      name: text('name'),
      uses: text('uses'),
      run: text('run'),
      with: stringRecord(step.with, `jobs.${job}.steps[${index}].with`),
      env: stringRecord(step.env, `jobs.${job}.steps[${index}].env`),
    };
  });
}
