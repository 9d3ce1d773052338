/**
 * Every mistake in pipeline.yaml is reported as `pipeline.yaml:<line>:<column>: <what and how to fix>`, before any
 * AWS call, with exit status 2. Each case edits the seed's own pipeline.yaml (or an example) the way a data scientist
 * would; the expected line and column are those of the edited text, found in the text itself.
 */
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SEED_SOURCE_DIR } from '../../lib/seed-code';
import { main } from '../../sagemaker-pipeline/src/cli';
import { PipelineFileError } from '../../sagemaker-pipeline/src/pipeline-file';
import { pipelineJsonSchema } from '../../sagemaker-pipeline/src/pipeline-schema';
import { readScriptInterface } from '../../sagemaker-pipeline/src/script-interface';
import { parseSeedText } from './support/seed';

const DEFAULT = fs.readFileSync(path.join(SEED_SOURCE_DIR, 'pipeline.yaml'), 'utf8');
const TUNING = fs.readFileSync(path.join(SEED_SOURCE_DIR, 'examples', 'xgboost-tuning.yaml'), 'utf8');
const TWO = fs.readFileSync(path.join(SEED_SOURCE_DIR, 'examples', 'two-models.yaml'), 'utf8');

/** Replaces exactly one occurrence (so that a test cannot silently edit nothing). */
function edit(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`expected exactly one ${JSON.stringify(from)}`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/** 1-based line and column of the first occurrence of `needle` (after `after`, if given). */
function position(text: string, needle: string, after = ''): string {
  const at = text.indexOf(needle, after ? text.indexOf(after) : 0);
  if (at < 0) throw new Error(`no ${needle}`);
  const before = text.slice(0, at).split('\n');
  return `pipeline.yaml:${before.length}:${(before[before.length - 1]?.length ?? 0) + 1}:`;
}

function problems(text: string): string[] {
  try {
    parseSeedText(text);
  } catch (err) {
    if (err instanceof PipelineFileError) return err.message.split('\n');
    throw err;
  }
  return [];
}

describe('pipeline.yaml problems, with line and column', () => {
  it('accepts the seed pipeline.yaml and both examples', () => {
    expect(problems(DEFAULT)).toEqual([]);
    expect(problems(TWO)).toEqual([]);
    expect(problems(TUNING)).toEqual([]);
  });

  it('a YAML syntax error: a key indented differently from its neighbours, and a duplicate key', () => {
    const text = edit(DEFAULT, '      max_depth: 3', '     max_depth: 3');
    const line = text.slice(0, text.indexOf('     max_depth: 3')).split('\n').length;
    expect(problems(text)[0]).toBe(
      `pipeline.yaml:${line}:1: All mapping items must start at the same column (YAML syntax: check indentation, and quote values containing ": " or "#")`,
    );
    const duplicate = edit(DEFAULT, '  abalone:\n', '  abalone:\n  abalone:\n');
    expect(problems(duplicate)).toEqual([
      `${position(duplicate, 'abalone:', 'data:').replace(/:\d+:$/, ':11:')} Map keys must be unique (YAML syntax: check indentation, and quote values containing ": " or "#")`,
    ]);
  });

  it('an unknown key, with the near key it probably meant', () => {
    const text = edit(DEFAULT, '      max: 6.0', '      maxx: 6.0');
    expect(problems(text)).toEqual(
      expect.arrayContaining([
        `${position(text, 'maxx')} unknown key "maxx" in models.0.gate (did you mean "max"?); allowed: metric, min, max`,
      ]),
    );
  });

  it('a missing required key, described', () => {
    const text = edit(DEFAULT, '    gate:\n      metric: mse\n      max: 6.0\n', '');
    expect(problems(text)).toEqual([
      `${position(text, 'name: abalone')} models.0.gate is required (the quality gate: {metric, max} (lower is better) or {metric, min} (higher is better))`,
    ]);
  });

  it('a wrong type', () => {
    const text = edit(DEFAULT, 'instance: ml.m5.large\n    # Each', 'instance: 5\n    # Each');
    expect(problems(text)).toEqual([
      `${position(text, '5\n    # Each')} steps.PreprocessData.instance: invalid input: expected string, received number`,
    ]);
  });

  it('a hyperparameter of the wrong type for the script (max_depth: "six")', () => {
    const text = edit(DEFAULT, 'max_depth: 3', 'max_depth: "six"');
    expect(problems(text)).toEqual([
      `${position(text, '"six"')} max_depth must be an integer (scripts/train.py declares type=int), not "six"`,
    ]);
  });

  it('a hyperparameter the script does not accept (min_samples_leaf)', () => {
    const text = edit(DEFAULT, '      learning_rate: 0.1', '      learning_rate: 0.1\n      min_samples_leaf: 3');
    expect(problems(text)).toEqual([
      `${position(text, 'min_samples_leaf')} min_samples_leaf is not an option of scripts/train.py; it accepts: ` +
        "n_estimators, max_depth, learning_rate, subsample, random_state. Add it to the script's argparse, or remove it here",
    ]);
  });

  it('an abbreviation argparse would silently expand (max_dept)', () => {
    const text = edit(DEFAULT, 'max_depth: 3', 'max_dept: 3');
    expect(problems(text)).toEqual([
      `${position(text, 'max_dept')} max_dept is not an option of scripts/train.py; argparse would silently take it as --max_depth. Write max_depth`,
    ]);
  });

  it('a step argument the processing script does not accept', () => {
    const text = edit(DEFAULT, '      test-fraction: 0.15', '      test-fraction: 0.15\n      shuffle: true');
    expect(problems(text)).toEqual([
      expect.stringMatching(
        new RegExp(`^${position(text, 'shuffle')} shuffle is not an option of scripts/preprocess.py`),
      ),
    ]);
  });

  it('a reference to a step that does not exist, and to an output a step does not have', () => {
    const text = edit(
      edit(DEFAULT, 'train: PreprocessData.train', 'train: PreprocesData.train'),
      'test: PreprocessData.test',
      'test: PreprocessData.tests',
    );
    expect(problems(text)).toEqual([
      `${position(text, 'PreprocesData.train')} step PreprocesData does not exist (did you mean PreprocessData?); steps: PreprocessData`,
      `${position(text, 'PreprocessData.tests')} step PreprocessData has no output tests; its outputs: train, validation, test (add it to its outputs, or refer to one of those)`,
    ]);
  });

  it('a data entry that does not exist', () => {
    const text = edit(DEFAULT, 'raw: abalone', 'raw: abalon');
    expect(problems(text)).toEqual([
      `${position(text, 'abalon\n')} abalon is not a data entry (did you mean abalone?); data: abalone; or name a step output as <step>.<output>`,
    ]);
  });

  it('a cycle between steps', () => {
    const text = edit(
      DEFAULT,
      'models:\n',
      [
        '  Split:',
        '    script: scripts/preprocess.py',
        '    image: { framework: sklearn, version: "1.2-1" }',
        '    inputs: { raw: Clean.train }',
        '    outputs: [train]',
        '  Clean:',
        '    script: scripts/preprocess.py',
        '    image: { framework: sklearn, version: "1.2-1" }',
        '    inputs: { raw: Split.train }',
        '    outputs: [train]',
        '',
        'models:\n',
      ].join('\n'),
    );
    expect(problems(text)).toEqual([
      `${position(text, 'Clean.train')} steps form a cycle: Split → Clean → Split (each reads the next one's output); a step can only read data or outputs of steps that do not read it`,
    ]);
  });

  it('a gate on a metric the evaluation does not report', () => {
    const text = edit(DEFAULT, 'metric: mse', 'metric: accuracy');
    expect(problems(text)).toEqual([
      `${position(text, 'accuracy')} scripts/evaluate.py does not report accuracy; it reports mse, rmse, mae, r2 (its METRIC_PATHS)`,
    ]);
  });

  it('a gate that can never pass (r2 >= 1.5)', () => {
    const text = edit(DEFAULT, 'metric: mse\n      max: 6.0', 'metric: r2\n      min: 1.5');
    expect(problems(text)).toEqual([`${position(text, '1.5')} r2 is never above 1, so r2 >= 1.5 can never pass`]);
  });

  it('an instance type SageMaker does not offer for the job type', () => {
    const text = edit(
      DEFAULT,
      '      instance: ml.m5.large\n      inputs:\n        train',
      '      instance: ml.m5.huge\n      inputs:\n        train',
    );
    expect(problems(text)).toEqual([
      expect.stringMatching(
        new RegExp(`^${position(text, 'ml.m5.huge')} SageMaker does not offer ml.m5.huge for training jobs`),
      ),
    ]);
  });

  it('a GPU instance for a CPU-only image', () => {
    const text = edit(
      DEFAULT,
      '      instance: ml.m5.large\n      inputs:\n        train',
      '      instance: ml.g4dn.xlarge\n      inputs:\n        train',
    );
    expect(problems(text)).toEqual([
      `${position(text, 'ml.g4dn.xlarge')} ml.g4dn.xlarge is an accelerated (GPU) instance, but SageMaker's scikit-learn images run on CPU only; use a CPU instance like ml.m5.large`,
    ]);
  });

  it('a tuning objective the training job does not report, and a range of a hyperparameter the algorithm lacks', () => {
    const text = edit(edit(TUNING, "'validation:rmse'", "'validation:r2'"), 'subsample:', 'sub_sample:');
    const shown = (needle: string) => position(text, needle).replace('pipeline.yaml', 'pipeline.yaml');
    expect(problems(text)).toEqual([
      expect.stringMatching(
        new RegExp(`^${shown("'validation:r2'")} validation:r2 is not a metric the training job reports`),
      ),
      `${shown('sub_sample')} sub_sample is not a hyperparameter of SageMaker's built-in XGBoost (did you mean subsample?)`,
    ]);
  });

  it('reports every problem at once, in file order', () => {
    const text = edit(edit(DEFAULT, 'max_depth: 3', 'max_dept: 3'), 'metric: mse', 'metric: accuracy');
    const found = problems(text);
    expect(found).toHaveLength(2);
    expect(found[0]).toContain('max_dept');
    expect(found[1]).toContain('accuracy');
  });
});

describe('run.js with a broken pipeline.yaml', () => {
  const sagemaker = mockClient(SageMakerClient);
  const s3 = mockClient(S3Client);
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-file-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('exits 2 with <file>:<line>:<column> lines and sends nothing to AWS', async () => {
    const file = path.join(dir, 'pipeline.yaml');
    fs.writeFileSync(file, edit(DEFAULT, 'max_depth: 3', 'max_depth: "six"'));
    const err: string[] = [];
    const env = {
      BRANCH_NAME: 'main',
      COMMIT_HASH: 'c'.repeat(40),
      PROJECT_NAME: 'abalone',
      PROJECT_ID: 'p-1',
      ARTIFACT_BUCKET: 'bucket-1',
      SAGEMAKER_PIPELINE_ROLE_ARN: 'arn:aws:iam::123456789012:role/r',
      AWS_REGION: 'eu-west-1',
    };
    const code = await main(['--config', file], env, SEED_SOURCE_DIR, {
      out: () => undefined,
      err: (l) => err.push(l),
    });
    expect(code).toBe(2);
    expect(err[0]).toMatch(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: max_depth must be an integer`),
    );
    expect(err[1]).toBe(`1 problem in ${file}; nothing was sent to AWS`);
    expect(sagemaker.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });
});

describe('script interfaces', () => {
  it('reads argparse options with their types and choices, and the declared metrics', () => {
    const iface = readScriptInterface(
      [
        'METRICS = ("mse", "r2")',
        'METRIC_PATHS = {"mse": "regression_metrics.mse.value"}',
        'p = argparse.ArgumentParser(allow_abbrev=False)',
        'p.add_argument("--depth", "-d", type=int, default=3)',
        "p.add_argument('--rate', type=float,\n    default=0.1)",
        'p.add_argument("--kind", choices=["a", "b"], default=os.environ.get("K", "a"))',
        'p.add_argument("--verbose", action="store_true")',
      ].join('\n'),
    );
    expect([...iface.arguments.values()]).toEqual([
      { name: 'depth', type: 'int' },
      { name: 'rate', type: 'float' },
      { name: 'kind', type: 'str', choices: ['a', 'b'] },
      { name: 'verbose', type: 'bool' },
    ]);
    expect(iface.metrics).toEqual(['mse', 'r2']);
    expect(iface.metricPaths).toEqual({ mse: 'regression_metrics.mse.value' });
  });
});

describe('pipeline.schema.json', () => {
  it('is the schema generated from the checks run.js applies (regenerate: npm run seed:schema)', () => {
    const committed = JSON.parse(fs.readFileSync(path.join(SEED_SOURCE_DIR, 'pipeline.schema.json'), 'utf8'));
    expect(committed).toEqual(pipelineJsonSchema());
  });

  it('is what the pipeline files point editors at, on their first line', () => {
    expect(DEFAULT.split('\n')[0]).toBe('# yaml-language-server: $schema=./pipeline.schema.json');
    expect(TWO.split('\n')[0]).toBe('# yaml-language-server: $schema=../pipeline.schema.json');
    expect(TUNING.split('\n')[0]).toBe('# yaml-language-server: $schema=../pipeline.schema.json');
  });
});
