/**
 * jest's test order: the slowest suites first, so that neither worker is left with a long suite at the end. jest
 * orders by each suite's last measured time (kept in its cache directory); for a suite it has never timed (a fresh
 * clone) this takes the estimate below instead of jest's fallback, the file's size (a poor guess here: the slowest
 * suites spend their time in child processes, not in many tests).
 *
 * Estimates: seconds on an idle 2-core machine, from a full run under load scaled down (their order is what matters).
 * A suite that is missing or renamed only falls back to jest's ordering.
 */
const Sequencer = require('@jest/test-sequencer').default;
const path = require('node:path');

const ESTIMATED_SECONDS = {
  'test/sagemaker-pipeline/local.test.ts': 44,
  'test/e2e/workflow.test.ts': 38,
  'test/jenkins/ci-files.test.ts': 30,
  'test/integration/branch-pipeline.test.ts': 23,
  'test/lambda/release-model/release.test.ts': 19,
  'test/lib/serving-stack.test.ts': 19,
  'test/sagemaker-pipeline/retrain-moto.test.ts': 15,
  'test/e2e/event-pattern-moto.test.ts': 13,
  'test/lib/warehouse.test.ts': 13,
  'test/sagemaker-pipeline/run-command.test.ts': 13,
  'test/integration/release-model.test.ts': 12,
  'test/lib/snapshots.test.ts': 12,
  'test/lib/baseline-stack.test.ts': 12,
  'test/lib/app.test.ts': 12,
  'test/lib/isolation.test.ts': 11,
  'test/integration/deploy-model.test.ts': 11,
  'test/lib/retrain-schedule.test.ts': 10,
};

class SlowestFirst extends Sequencer {
  /**
   * The last measured time (ms), else the estimate, else 0: every suite has a time, so jest's sort puts the longest
   * first (jest itself runs suites it has no time for before all others, and orders those by file size).
   */
  time(test) {
    const measured = super.time(test);
    if (measured !== undefined) return measured;
    const relative = path.relative(test.context.config.rootDir, test.path).split(path.sep).join('/');
    return (ESTIMATED_SECONDS[relative] ?? 0) * 1000;
  }
}

module.exports = SlowestFirst;
module.exports.ESTIMATED_SECONDS = ESTIMATED_SECONDS;
