/**
 * The run command of the seed code, bundled by esbuild into `run.js` at the repository root (see lib/seed-code.ts):
 * `node run.js --branch "$BRANCH_NAME" --commit "$COMMIT_HASH"`. `node run.js --help` lists the options.
 */
import { settle } from './src/entry';
import { main } from './src/cli';

// run.ts sits beside pipeline.yaml and scripts/ in this folder, and run.js in the seed repository's root.
settle(
  main(process.argv.slice(2), process.env, __dirname, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  }),
);
