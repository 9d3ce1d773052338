/**
 * The main branch's SageMaker pipeline (`mainPipelineName`), which scheduled retraining runs: `<project>-main`, never
 * the name of an experiment branch's pipeline, and the same name the CDK app derives for its alarm rule while the
 * project name is still a CloudFormation parameter.
 */
import fc from 'fast-check';
import { PROJECT_NAME_PATTERN, branchSlug, mainPipelineName, sageMakerPipelineName } from '../../contracts/naming';
import { mainPipelineNameFor } from '../../lib/constructs/retrain-schedule';

const project = fc.stringMatching(PROJECT_NAME_PATTERN).filter((p) => p.length <= 32);
const char = fc.constantFrom(...'abcXYZ019-_./$(){}@é'.split(''));
const segment = fc.string({ unit: char, minLength: 1, maxLength: 20 }).filter((s) => !/^[.-]|\.$|\.lock$/.test(s));
const branchUnder = (prefix: string) =>
  fc.array(segment, { minLength: 1, maxLength: 6 }).map((parts) => `${prefix}${parts.join('/')}`);

describe('mainPipelineName', () => {
  it('is <project>-main for the branch main', () => {
    expect(mainPipelineName('churn')).toBe('churn-main');
    expect(mainPipelineName('churn', 'main')).toBe('churn-main');
    expect(mainPipelineName('churn', 'trunk')).toBe('churn-trunk');
  });

  it('never equals the pipeline of a branch under the experiment prefix', () => {
    fc.assert(
      fc.property(project, branchUnder('experiment/'), (p, b) => {
        expect(sageMakerPipelineName(p, b)).not.toBe(mainPipelineName(p));
      }),
      { numRuns: 300, seed: 15 },
    );
  });

  it('differs even from a branch whose readable part is "main" (hashed names end in ---<hash>)', () => {
    for (const b of ['Main', 'MAIN', 'main.x', 'main_', 'main-']) {
      expect(sageMakerPipelineName('churn', b)).not.toBe(mainPipelineName('churn'));
    }
  });

  it('equals what the CDK app derives from the project name token and the configured main branch', () => {
    // lib/config.ts allows main branches of at most 100 characters; the app concatenates `<project>-` and the slug.
    const mainBranch = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/').slice(0, 100));
    fc.assert(
      fc.property(project, mainBranch, (p, m) => {
        fc.pre(!m.endsWith('/') && !m.endsWith('.'));
        expect(mainPipelineNameFor(p, m)).toBe(mainPipelineName(p, m));
      }),
      { numRuns: 300, seed: 15 },
    );
    expect(branchSlug('main', 50)).toBe('main');
  });
});
