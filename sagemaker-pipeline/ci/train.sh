#!/usr/bin/env bash
# Train step of the CI (Jenkinsfile stage "Train", GitHub workflow job "train"): packages the checked-out commit with
# `git archive`, uploads it to the project's artifact bucket under ci-source/<readable branch>--<branch hash>/<commit>.zip,
# starts the CodeBuild project model-<project>-train on it (BRANCH_NAME, COMMIT_HASH) and streams its status and log.
#
# Run from the repository's work tree, with AWS credentials of the project's CI training role. Inputs, from the
# environment only (the branch name is read as data, never spliced into a command):
#   MLOPS_PROJECT_NAME   the SageMaker project name (required)
#   MLOPS_SOURCE_BUCKET  the project artifact bucket, output CiSourceBucketName (required)
#   BRANCH_NAME          the branch being built (required; Jenkins multibranch sets it, the workflow passes it)
#   BUILD_TAG, GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT  optional, make the CodeBuild idempotency token per CI run
#   MLOPS_POLL_SECONDS   optional, seconds between status polls (default 10)
# Tools: bash, git, the AWS CLI, jq, sha256sum.

set -euo pipefail
: "${MLOPS_PROJECT_NAME:?is not set: the SageMaker project name}"
: "${MLOPS_SOURCE_BUCKET:?is not set: the project artifact bucket}"
: "${BRANCH_NAME:?is not set: the branch being built}"
commit=$(git rev-parse --verify 'HEAD^{commit}')
readable=$(printf '%s' "$BRANCH_NAME" | LC_ALL=C tr -cs 'A-Za-z0-9' '-' | cut -c 1-60 | sed -e 's/^-*//' -e 's/-*$//')
branch_hash=$(printf '%s' "$BRANCH_NAME" | sha256sum | cut -c 1-10)
key="ci-source/${readable:+${readable}--}${branch_hash}/${commit}.zip"
archive=$(mktemp)
git archive --format=zip --output="$archive" "$commit"
aws s3 cp "$archive" "s3://${MLOPS_SOURCE_BUCKET}/${key}" --only-show-errors
rm -f "$archive"
echo "Uploaded ${commit} of ${BRANCH_NAME} to s3://${MLOPS_SOURCE_BUCKET}/${key}"
overrides=$(jq -cn --arg branch "$BRANCH_NAME" --arg commit "$commit" '[{name: "BRANCH_NAME", value: $branch, type: "PLAINTEXT"}, {name: "COMMIT_HASH", value: $commit, type: "PLAINTEXT"}]')
token=$(printf '%s %s %s %s' "$commit" "${BUILD_TAG:-}" "${GITHUB_RUN_ID:-}" "${GITHUB_RUN_ATTEMPT:-}" | sha256sum | cut -c 1-32)
set -- --project-name "model-${MLOPS_PROJECT_NAME}-train"
set -- "$@" --source-location-override "${MLOPS_SOURCE_BUCKET}/${key}"
set -- "$@" --environment-variables-override "$overrides"
set -- "$@" --idempotency-token "$token"
build_id=$(aws codebuild start-build "$@" --query build.id --output text)
echo "Started CodeBuild build ${build_id}"
errors=$(mktemp)
log_token=''
phase=''
while :; do
  build=$(aws codebuild batch-get-builds --ids "$build_id" --query 'builds[0]' --output json)
  status=$(printf '%s' "$build" | jq -r '.buildStatus // "NOT_FOUND"')
  current=$(printf '%s' "$build" | jq -r '.currentPhase // "-"')
  if [ "$current" != "$phase" ]; then
    echo "CodeBuild phase ${current} (${status})"
    phase=$current
  fi
  group=$(printf '%s' "$build" | jq -r '.logs.groupName // empty')
  stream=$(printf '%s' "$build" | jq -r '.logs.streamName // empty')
  if [ -n "$group" ] && [ -n "$stream" ]; then
    set -- --log-group-name "$group" --log-stream-name "$stream" --start-from-head --output json
    if [ -n "$log_token" ]; then set -- "$@" --next-token "$log_token"; fi
    if events=$(aws logs get-log-events "$@" 2>"$errors"); then
      printf '%s' "$events" | jq -j '.events[].message'
      log_token=$(printf '%s' "$events" | jq -r '.nextForwardToken')
    elif ! grep -q ResourceNotFoundException "$errors"; then
      cat "$errors" >&2
      exit 1
    fi
  fi
  if [ "$status" != IN_PROGRESS ]; then break; fi
  sleep "${MLOPS_POLL_SECONDS:-10}"
done
rm -f "$errors"
if [ "$status" != SUCCEEDED ]; then
  echo "CodeBuild build ${build_id} ended ${status}" >&2
  exit 1
fi
echo "Build ${build_id} succeeded: the SageMaker pipeline of ${BRANCH_NAME} runs on and registers its model version."
