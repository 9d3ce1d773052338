#!/usr/bin/env bash
# Release step of the CI (Jenkinsfile stage "Release", GitHub workflow job "release"), run when main moves: finds the
# merged branch head (a merge commit's second parent; for a squash or rebase merge, the head of the pull request GitHub
# associates with the commit; otherwise HEAD) and invokes release-model-package-<project> with
# {"commit_id": "<head>", "approve_when_registered": true}.
#
# Run from main's work tree (with the parents of HEAD), with AWS credentials of the project's CI release role. Inputs,
# from the environment only:
#   MLOPS_PROJECT_NAME       the SageMaker project name (required)
#   GITHUB_TOKEN             optional, a token that may read the repository's pull requests (squash / rebase merges)
#   MLOPS_GITHUB_REPOSITORY  optional, owner/repo (default GITHUB_REPOSITORY)
#   GITHUB_API_URL           optional (default https://api.github.com)
# Tools: bash, git, the AWS CLI, jq, curl.

set -euo pipefail
: "${MLOPS_PROJECT_NAME:?is not set: the SageMaker project name}"
head=$(git rev-parse --verify 'HEAD^{commit}')
guessed=''
parent_count=$(git rev-list --parents -n 1 "$head" | wc -w)
if [ "$parent_count" -gt 2 ]; then
  commit=$(git rev-parse --verify "${head}^2")
  echo "Merge commit ${head}: releasing its second parent, the merged branch head ${commit}"
else
  commit=$head
  repository=${MLOPS_GITHUB_REPOSITORY:-${GITHUB_REPOSITORY:-}}
  if [ -n "${GITHUB_TOKEN:-}" ] && [ -n "$repository" ]; then
    pulls=$(curl -fsSL -H 'Accept: application/vnd.github+json' -H "Authorization: Bearer ${GITHUB_TOKEN}" "${GITHUB_API_URL:-https://api.github.com}/repos/${repository}/commits/${head}/pulls")
    pr_head=$(printf '%s' "$pulls" | jq -r --arg sha "$head" 'map(select(.merged_at != null and .merge_commit_sha == $sha)) | first | .head.sha // empty')
    if [ -n "$pr_head" ]; then
      commit=$pr_head
      echo "Commit ${head} merged a pull request (squash or rebase): releasing its head ${commit}"
    else
      echo "Commit ${head} merged no pull request (fast-forward or direct push): releasing it"
    fi
  else
    echo "Commit ${head} has one parent (fast-forward; a squash or rebase merge needs GitHub credentials): releasing it"
    guessed=yes
  fi
fi
case $commit in
  *[!0-9a-f]*) echo "not a full commit id: ${commit}" >&2; exit 1 ;;
esac
if [ "${#commit}" -ne 40 ]; then echo "not a full commit id: ${commit}" >&2; exit 1; fi
payload_file=$(mktemp)
response_file=$(mktemp)
jq -cn --arg commit_id "$commit" '{commit_id: $commit_id, approve_when_registered: true}' > "$payload_file"
function_error=$(aws lambda invoke --function-name "release-model-package-${MLOPS_PROJECT_NAME}" --payload "fileb://${payload_file}" --query FunctionError --output text "$response_file")
cat "$response_file"
echo
outcome=$(jq -r '.outcome? // empty' "$response_file" 2>/dev/null || true)
rm -f "$payload_file" "$response_file"
if [ -n "$function_error" ] && [ "$function_error" != None ]; then
  echo "release-model-package-${MLOPS_PROJECT_NAME} failed (${function_error}) for commit ${commit}" >&2
  exit 1
fi
if [ "$outcome" = intent-recorded ]; then
  echo "No model version of ${commit} is registered yet (training still running?): it is approved once registered."
  if [ -n "$guessed" ]; then
    echo "warning: if ${head} is a squash or rebase merge, no branch trained it and nothing will be approved: set GitHub credentials (MLOPS_GITHUB_CREDENTIALS_ID) and re-run" >&2
  fi
fi
