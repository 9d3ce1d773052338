/** The process side of the seed's bundled commands (run.js, report.js): exit code from the command, or 1 on a throw. */
export function settle(command: Promise<number>): void {
  command.then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`error: ${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
