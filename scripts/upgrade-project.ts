/**
 * `npm run upgrade-project -- <clone of model-<project>-train>`: commits this checkout's platform files to the
 * clone on a branch `platform/upgrade-<version>`, for review (lib/upgrade-project.ts).
 */
import { UpgradeError, upgradeProject } from '../lib/upgrade-project';

const [repo, ...rest] = process.argv.slice(2);
if (repo === undefined || rest.length > 0 || repo === '--help') {
  console.error('usage: npm run upgrade-project -- <path to a clone of model-<project>-train>');
  process.exit(2);
}
try {
  const result = upgradeProject(repo);
  if (result.branch === undefined) {
    console.log(`${repo}: the platform files are already those of ${result.toVersion}; nothing to do.`);
  } else {
    console.log(`${repo}: committed the platform files of ${result.toVersion} (from ${result.fromVersion})`);
    console.log(`on branch ${result.branch}: ${result.changed.join(', ')}`);
    console.log(`Next: git -C ${repo} push origin ${result.branch}, then open a pull request into main.`);
  }
} catch (error) {
  if (!(error instanceof UpgradeError)) throw error;
  console.error(`upgrade-project: ${error.message}`);
  process.exit(1);
}
