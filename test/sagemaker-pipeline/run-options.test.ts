/** run.js options (src/command/run-options.ts): every problem named at once, in order, before any AWS call. */
import { SEED_SOURCE_DIR } from '../../lib/seed-code';
import { parseOptions, UsageError } from '../../sagemaker-pipeline/src/cli';
import { RunOptions } from '../../sagemaker-pipeline/src/command/run-options';
import { COMMIT } from './support/seed';

const ENV = {
  BRANCH_NAME: 'experiment/deeper-trees',
  COMMIT_HASH: COMMIT,
  PROJECT_NAME: 'abalone',
  PROJECT_ID: 'p-abc123xyz',
  ARTIFACT_BUCKET: 'abalone-artifacts-123456789012',
  SAGEMAKER_PIPELINE_ROLE_ARN: 'arn:aws:iam::123456789012:role/sagemaker-pipeline',
  AWS_REGION: 'eu-west-1',
};

function problems(argv: string[], env: NodeJS.ProcessEnv): string[] {
  try {
    parseOptions(argv, env, SEED_SOURCE_DIR);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message.split('\n');
  }
  throw new Error('parseOptions accepted the input');
}

describe('run.js options', () => {
  it('reads a real run from the environment; flags win; the wait timeout is in minutes', () => {
    const options = parseOptions(
      ['--wait', '--wait-timeout-minutes', '1.5', '--region', 'us-west-2', '--commit', COMMIT.toUpperCase()],
      ENV,
      SEED_SOURCE_DIR,
    ) as RunOptions;
    expect(options.context).toMatchObject({
      projectName: 'abalone',
      branch: 'experiment/deeper-trees',
      commit: COMMIT,
      region: 'us-west-2',
      bucket: ENV.ARTIFACT_BUCKET,
      roleArn: ENV.SAGEMAKER_PIPELINE_ROLE_ARN,
      modelPackageGroupName: 'model-abalone',
    });
    expect(options).toMatchObject({ projectId: 'p-abc123xyz', wait: true, waitTimeoutMs: 90_000, dryRun: false });
  });

  it('names every missing value of a real run, in order', () => {
    expect(problems([], {})).toEqual([
      '--branch (or BRANCH_NAME) is required',
      '--commit (or COMMIT_HASH) is required',
      '--project (or PROJECT_NAME) is required',
      '--project-id (or PROJECT_ID) is required',
      '--bucket (or ARTIFACT_BUCKET) is required',
      '--role-arn (or SAGEMAKER_PIPELINE_ROLE_ARN) is required',
      '--region (or AWS_REGION) is required',
    ]);
  });

  it('names every malformed value with what was given', () => {
    const bad = {
      ...ENV,
      COMMIT_HASH: 'abc1234',
      PROJECT_NAME: 'no_underscores',
      ARTIFACT_BUCKET: 'Upper',
      SAGEMAKER_PIPELINE_ROLE_ARN: 'arn:aws:iam::1:user/x',
      TRIGGER: 'cron',
    };
    expect(problems(['--branch', 'refs/heads/main', '--wait-timeout-minutes', '0'], bad)).toEqual([
      expect.stringContaining('refs/heads/main'),
      'commit "abc1234" is not a full 40-hex commit id',
      expect.stringContaining('no_underscores'),
      'bucket "Upper" is not an S3 bucket name',
      'role ARN "arn:aws:iam::1:user/x" is not an IAM role ARN',
      '--wait-timeout-minutes must be a positive number',
      'TRIGGER must be "push" or "schedule", got "cron"',
    ]);
    expect(problems(['--wait-timeout-minutes', 'soon'], ENV)).toEqual([
      '--wait-timeout-minutes must be a positive number',
    ]);
  });

  it('a dry run needs only the branch and commit; placeholders stand in for the rest', () => {
    const options = parseOptions(
      ['--dry-run'],
      { BRANCH_NAME: 'main', COMMIT_HASH: COMMIT },
      SEED_SOURCE_DIR,
    ) as RunOptions;
    expect(options.context).toMatchObject({
      projectName: 'dry-run',
      bucket: 'artifact-bucket',
      roleArn: 'arn:aws:iam::000000000000:role/sagemaker-pipeline-role',
      region: 'us-east-1',
    });
    expect(options.projectId).toBeUndefined();
    expect(problems(['--dry-run'], {})).toEqual([
      '--branch (or BRANCH_NAME) is required',
      '--commit (or COMMIT_HASH) is required',
    ]);
  });

  it('refuses flags that do not go together, and unknown flags', () => {
    expect(problems(['--local', '--dry-run'], ENV)).toEqual(['--local and --dry-run exclude each other']);
    expect(problems(['--python', 'python3.12'], ENV)).toEqual(['--input, --python and --sql-url go with --local']);
    expect(problems(['--no-such-flag'], ENV)).toEqual([expect.stringMatching(/Unknown option '--no-such-flag'/)]);
    expect(parseOptions(['--local', '--sql-url', 'postgresql://h/db'], {}, SEED_SOURCE_DIR)).toMatchObject({
      context: { branch: 'local', commit: '0'.repeat(40), projectName: 'project' },
      local: { sqlUrl: 'postgresql://h/db', python: 'python3' },
    });
  });

  it('reads LOCAL_RUN_FORK with --local (1 the fork server, 0 one process per step), refusing any other value', () => {
    expect(parseOptions(['--local'], { LOCAL_RUN_FORK: '0' }, SEED_SOURCE_DIR)).toMatchObject({
      local: { fork: false },
    });
    expect(parseOptions(['--local'], { LOCAL_RUN_FORK: '1' }, SEED_SOURCE_DIR)).toMatchObject({
      local: { fork: true },
    });
    const unset = parseOptions(['--local'], {}, SEED_SOURCE_DIR);
    expect(unset !== 'help' && unset.local !== undefined && 'fork' in unset.local).toBe(false);
    expect(problems(['--local'], { LOCAL_RUN_FORK: 'yes' })).toEqual([
      'LOCAL_RUN_FORK=yes: set it to 1 (run the steps through local_runner.py) or 0 (one Python process per step), or unset it (the runner on Linux only)',
    ]);
  });
});
