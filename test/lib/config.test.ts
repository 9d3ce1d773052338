import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, DEPRECATED_SOURCE_PROVIDERS, readConfig, SOURCE_PROVIDERS } from '../../lib/config';

const BASE: Record<string, unknown> = { account: '123456789012', region: 'eu-west-1' };
const A_ROLE = 'arn:aws:iam::123456789012:role/jenkins-train';
const B_ROLE = 'arn:aws:iam::123456789012:role/jenkins-release';

function read(context: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  const merged = { ...BASE, ...context };
  return readConfig((key) => merged[key], env);
}

function errorOf(context: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): ConfigError {
  try {
    read(context, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('readConfig', () => {
  it('applies the documented defaults', () => {
    const config = read({});
    expect(config).toMatchObject({
      account: '123456789012',
      region: 'eu-west-1',
      sourceProvider: 'codecommit',
      studioPrincipalArns: [],
      branchPrefix: 'experiment/',
      mainBranch: 'main',
      reconcileIntervalMinutes: 60,
      intentTtlDays: 14,
      logRetentionDays: 90,
      productVersionLocked: false,
      retainedProductVersions: [],
      warnings: [],
    });
    expect(config.productVersion).toMatch(/^v\d+\.\d+\.\d+/);
  });

  it('takes account and region from the CLI environment when the context has none', () => {
    const config = readConfig(() => undefined, {
      CDK_DEFAULT_ACCOUNT: '210987654321',
      CDK_DEFAULT_REGION: 'ap-south-1',
    });
    expect(config.account).toBe('210987654321');
    expect(config.region).toBe('ap-south-1');
  });

  it('prefers context account and region over the CLI environment', () => {
    const config = read({}, { CDK_DEFAULT_ACCOUNT: '210987654321', CDK_DEFAULT_REGION: 'ap-south-1' });
    expect(config.account).toBe('123456789012');
    expect(config.region).toBe('eu-west-1');
  });

  it('rejects a missing account, naming the key', () => {
    const error = errorOf({ account: undefined });
    expect(error.key).toBe('account');
    expect(error.message).toContain('"account" is required');
  });

  it('rejects an account that is not 12 digits', () => {
    expect(errorOf({ account: '1234' }).message).toContain('"account" must be a 12-digit AWS account id');
  });

  it('says how to provide a missing account or region: credentials, or -c account=... -c region=...', () => {
    for (const key of ['account', 'region'] as const) {
      const error = errorOf({ [key]: undefined });
      expect(error.key).toBe(key);
      expect(error.message).toContain(`context key "${key}" is required and was not set: the CDK CLI found no AWS`);
      expect(error.message).toContain('Configure credentials');
      expect(error.message).toContain('-c account=<12-digit account id> -c region=<region>');
    }
  });

  it('refuses a region without the pipeline images, listing the supported ones', () => {
    const error = errorOf({ region: 'mx-central-1' });
    expect(error.key).toBe('region');
    expect(error.message).toContain('is "mx-central-1", where SageMaker publishes no scikit-learn image');
    expect(error.message).toMatch(/Supported regions: af-south-1, .*eu-west-1, .*us-west-2/);
    expect(read({ region: 'eu-central-2' }).region).toBe('eu-central-2');
  });

  it('rejects a region that is not a region name', () => {
    expect(errorOf({ region: 'Europe' }).message).toContain('"region" must be an AWS region');
  });

  it('accepts both source providers, with no warning', () => {
    for (const provider of ['codecommit', 'external-ci']) {
      const config = read({ sourceProvider: provider });
      expect(config.sourceProvider).toBe(provider);
      expect(config.warnings).toEqual([]);
    }
  });

  it('reads the deprecated provider name jenkins as external-ci, with a warning', () => {
    const config = read({ sourceProvider: 'jenkins' });
    expect(config.sourceProvider).toBe('external-ci');
    expect(config.ci?.principal).toEqual({ kind: 'account' });
    expect(config.warnings).toEqual([
      "sourceProvider 'jenkins' is deprecated: use 'external-ci' (same behaviour: Jenkins, GitHub Actions or any CI)",
    ]);
    expect(read({ sourceProvider: 'jenkins', ciPrincipalArn: A_ROLE, ciReleasePrincipalArn: B_ROLE })).toEqual({
      ...read({ sourceProvider: 'external-ci', ciPrincipalArn: A_ROLE, ciReleasePrincipalArn: B_ROLE }),
      warnings: [expect.stringContaining("'jenkins' is deprecated")],
    });
  });

  it('rejects an unknown source provider, naming the key and the allowed values', () => {
    const error = errorOf({ sourceProvider: 'github' });
    expect(error.key).toBe('sourceProvider');
    expect(error.message).toBe(
      'Invalid configuration: context key "sourceProvider" must be one of "codecommit", "external-ci", got "github"',
    );
    expect(errorOf({ sourceProvider: 42 }).message).toBe(
      'Invalid configuration: context key "sourceProvider" must be a string, got 42',
    );
  });

  it('refuses CI keys without the external-ci provider, naming the provider to use', () => {
    const error = errorOf({ ciPrincipalArn: A_ROLE });
    expect(error.key).toBe('ciPrincipalArn');
    expect(error.message).toContain('applies only to sourceProvider "external-ci" (formerly "jenkins")');
    expect(error.message).toContain('with "codecommit"');
  });

  it('reads principals from a JSON array, a JSON string and a comma-separated string', () => {
    const a = 'arn:aws:iam::123456789012:role/DataScientist';
    const b = 'arn:aws:iam::123456789012:role/service-role/AmazonSageMaker-ExecutionRole-2024';
    expect(read({ studioPrincipalArns: [a, b] }).studioPrincipalArns).toEqual([a, b]);
    expect(read({ studioPrincipalArns: JSON.stringify([a, b]) }).studioPrincipalArns).toEqual([a, b]);
    expect(read({ studioPrincipalArns: `${a}, ${b}` }).studioPrincipalArns).toEqual([a, b]);
  });

  it('rejects a principal that is not an IAM role ARN', () => {
    const error = errorOf({ studioPrincipalArns: ['arn:aws:iam::123456789012:user/alice'] });
    expect(error.key).toBe('studioPrincipalArns');
    expect(error.message).toContain('must hold IAM role ARNs');
  });

  it('rejects principals that are not a list of strings', () => {
    expect(errorOf({ studioPrincipalArns: [42] }).key).toBe('studioPrincipalArns');
    expect(errorOf({ studioPrincipalArns: '[not json' }).key).toBe('studioPrincipalArns');
  });

  it('rejects a Studio principal of another account, saying how portfolios reach other accounts', () => {
    const error = errorOf({ studioPrincipalArns: ['arn:aws:iam::999999999999:role/DataScientist'] });
    expect(error.key).toBe('studioPrincipalArns');
    expect(error.message).toContain(
      'must hold roles of account 123456789012, where the portfolio is deployed; ' +
        '"arn:aws:iam::999999999999:role/DataScientist" is in account 999999999999',
    );
    expect(error.message).toContain('portfolio sharing');
  });

  it('rejects a repeated principal', () => {
    const a = 'arn:aws:iam::123456789012:role/DataScientist';
    expect(errorOf({ studioPrincipalArns: [a, a] }).message).toContain('must not repeat an ARN');
  });

  it('rejects a branch prefix that is not the start of a branch name', () => {
    for (const bad of ['refs heads', '/experiment', 'exp..eriment/', 42]) {
      expect(errorOf({ branchPrefix: bad }).key).toBe('branchPrefix');
    }
  });

  it('rejects an empty branch prefix instead of replacing it with the default', () => {
    const error = errorOf({ branchPrefix: '' });
    expect(error.key).toBe('branchPrefix');
    expect(error.message).toBe(
      'Invalid configuration: context key "branchPrefix" is empty: it must name the branches that train, such as ' +
        '"experiment/" (remove the key for the default)',
    );
  });

  it('rejects a branch prefix without a trailing separator, naming the branch it would also train', () => {
    const error = errorOf({ branchPrefix: 'experiment' });
    expect(error.key).toBe('branchPrefix');
    expect(error.message).toContain('must end with a separator ("/", "-", "_"), got "experiment"');
    expect(error.message).toContain('"experimental-x"');
    expect(error.message).toContain('use "experiment/"');
    for (const good of ['experiment/', 'exp-', 'team/exp_'])
      expect(read({ branchPrefix: good }).branchPrefix).toBe(good);
  });

  it('rejects a main branch that is not a branch name', () => {
    for (const bad of ['main branch', 'main/', '../main']) {
      expect(errorOf({ mainBranch: bad }).key).toBe('mainBranch');
    }
  });

  it('rejects a main branch under the experiment prefix', () => {
    const error = errorOf({ branchPrefix: 'exp-', mainBranch: 'exp-main' });
    expect(error.key).toBe('mainBranch');
    expect(error.message).toContain('must not be under branchPrefix "exp-"');
  });

  it('reads integers from numbers and numeric strings and rejects others', () => {
    expect(read({ reconcileIntervalMinutes: '15' }).reconcileIntervalMinutes).toBe(15);
    expect(read({ intentTtlDays: 7 }).intentTtlDays).toBe(7);
    expect(errorOf({ reconcileIntervalMinutes: 1 }).message).toContain(
      '"reconcileIntervalMinutes" must be an integer from 5 to 1440, got 1',
    );
    expect(errorOf({ intentTtlDays: 'soon' }).key).toBe('intentTtlDays');
    expect(errorOf({ intentTtlDays: 1.5 }).key).toBe('intentTtlDays');
  });

  it('rejects a log retention CloudWatch Logs does not offer', () => {
    expect(read({ logRetentionDays: 14 }).logRetentionDays).toBe(14);
    const error = errorOf({ logRetentionDays: 10 });
    expect(error.key).toBe('logRetentionDays');
    expect(error.message).toContain('must be one of 1, 3, 5, 7, 14');
  });

  it('reads the product version settings', () => {
    const config = read({ productVersion: 'v2.0.0', productVersionLocked: 'true', retainedProductVersions: 'v1.0.0' });
    expect(config).toMatchObject({
      productVersion: 'v2.0.0',
      productVersionLocked: true,
      retainedProductVersions: ['v1.0.0'],
    });
  });

  it('rejects a product version name with characters outside the allowed set', () => {
    expect(errorOf({ productVersion: 'v1 final' }).key).toBe('productVersion');
    expect(errorOf({ productVersionLocked: 'yes' }).key).toBe('productVersionLocked');
  });

  it('rejects retaining the current product version as an earlier one', () => {
    const error = errorOf({ productVersion: 'v2', retainedProductVersions: ['v1', 'v2'] });
    expect(error.key).toBe('retainedProductVersions');
  });
});

describe('readConfig: which problem is reported', () => {
  it('names a misspelled key rather than the required key it hides', () => {
    const retrain = errorOf({ retrain: { schedul: 'rate(1 day)' } });
    expect(retrain.key).toBe('retrain');
    expect(retrain.message).toContain('has unknown key "schedul"');
    const serving = errorOf({ serving: { projects: [{ name: 'churn', id: 'p-1' }], stagess: [{ name: 'qa' }] } });
    expect(serving.message).toContain('serving.stagess is not a known key');
  });

  it('reports keys in the order the reference lists them, each rule between keys after the keys it reads', () => {
    expect(errorOf({ account: '1', region: 'Europe' }).key).toBe('account');
    expect(errorOf({ ciPrincipalArn: 'not an arn' }).message).toContain('applies only to sourceProvider "external-ci"');
    expect(errorOf({ branchPrefix: 'exp-', mainBranch: 'exp-main', intentTtlDays: 0 }).key).toBe('intentTtlDays');
  });
});

describe('docs/configuration.md', () => {
  const reference = fs.readFileSync(path.join(__dirname, '../../docs/configuration.md'), 'utf8');
  const undocumented = (keys: readonly string[]) => keys.filter((key) => !reference.includes(`\`${key}\``));

  it('documents every context key the configuration reads, and every source provider', () => {
    const keys = new Set<string>();
    readConfig((key) => {
      keys.add(key);
      return BASE[key];
    }, {});
    expect(keys.size).toBeGreaterThan(20);
    expect(undocumented([...keys])).toEqual([]);
    expect(undocumented([...SOURCE_PROVIDERS, ...Object.keys(DEPRECATED_SOURCE_PROVIDERS)])).toEqual([]);
    // the check fails for a key the page does not name
    expect(undocumented(['branchPrefix', 'notAContextKey'])).toEqual(['notAContextKey']);
  });
});
