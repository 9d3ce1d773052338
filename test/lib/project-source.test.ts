/**
 * The source strategies refuse bad input early, naming the prop and the fix, and add nothing to the tree when they
 * do; the build inputs exist only for the providers that need them.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { prepareBuildInputs } from '../../lib/build-inputs';
import { readConfig, SourceProvider } from '../../lib/config';
import { createProjectSource, SOURCE_PROVIDER_ENTRIES } from '../../lib/constructs/source';
import { CodeCommitSource } from '../../lib/constructs/source/codecommit-source';
import { NO_CREATION_STACKS } from '../support/creation-stacks';
import { recordFileWrites } from '../support/file-writes';

const config = (context: Record<string, unknown> = {}) =>
  readConfig((key) => ({ account: '111111111111', region: 'us-east-1', ...context })[key], {});

describe('source strategies', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mbm-source-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('has one strategy per provider name the configuration accepts', () => {
    expect(Object.keys(SOURCE_PROVIDER_ENTRIES).sort()).toEqual(['codecommit', 'external-ci']);
  });

  it('refuses a codecommit project without build inputs, naming the prop and the fix, and adds nothing', () => {
    const stack = new Stack(new App({ context: NO_CREATION_STACKS }), 'S');
    expect(() => createProjectSource(stack, 'codecommit', { projectName: 'churn', config: config() })).toThrow(
      /needs buildInputs .*prepareBuildInputs \(lib\/build-inputs\.ts\)/,
    );
    expect(stack.node.children).toHaveLength(0);
  });

  it('refuses external CI settings that would let a branch build approve, before creating anything', () => {
    const stack = new Stack(new App({ context: NO_CREATION_STACKS }), 'S');
    const settings = config({
      sourceProvider: 'external-ci',
      ciPrincipalArn: 'arn:aws:iam::111111111111:role/jenkins',
      ciReleasePrincipalArn: 'arn:aws:iam::111111111111:role/jenkins-main',
    });
    const unsafe = { ...settings, ci: { principal: settings.ci!.principal } };
    expect(() => createProjectSource(stack, 'external-ci', { projectName: 'churn', config: unsafe })).toThrow(
      /releasePrincipal is required/,
    );
    expect(stack.node.children).toHaveLength(0);
  });

  it.each([
    [
      { seedDirectory: '/nonexistent/seed' },
      /seedDirectory "\/nonexistent\/seed" is not a directory.*prepareBuildInputs/,
    ],
    [{ branchPrefix: 'experiment' }, /branchPrefix "experiment" must .* ending with a separator/],
    [{ mainBranch: 'refs/heads/main' }, /short name/],
  ])('refuses a CodeCommit source with %j, adding nothing', (overrides, message) => {
    const stack = new Stack(new App({ context: NO_CREATION_STACKS }), 'S');
    const props = {
      repositoryName: 'r',
      description: 'd',
      seedDirectory: dir,
      branchPrefix: 'exp/',
      mainBranch: 'main',
    };
    expect(() => new CodeCommitSource(stack, 'Source', { ...props, ...overrides })).toThrow(message);
    expect(stack.node.tryFindChild('Source')).toBeUndefined();
  });

  it('builds no input for external CI, and writes nothing for it', () => {
    const { result, written } = recordFileWrites(() =>
      prepareBuildInputs({ sourceProvider: 'external-ci', outdir: path.join(dir, 'out') }),
    );
    expect(result).toBeUndefined();
    expect(written).toEqual([]);
  });

  it('refuses an unknown provider and an empty output directory, naming them', () => {
    expect(() => prepareBuildInputs({ sourceProvider: 'github' as SourceProvider, outdir: dir })).toThrow(
      /sourceProvider "github" is not one of codecommit, external-ci/,
    );
    expect(() => prepareBuildInputs({ sourceProvider: 'codecommit', outdir: ' ' })).toThrow(/outdir must name/);
  });
});
