#!/usr/bin/env bash
# `npm test`: every check, the independent ones side by side (the machine has 2 cores, and much of the suites' time
# is spent waiting on emulators, git and child processes). Each part's output is printed whole when it ends, then a
# summary and the plain closing line `N passed, N failed` over the jest and pytest tests.
set -uo pipefail
cd "$(dirname "$0")/.."
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

npm run --silent test:setup || exit 1

declare -A pids=()
start() { # name command...
  local name=$1; shift
  local began=$SECONDS
  ( "$@" >"$logs/$name.log" 2>&1; echo $? >"$logs/$name.rc"; echo $((SECONDS - began)) >"$logs/$name.seconds" ) &
  pids[$name]=$!
}
start lint npm run --silent lint
start typecheck npm run --silent typecheck
start python npm run --silent test:python
start jest npm run --silent test:jest

failed=()
for name in lint typecheck python jest; do
  wait "${pids[$name]}"
  rc=$(cat "$logs/$name.rc")
  echo "::: $name (exit $rc, $(cat "$logs/$name.seconds") s)"
  cat "$logs/$name.log"
  [ "$rc" = 0 ] || failed+=("$name")
done

# Test counts from the runners' own summaries (jest: "Tests: 3 failed, 552 passed, 555 total"; pytest: "9 passed").
jest_line=$(grep -E '^Tests: ' "$logs/jest.log" | tail -1)
py_line=$(grep -E '[0-9]+ (passed|failed)' "$logs/python.log" | tail -1)
count() { local n; n=$(echo "$1" | grep -oE "[0-9]+ $2" | grep -oE '[0-9]+' | head -1); echo "${n:-0}"; }
passed=$(( $(count "$jest_line" passed) + $(count "$py_line" passed) ))
failures=$(( $(count "$jest_line" failed) + $(count "$py_line" failed) ))
echo
echo "jest: ${jest_line:-no summary}"
echo "pytest: ${py_line:-no summary}"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "failed: ${failed[*]}"
  [ "$failures" -gt 0 ] || failures=1
fi
echo "$passed passed, $failures failed"
[ "${#failed[@]}" -eq 0 ]
