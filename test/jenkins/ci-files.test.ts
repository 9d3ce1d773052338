/**
 * The Jenkinsfile and the GitHub Actions workflow of the seed code: their structure, the calls both make to the seed
 * code's ci/train.sh and ci/release.sh (with the environment those scripts read), and the scripts run for real (bash,
 * git, jq, curl, the AWS CLI against moto_server) on real git repositories.
 */
import { CodeBuildClient, CreateProjectCommand } from '@aws-sdk/client-codebuild';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { parseDirectInvocation } from '../../lambda/release-model/payload';
import { branchHash } from '../../contracts/naming';

/** ci/train.sh keys uploads by sha256(branch)[:10] (docs/design.md); the key also holds the commit. */
const CI_KEY_HASH_LENGTH = 10;
import { MotoServer, startMoto, useMotoEnvironment } from '../support/moto';
import {
  at,
  jenkinsShellSteps,
  parseWorkflowYaml,
  readJenkinsfile,
  readWorkflow,
  RELEASE_SCRIPT,
  SEED_DIR,
  seedFile,
  TRAIN_SCRIPT,
  workflowSteps,
} from './support/ci-files';
import { argument, GitRepo, ScriptSandbox } from './support/run-script';

const TRAIN_LABEL = 'Package, upload and train';
const RELEASE_LABEL = 'Release the merged branch model';
const PROJECT = 'churn';
const BUCKET = 'churn-artifacts';

/** The script files the CI runs (absolute paths). */
const scripts = { train: seedFile(TRAIN_SCRIPT), release: seedFile(RELEASE_SCRIPT) };
const scriptText = (file: string) => fs.readFileSync(file, 'utf8');

/** The environment variables a script requires (`: "${NAME:?...}"`) and those it reads if set (`${NAME:-...}`). */
function inputsOf(file: string): { required: string[]; optional: string[] } {
  const text = scriptText(file);
  const names = (pattern: RegExp) => [...new Set([...text.matchAll(pattern)].map((m) => m[1] as string))].sort();
  return { required: names(/: "\$\{([A-Z_]+):\?/g), optional: names(/\$\{([A-Z_]+):-/g) };
}

/** The names a Groovy `withEnv([...])` list sets, in the text from `from` up to the first `until`. */
function withEnvNames(jenkinsfile: string, from: string, until: string): string[] {
  const start = jenkinsfile.indexOf(from);
  const end = jenkinsfile.indexOf(until, start);
  if (start < 0 || end < 0) throw new Error(`Jenkinsfile has no "${from}" before "${until}"`);
  const block = jenkinsfile.slice(start, end);
  return [...block.matchAll(/withEnv\(\[([^\]]*)\]\)/g)]
    .flatMap((m) => [...(m[1] as string).matchAll(/"([A-Z_]+)=/g)].map((n) => n[1] as string))
    .sort();
}

function runStep(job: string, name: string): { run: string; env: Record<string, string> } {
  const step = workflowSteps(readWorkflow(), job).find((s) => s.name === name);
  if (step?.run === undefined) throw new Error(`workflow job ${job} has no run step "${name}"`);
  return { run: step.run, env: step.env };
}

describe('the workflow reader (the yaml package, failsafe schema)', () => {
  it('reads mappings, sequences of mappings, quoted scalars and literal blocks, every scalar a string', () => {
    const doc = parseWorkflowYaml(
      [
        '# comment',
        'on:',
        '  push:',
        '    branches:',
        "      - 'experiment/**'",
        '      - main',
        'jobs:',
        '  a:',
        '    timeout-minutes: 30',
        '    steps:',
        '      - name: "x y"',
        '        run: |',
        '          echo "$A"',
        '',
        '          echo b',
        '      - uses: c@v4',
        '        with: { fetch-depth: 0 }',
        '',
      ].join('\n'),
    );
    expect(doc).toEqual({
      on: { push: { branches: ['experiment/**', 'main'] } },
      jobs: {
        a: {
          'timeout-minutes': '30',
          steps: [
            { name: 'x y', run: 'echo "$A"\n\necho b\n' },
            { uses: 'c@v4', with: { 'fetch-depth': '0' } },
          ],
        },
      },
    });
  });

  it.each([
    ['a tab', 'a:\n\tb: 1\n', /Tabs are not allowed/],
    ['a duplicate key', 'a: 1\na: 2\n', /Map keys must be unique/],
    ['an unterminated flow sequence', 'a: [1\n', /Flow sequence/],
  ])('rejects %s, naming the line', (_what, source, message) => {
    expect(() => parseWorkflowYaml(source)).toThrow(message);
    expect(() => parseWorkflowYaml(source)).toThrow(/at line \d+/);
  });
});

describe('the CI scripts of the seed code', () => {
  it.each([
    ['train', scripts.train],
    ['release', scripts.release],
  ])('%s is an executable bash script that stops on any error', (_name, file) => {
    expect(fs.statSync(file).mode & 0o111).toBe(0o111);
    const lines = scriptText(file).split('\n');
    expect(lines[0]).toBe('#!/usr/bin/env bash');
    expect(lines.find((line) => line !== '' && !line.startsWith('#'))).toBe('set -euo pipefail');
  });

  it('read their inputs from the environment only, naming the required ones', () => {
    expect(inputsOf(scripts.train).required).toEqual(['BRANCH_NAME', 'MLOPS_PROJECT_NAME', 'MLOPS_SOURCE_BUCKET']);
    expect(inputsOf(scripts.release).required).toEqual(['MLOPS_PROJECT_NAME']);
    expect(inputsOf(scripts.release).optional).toEqual(
      expect.arrayContaining(['GITHUB_API_URL', 'GITHUB_REPOSITORY', 'GITHUB_TOKEN', 'MLOPS_GITHUB_REPOSITORY']),
    );
    for (const file of [scripts.train, scripts.release]) {
      // No positional arguments: every value comes by name from the environment.
      expect(scriptText(file)).not.toMatch(/\$\{?[1-9*]/);
      expect(scriptText(file)).not.toMatch(/\beval\b|\bsh -c\b|\bbash -c\b/);
    }
  });
});

describe('Jenkinsfile', () => {
  it('holds exactly the train and release shell steps, each running its seed script', () => {
    const steps = jenkinsShellSteps(readJenkinsfile());
    expect(steps).toEqual([
      { label: RELEASE_LABEL, script: `bash ${RELEASE_SCRIPT}` },
      { label: TRAIN_LABEL, script: `bash ${TRAIN_SCRIPT}` },
    ]);
  });

  it('gives each script the environment it requires', () => {
    const text = readJenkinsfile();
    // BRANCH_NAME is set by the multibranch job itself; the settings come from withEnv.
    const trainEnv = withEnvNames(text, "withAWS(role: mlopsSetting('MLOPS_TRAIN_ROLE_ARN')", `'${TRAIN_LABEL}'`);
    expect(['BRANCH_NAME', ...trainEnv].sort()).toEqual(inputsOf(scripts.train).required);
    expect(text).toContain(`"MLOPS_SOURCE_BUCKET=\${mlopsSetting('MLOPS_SOURCE_BUCKET')}"`);
    const releaseStage = text.slice(text.indexOf("stage('Release')"));
    const releaseEnv = withEnvNames(
      releaseStage,
      "withAWS(role: mlopsSetting('MLOPS_RELEASE_ROLE_ARN')",
      'releaseStep()',
    );
    expect(releaseEnv).toEqual(inputsOf(scripts.release).required);
    expect(releaseStage).toMatch(/usernamePassword\([^)]*passwordVariable: 'GITHUB_TOKEN'\)/);
    expect(inputsOf(scripts.release).optional).toEqual(expect.arrayContaining(['GITHUB_TOKEN']));
    // MLOPS_GITHUB_REPOSITORY is a Jenkins setting under the name the script reads.
    expect(text).toContain('MLOPS_GITHUB_REPOSITORY');
  });

  it('trains only experiment branches and releases only main, with the configured roles', () => {
    const text = readJenkinsfile();
    expect(text).toMatch(/mlopsSetting\('MLOPS_BRANCH_PREFIX', 'experiment\/'\)/);
    expect(text).toMatch(/env\.BRANCH_NAME == mlopsSetting\('MLOPS_MAIN_BRANCH', 'main'\)/);
    expect(text).toMatch(/withAWS\(role: mlopsSetting\('MLOPS_TRAIN_ROLE_ARN'\)[^\n]*\n[^\n]*MLOPS_SOURCE_BUCKET/);
    expect(text).toMatch(/withAWS\(role: mlopsSetting\('MLOPS_RELEASE_ROLE_ARN'\)/);
    // No AWS keys anywhere: credentials come from the assumed role only.
    expect(text).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|accessKey/);
  });

  it('rejects a Jenkinsfile whose script holds a backslash or an sh step in another form', () => {
    expect(() => jenkinsShellSteps("sh(label: 'a', script: 'echo \\n')")).toThrow(/backslash/);
    expect(() => jenkinsShellSteps('sh "echo $BRANCH_NAME"')).toThrow(/1 sh steps but only 0/);
    expect(() => jenkinsShellSteps("sh(label: 'a', script: '''\necho a\n''')")).toThrow(/1 sh steps but only 0/);
  });
});

describe('GitHub Actions workflow', () => {
  const workflow = readWorkflow();

  it('runs the same script files as the Jenkinsfile', () => {
    const jenkins = jenkinsShellSteps(readJenkinsfile());
    expect(runStep('train', TRAIN_LABEL).run).toBe(`bash ${TRAIN_SCRIPT}`);
    expect(runStep('release', RELEASE_LABEL).run).toBe(`bash ${RELEASE_SCRIPT}`);
    expect(jenkins.find((s) => s.label === TRAIN_LABEL)?.script).toBe(runStep('train', TRAIN_LABEL).run);
    expect(jenkins.find((s) => s.label === RELEASE_LABEL)?.script).toBe(runStep('release', RELEASE_LABEL).run);
  });

  it('gives each script the environment it requires, from repository variables and the run context', () => {
    const global = Object.keys(at(workflow, 'env') as Record<string, string>);
    expect(at(workflow, 'env')).toEqual({
      MLOPS_PROJECT_NAME: '${{ vars.MLOPS_PROJECT_NAME }}',
      MLOPS_SOURCE_BUCKET: '${{ vars.MLOPS_SOURCE_BUCKET }}',
    });
    for (const [job, label, file] of [
      ['train', TRAIN_LABEL, scripts.train],
      ['release', RELEASE_LABEL, scripts.release],
    ] as const) {
      const { required, optional } = inputsOf(file);
      const own = Object.keys(runStep(job, label).env);
      expect(required.every((name) => global.includes(name) || own.includes(name))).toBe(true);
      // Every name the step sets is one the script reads.
      expect(own.filter((name) => !required.includes(name) && !optional.includes(name))).toEqual([]);
    }
  });

  it('triggers on pushes to experiment branches and main, and routes each to its job', () => {
    expect(at(workflow, 'on', 'push', 'branches')).toEqual(['experiment/**', 'main']);
    expect(at(workflow, 'jobs', 'train', 'if')).toBe("startsWith(github.ref, 'refs/heads/experiment/')");
    expect(at(workflow, 'jobs', 'release', 'if')).toBe("github.ref == 'refs/heads/main'");
  });

  it.each([
    ['train', 'MLOPS_TRAIN_ROLE_ARN', { contents: 'read', 'id-token': 'write' }],
    ['release', 'MLOPS_RELEASE_ROLE_ARN', { contents: 'read', 'id-token': 'write', 'pull-requests': 'read' }],
  ])('job %s assumes %s through OIDC with only the permissions it needs', (job, variable, permissions) => {
    expect(at(workflow, 'permissions')).toEqual({ contents: 'read' });
    expect(at(workflow, 'jobs', job, 'permissions')).toEqual(permissions);
    const credentials = workflowSteps(workflow, job).filter((s) => s.uses?.startsWith('aws-actions/'));
    expect(credentials).toHaveLength(1);
    expect(credentials[0]?.uses).toBe('aws-actions/configure-aws-credentials@v4');
    expect(credentials[0]?.with).toEqual({
      'role-to-assume': `\${{ vars.${variable} }}`,
      'aws-region': '${{ vars.MLOPS_REGION }}',
      'role-session-name': `github-mlops-${job}`,
    });
    expect(JSON.stringify(workflow)).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET/);
  });

  it('never expands an expression inside a script: values reach the shell as environment variables', () => {
    for (const job of ['train', 'release']) {
      for (const step of workflowSteps(workflow, job)) {
        if (step.run !== undefined) expect(step.run).not.toContain('${{');
      }
    }
    expect(runStep('train', TRAIN_LABEL).env).toEqual({ BRANCH_NAME: '${{ github.ref_name }}' });
    expect(runStep('release', RELEASE_LABEL).env).toEqual({
      GITHUB_TOKEN: '${{ github.token }}',
      MLOPS_GITHUB_REPOSITORY: '${{ github.repository }}',
    });
  });

  it('checks main out with the parents of its head, which HEAD^2 needs', () => {
    const checkout = workflowSteps(workflow, 'release').find((s) => s.uses === 'actions/checkout@v4');
    expect(checkout?.with).toEqual({ 'fetch-depth': '2' });
  });
});

describe('the CodeBuild variables the scripts set', () => {
  it('are the ones the buildspec reads (BRANCH_NAME and COMMIT_HASH, see docs/design.md)', () => {
    const names = [...scriptText(scripts.train).matchAll(/name: "([A-Z_]+)"/g)].map((m) => m[1]);
    expect(names).toEqual(['BRANCH_NAME', 'COMMIT_HASH']);
    const buildspec = fs.readFileSync(path.join(SEED_DIR, 'buildspec.yml'), 'utf8');
    for (const name of names) expect(buildspec).toMatch(new RegExp(`\\$\\{?${name}\\b`));
  });
});

describe('the scripts, run for real against moto_server', () => {
  let moto: MotoServer;
  let sandbox: ScriptSandbox;
  const s3 = () => new S3Client({ forcePathStyle: true });

  beforeAll(async () => {
    moto = await startMoto();
    useMotoEnvironment(moto.endpoint);
    sandbox = new ScriptSandbox();
    await s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
    await new CodeBuildClient({}).send(
      new CreateProjectCommand({
        name: `model-${PROJECT}-train`,
        source: { type: 'S3', location: `${BUCKET}/ci-source/override-required.zip` },
        artifacts: { type: 'NO_ARTIFACTS' },
        environment: {
          type: 'ARM_CONTAINER',
          image: 'aws/codebuild/amazonlinux-aarch64-standard:3.0',
          computeType: 'BUILD_GENERAL1_SMALL',
        },
        serviceRole: 'arn:aws:iam::123456789012:role/train-build',
      }),
    );
  });
  afterAll(async () => {
    sandbox.remove();
    await moto.stop();
  });

  describe('train', () => {
    const trainEnv = (branch: string) => ({
      MLOPS_PROJECT_NAME: PROJECT,
      MLOPS_SOURCE_BUCKET: BUCKET,
      BRANCH_NAME: branch,
    });

    it.each([
      ['an ordinary branch', 'experiment/deeper-trees'],
      ['a branch holding shell syntax', 'experiment/$(touch${IFS}pwned)`touch${IFS}pwned2`;"\'x'],
    ])('uploads the commit and starts the build with the exact branch for %s', async (_what, branch) => {
      const repo = new GitRepo(sandbox.dir);
      repo.git('checkout', '-q', '-b', branch);
      repo.write('scripts/train.py', 'print("train")\n');
      repo.write('untracked-but-ignored.txt', 'x');
      repo.write('.gitignore', 'untracked-but-ignored.txt\n');
      const commit = repo.commit('train it');

      const result = await sandbox.run(scripts.train, repo.dir, trainEnv(branch));

      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const readable = branch
        .replace(/[^A-Za-z0-9]+/g, '-')
        .slice(0, 60)
        .replace(/^-+|-+$/g, '');
      const key = `ci-source/${readable}--${branchHash(branch, CI_KEY_HASH_LENGTH)}/${commit}.zip`;
      expect(result.stdout).toContain(`Uploaded ${commit} of ${branch} to s3://${BUCKET}/${key}`);
      const object = await s3().send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      const zip = path.join(sandbox.dir, `${commit}.zip`);
      fs.writeFileSync(zip, await object.Body!.transformToByteArray());
      const listing = execFileSync('zipinfo', ['-1', zip], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
      expect(listing).toEqual(['.gitignore', 'README.md', 'scripts/', 'scripts/train.py']);

      const starts = result.awsCalls.filter((c) => c[0] === 'codebuild' && c[1] === 'start-build');
      expect(starts).toHaveLength(1);
      const start = starts[0] as string[];
      expect(argument(start, '--project-name')).toBe(`model-${PROJECT}-train`);
      expect(argument(start, '--source-location-override')).toBe(`${BUCKET}/${key}`);
      expect(JSON.parse(argument(start, '--environment-variables-override') ?? 'null')).toEqual([
        { name: 'BRANCH_NAME', value: branch, type: 'PLAINTEXT' },
        { name: 'COMMIT_HASH', value: commit, type: 'PLAINTEXT' },
      ]);
      expect(argument(start, '--idempotency-token')).toMatch(/^[0-9a-f]{32}$/);
      expect(result.stdout).toMatch(/CodeBuild phase COMPLETED \(SUCCEEDED\)/);
      expect(result.stdout).toContain('succeeded');
      expect(fs.existsSync(path.join(repo.dir, 'pwned'))).toBe(false);
      expect(fs.existsSync(path.join(repo.dir, 'pwned2'))).toBe(false);
    });

    it('keys the upload by branch and commit so that concurrent branches never share an object', async () => {
      const keyLines = scriptText(scripts.train)
        .split('\n')
        .filter((line) => /^(readable|branch_hash|key)=/.test(line))
        .join('\n');
      expect(keyLines.split('\n')).toHaveLength(3);
      const commit = 'a'.repeat(40);
      // The script's own lines for each branch, all branches in one bash (not one process per branch): each in a
      // subshell with BRANCH_NAME set as the script gets it; names in and keys out NUL-separated.
      const keysOf = (branches: readonly string[]): string[] => {
        const loop = [
          `while IFS= read -r -d '' BRANCH_NAME; do`,
          `  (set -euo pipefail; export BRANCH_NAME; commit=${commit}`,
          keyLines,
          `  printf '%s\\0' "$key")`,
          'done',
        ].join('\n');
        const out = execFileSync('bash', ['-c', loop], {
          env: { PATH: process.env.PATH },
          input: branches.map((b) => `${b}\0`).join(''),
          encoding: 'utf8',
        });
        const keys = out.split('\0').slice(0, -1);
        expect(keys).toHaveLength(branches.length);
        return keys;
      };
      const branchName = fc
        .array(
          fc.constantFrom('experiment/', 'a', 'Z', '9', '-', '_', '.', '/', '$(', ')', '`', ';', '"', "'", 'é', '🙂'),
          {
            minLength: 1,
            maxLength: 40,
          },
        )
        .map((parts) => parts.join(''));
      const branches = [...fc.sample(branchName, 40), 'experiment/a-b', 'experiment/a_b'];
      const keys = keysOf(branches);
      branches.forEach((branch, i) => {
        const key = keys[i] as string;
        expect({ branch, key }).toEqual({
          branch,
          key: expect.stringMatching(/^ci-source\/([A-Za-z0-9]+(-[A-Za-z0-9]+)*--)?[0-9a-f]{10}\/a{40}\.zip$/),
        });
        expect({ branch, hashed: key.split('/')[1]?.endsWith(branchHash(branch, CI_KEY_HASH_LENGTH)) }).toEqual({
          branch,
          hashed: true,
        });
      });
      expect(keys.at(-2)).not.toBe(keys.at(-1));
    });

    it('rejects a missing setting by name before any AWS call', async () => {
      const repo = new GitRepo(sandbox.dir);
      const result = await sandbox.run(scripts.train, repo.dir, {
        MLOPS_PROJECT_NAME: PROJECT,
        BRANCH_NAME: 'experiment/x',
      });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/MLOPS_SOURCE_BUCKET: is not set/);
      expect(result.awsCalls).toEqual([]);
    });

    it('fails when the CodeBuild project does not exist, naming the call', async () => {
      const repo = new GitRepo(sandbox.dir);
      const result = await sandbox.run(scripts.train, repo.dir, {
        ...trainEnv('experiment/x'),
        MLOPS_PROJECT_NAME: 'other',
      });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/StartBuild/);
    });
  });

  describe('release', () => {
    interface GitHubStandIn {
      readonly url: string;
      readonly requests: { path: string; authorization?: string }[];
      close(): Promise<void>;
    }

    /** A local stand-in for GitHub's "list pull requests associated with a commit" API (no internet here). */
    async function gitHubStandIn(pulls: (sha: string) => unknown[]): Promise<GitHubStandIn> {
      const requests: { path: string; authorization?: string }[] = [];
      const server = http.createServer((req, res) => {
        requests.push({ path: req.url ?? '', authorization: req.headers.authorization });
        const match = /^\/repos\/acme\/churn\/commits\/([0-9a-f]{40})\/pulls$/.exec(req.url ?? '');
        res.writeHead(match === null ? 404 : 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(match === null ? { message: 'Not Found' } : pulls(match[1] as string)));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address() as { port: number };
      return {
        url: `http://127.0.0.1:${address.port}`,
        requests,
        close: () => new Promise((resolve) => server.close(() => resolve())),
      };
    }

    /** main with an experiment branch of two commits, merged by `merge`; returns the branch head. */
    function mergedRepo(merge: (repo: GitRepo) => void): { repo: GitRepo; branchHead: string } {
      const repo = new GitRepo(sandbox.dir);
      repo.git('checkout', '-q', '-b', 'experiment/deeper-trees');
      repo.write('a.txt', '1');
      repo.commit('one');
      repo.write('a.txt', '2');
      const branchHead = repo.commit('two');
      repo.git('checkout', '-q', 'main');
      repo.write('other.txt', 'main moved on');
      repo.commit('main moved on');
      merge(repo);
      return { repo, branchHead };
    }

    const releaseEnv = { MLOPS_PROJECT_NAME: PROJECT };

    async function release(repo: GitRepo, env: Record<string, string> = {}) {
      const result = await sandbox.run(scripts.release, repo.dir, { ...releaseEnv, ...env });
      expect(result.code).toBe(0);
      const invokes = result.awsCalls.filter((c) => c[0] === 'lambda' && c[1] === 'invoke');
      expect(invokes).toHaveLength(1);
      expect(argument(invokes[0] as string[], '--function-name')).toBe(`release-model-package-${PROJECT}`);
      expect(result.payloads).toHaveLength(1);
      // The payload is exactly what the release function's own schema accepts, and asks it to approve the version
      // once registered when the merge lands before training ends.
      const payload = parseDirectInvocation(JSON.parse(result.payloads[0] as string));
      expect(payload.approve_when_registered).toBe(true);
      return { result, payload };
    }

    it('sends the second parent of a merge commit', async () => {
      const { repo, branchHead } = mergedRepo((r) =>
        r.git('merge', '-q', '--no-ff', '-m', 'merge', 'experiment/deeper-trees'),
      );
      const { payload, result } = await release(repo);
      expect(payload).toEqual({ commit_id: branchHead, approve_when_registered: true });
      expect(result.stdout).toContain(`releasing its second parent, the merged branch head ${branchHead}`);
    });

    it('sends HEAD after a fast-forward', async () => {
      const repo = new GitRepo(sandbox.dir);
      repo.git('checkout', '-q', '-b', 'experiment/ff');
      repo.write('a.txt', '1');
      const branchHead = repo.commit('one');
      repo.git('checkout', '-q', 'main');
      repo.git('merge', '-q', '--ff-only', 'experiment/ff');
      const { payload } = await release(repo);
      expect(payload).toEqual({ commit_id: branchHead, approve_when_registered: true });
    });

    it('asks GitHub for the pull request head after a squash merge', async () => {
      let squash = '';
      const { repo, branchHead } = mergedRepo((r) => {
        r.git('merge', '-q', '--squash', 'experiment/deeper-trees');
        squash = r.commit('squashed');
      });
      const github = await gitHubStandIn((sha) => [
        { number: 6, merged_at: null, merge_commit_sha: sha, head: { sha: 'b'.repeat(40) } },
        { number: 7, merged_at: '2026-11-22T03:00:00Z', merge_commit_sha: sha, head: { sha: branchHead } },
      ]);
      try {
        const { payload, result } = await release(repo, {
          GITHUB_TOKEN: 'token-123',
          MLOPS_GITHUB_REPOSITORY: 'acme/churn',
          GITHUB_API_URL: github.url,
        });
        expect(payload).toEqual({ commit_id: branchHead, approve_when_registered: true });
        expect(github.requests).toEqual([
          { path: `/repos/acme/churn/commits/${squash}/pulls`, authorization: 'Bearer token-123' },
        ]);
        expect(result.stdout).toContain('merged a pull request (squash or rebase)');
        expect(result.stdout).not.toContain('token-123');
      } finally {
        await github.close();
      }
    });

    it('sends HEAD after a squash merge when GitHub knows no merged pull request for it', async () => {
      let squash = '';
      const { repo } = mergedRepo((r) => {
        r.git('merge', '-q', '--squash', 'experiment/deeper-trees');
        squash = r.commit('squashed');
      });
      const github = await gitHubStandIn(() => []);
      try {
        const { payload, result } = await release(repo, {
          GITHUB_TOKEN: 't',
          MLOPS_GITHUB_REPOSITORY: 'acme/churn',
          GITHUB_API_URL: github.url,
        });
        expect(payload).toEqual({ commit_id: squash, approve_when_registered: true });
        expect(result.stdout).toContain('merged no pull request');
      } finally {
        await github.close();
      }
    });

    it('says when the function recorded the merge to approve the version once registered', async () => {
      const { repo, branchHead } = mergedRepo((r) =>
        r.git('merge', '-q', '--no-ff', '-m', 'merge', 'experiment/deeper-trees'),
      );
      const { result } = await release(repo, {
        FAKE_LAMBDA_RESPONSE: JSON.stringify({ outcome: 'intent-recorded', commitId: branchHead }),
      });
      expect(result.stdout).toContain(`No model version of ${branchHead} is registered yet`);
      expect(result.stdout).toContain('approved once registered');
      expect(result.stderr).not.toContain('warning');
    });

    it('warns, without failing, that a squash merge without GitHub credentials waits for a model nobody trains', async () => {
      let squash = '';
      const { repo } = mergedRepo((r) => {
        r.git('merge', '-q', '--squash', 'experiment/deeper-trees');
        squash = r.commit('squashed');
      });
      const { payload, result } = await release(repo, {
        FAKE_LAMBDA_RESPONSE: JSON.stringify({ outcome: 'intent-recorded', commitId: squash }),
      });
      expect(payload).toEqual({ commit_id: squash, approve_when_registered: true });
      expect(result.stderr).toContain(`warning: if ${squash} is a squash or rebase merge, no branch trained it`);
      expect(result.stderr).toContain('MLOPS_GITHUB_CREDENTIALS_ID');
    });

    it('does not warn when the function approved the commit at once', async () => {
      const repo = new GitRepo(sandbox.dir);
      const { result } = await release(repo, {
        FAKE_LAMBDA_RESPONSE: JSON.stringify({ outcome: 'approved', commitId: repo.head() }),
      });
      expect(result.stdout).not.toContain('registered yet');
      expect(result.stderr).toBe('');
    });

    it('fails when the release function reports an error, naming it', async () => {
      const repo = new GitRepo(sandbox.dir);
      const result = await sandbox.run(scripts.release, repo.dir, {
        ...releaseEnv,
        FAKE_FUNCTION_ERROR: 'Unhandled',
        FAKE_LAMBDA_RESPONSE: '{"errorType":"NotFoundError"}',
      });
      expect(result.code).not.toBe(0);
      expect(result.stdout).toContain('NotFoundError');
      expect(result.stderr).toContain(`release-model-package-${PROJECT} failed (Unhandled) for commit ${repo.head()}`);
    });
  });
});
