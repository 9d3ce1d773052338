/**
 * Constructs are pure: with the build inputs prepared first (lib/build-inputs.ts, as bin/app.ts does), constructing
 * and synthesizing the app changes no file outside the cloud assembly, for both source providers. Every `fs` change
 * of the process is recorded (test/support/file-writes.ts); test/lib/snapshots.test.ts checks the same of a CLI synth
 * from the outside (files of the checkout modified).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BaselineStack } from '../../lib/baseline-stack';
import { synthesizeBranchTemplate } from '../../lib/branch-pipeline-stack';
import { prepareBuildInputs } from '../../lib/build-inputs';
import { readConfig, SourceProvider } from '../../lib/config';
import { createServingStacks } from '../../lib/serving-stack';
import { STACK_NAME, testContext } from '../support/app';
import { NO_CREATION_STACKS } from '../support/creation-stacks';
import { outside, recordFileWrites } from '../support/file-writes';

/**
 * aws-cdk-lib's own cache of asset fingerprints (core/lib/fs/fingerprint-disk-cache), which its asset staging writes
 * whatever the app does and which no option turns off: the one place outside the cloud assembly a synth may write.
 */
const CDK_FINGERPRINT_CACHE = path.join(os.homedir(), '.cdk', 'cache', 'fingerprints');

/** What a construct or a synth changed outside the cloud assembly `outdir` (and aws-cdk-lib's cache). */
const leaks = (written: readonly string[], outdir: string) => outside(written, outdir, CDK_FINGERPRINT_CACHE);

const SERVING = {
  projects: [{ name: 'churn', id: 'p-churn000001' }],
  stages: [{ name: 'sandbox' }, { name: 'qa', account: '222222222222' }],
};

/** Prepares the build inputs, then records the changes of constructing the app (with `extend`) and of its synth. */
function constructAndSynth(provider: SourceProvider, extend?: (baseline: BaselineStack) => void) {
  process.env.CDK_VALIDATION = 'false';
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mbm-pure-'));
  const app = new App({ outdir, context: testContext({ sourceProvider: provider, serving: SERVING }) });
  const config = readConfig((key) => app.node.tryGetContext(key), {});
  const buildInputs = prepareBuildInputs({
    sourceProvider: provider,
    outdir,
    branchTemplateContext: NO_CREATION_STACKS,
  });
  const construction = recordFileWrites(() => {
    const baseline = new BaselineStack(app, STACK_NAME, {
      config,
      snapshotDirectory: path.join(outdir, 'product-stack-snapshots'),
      buildInputs,
    });
    createServingStacks(app, config);
    extend?.(baseline);
  });
  const synthesis = recordFileWrites(() => app.synth());
  return { outdir, construction: construction.written, synthesis: synthesis.written };
}

describe('constructs are pure', () => {
  const outdirs: string[] = [];
  afterAll(() => outdirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  it.each<SourceProvider>(['codecommit', 'external-ci'])(
    'the %s app changes nothing outside the cloud assembly while constructed and synthesized',
    (provider) => {
      const { outdir, construction, synthesis } = constructAndSynth(provider);
      outdirs.push(outdir);
      expect(leaks(construction, outdir)).toEqual([]);
      expect(leaks(synthesis, outdir)).toEqual([]);
      // The recorder sees the synth's own writes (the templates), so an empty list above is not blindness.
      expect(synthesis.some((file) => file.endsWith('.template.json'))).toBe(true);
    },
  );

  describe('catches a construct that writes outside the cloud assembly (the check can fail)', () => {
    it('a construct writing a file in the temporary directory', () => {
      const leak = path.join(os.tmpdir(), `mbm-leak-${process.pid}.txt`);
      class Leaky extends Construct {
        constructor(scope: Construct, id: string) {
          super(scope, id);
          fs.writeFileSync(leak, 'side effect');
        }
      }
      const { outdir, construction } = constructAndSynth('external-ci', (baseline) => new Leaky(baseline, 'Leaky'));
      outdirs.push(outdir, leak);
      expect(leaks(construction, outdir)).toEqual([leak]);
    });

    it('a construct synthesizing the branch template in its constructor, as the project template once did', () => {
      // Where a construct without a stage once fell back to (the current directory), here a directory of its own.
      const fallback = path.join(os.tmpdir(), `mbm-fallback-${process.pid}`);
      const target = path.join(fallback, 'BranchPipeline.template.json');
      class NestedSynth extends Construct {
        constructor(scope: Construct, id: string) {
          super(scope, id);
          synthesizeBranchTemplate(target, { context: NO_CREATION_STACKS });
        }
      }
      const { outdir, construction } = constructAndSynth('codecommit', (baseline) => {
        new NestedSynth(baseline.productStack, 'NestedSynth');
      });
      outdirs.push(outdir, fallback);
      const leaked = leaks(construction, outdir);
      expect(leaked).toContain(target);
      expect(leaked.some((file) => path.basename(file).startsWith('branch-pipeline-'))).toBe(true);
    });
  });
});
