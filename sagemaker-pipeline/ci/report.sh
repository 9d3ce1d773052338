#!/usr/bin/env bash
# Pull request report of the GitHub workflow (job "report"): prints the model report of the pull request's head
# commit with report.js (the same Markdown CodeCommit pull requests get as a comment), appends it to the job summary
# and keeps ONE comment on the pull request with it: the comment by MLOPS_COMMENT_AUTHOR whose first line is the
# report's marker line is updated in place, or posted when there is none.
#
# Run from the repository's work tree (report.js at its root), with AWS credentials of the project's CI report role
# (read-only SageMaker and S3 of the project). Inputs, from the environment only:
#   MLOPS_PROJECT_NAME, MLOPS_PROJECT_ID, MLOPS_SOURCE_BUCKET   the project (required; stack outputs)
#   BRANCH_NAME, COMMIT_HASH     the pull request's source branch and head commit (required)
#   MLOPS_REPORT_WAIT_MINUTES    optional, wait up to this long while a model still trains (default 0)
#   PR_NUMBER, GITHUB_TOKEN      optional: without both, the report goes to the job summary only
#   MLOPS_GITHUB_REPOSITORY      optional, owner/repo (default GITHUB_REPOSITORY)
#   MLOPS_COMMENT_AUTHOR         optional, the login GITHUB_TOKEN comments as (default github-actions[bot])
#   GITHUB_API_URL, GITHUB_STEP_SUMMARY  optional (set by GitHub Actions)
# Tools: bash, node, jq, curl.

set -euo pipefail
: "${MLOPS_PROJECT_NAME:?is not set: the SageMaker project name}"
: "${MLOPS_PROJECT_ID:?is not set: the SageMaker project id (stack output ProjectId)}"
: "${MLOPS_SOURCE_BUCKET:?is not set: the project artifact bucket}"
: "${BRANCH_NAME:?is not set: the pull request source branch}"
: "${COMMIT_HASH:?is not set: the pull request head commit}"
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
report=$(mktemp)
node "${root}/report.js" --wait-minutes "${MLOPS_REPORT_WAIT_MINUTES:-0}" > "$report"
cat "$report"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then cat "$report" >> "$GITHUB_STEP_SUMMARY"; fi
if [ -z "${GITHUB_TOKEN:-}" ] || [ -z "${PR_NUMBER:-}" ]; then
  echo "GITHUB_TOKEN or PR_NUMBER not set: the report is in the job summary only"
  rm -f "$report"
  exit 0
fi
case $PR_NUMBER in
  ''|*[!0-9]*) echo "PR_NUMBER is not a pull request number: ${PR_NUMBER}" >&2; exit 1 ;;
esac
repository=${MLOPS_GITHUB_REPOSITORY:-${GITHUB_REPOSITORY:?is not set: owner/repo}}
api=${GITHUB_API_URL:-https://api.github.com}
author=${MLOPS_COMMENT_AUTHOR:-github-actions[bot]}
marker=$(head -n 1 "$report")
github() {
  curl -fsSL -H 'Accept: application/vnd.github+json' -H "Authorization: Bearer ${GITHUB_TOKEN}" "$@"
}
comment_id=''
page=1
while :; do
  comments=$(github "${api}/repos/${repository}/issues/${PR_NUMBER}/comments?per_page=100&page=${page}")
  comment_id=$(printf '%s' "$comments" | jq -r --arg marker "$marker" --arg author "$author" \
    'map(select(.user.login == $author and ((.body // "") | startswith($marker)))) | first | .id // empty')
  count=$(printf '%s' "$comments" | jq 'length')
  if [ -n "$comment_id" ] || [ "$count" -lt 100 ]; then break; fi
  page=$((page + 1))
done
body=$(mktemp)
jq -Rs '{body: .}' < "$report" > "$body"
if [ -n "$comment_id" ]; then
  github -X PATCH --data-binary "@${body}" "${api}/repos/${repository}/issues/comments/${comment_id}" > /dev/null
  echo "Updated the report comment ${comment_id} on pull request ${PR_NUMBER}"
else
  github -X POST --data-binary "@${body}" "${api}/repos/${repository}/issues/${PR_NUMBER}/comments" > /dev/null
  echo "Posted the report comment on pull request ${PR_NUMBER}"
fi
rm -f "$report" "$body"
