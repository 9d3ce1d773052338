/**
 * The run command of the seed code, bundled by esbuild into `run.js` at the repository root (see lib/seed-code.ts):
 * `node run.js --branch "$BRANCH_NAME" --commit "$COMMIT_HASH"`. `node run.js --help` lists the options.
 */
import { main } from './src/cli';

// run.ts sits beside pipeline.config.json and scripts/ in this folder, and run.js in the seed repository's root.
main(process.argv.slice(2), process.env, __dirname, {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`error: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
