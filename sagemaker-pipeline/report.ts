/**
 * The report command of the seed code, bundled by esbuild into `report.js` at the repository root (see
 * lib/seed-code.ts): `node report.js --branch "$BRANCH_NAME" --commit "$COMMIT_HASH"` prints the pull request report
 * as Markdown. `node report.js --help` lists the options.
 */
import { settle } from './src/entry';
import { reportMain } from './src/report-cli';

settle(
  reportMain(process.argv.slice(2), process.env, {
    out: (text) => process.stdout.write(text),
    err: (line) => process.stderr.write(`${line}\n`),
  }),
);
