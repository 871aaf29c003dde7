#!/usr/bin/env bash
# Decides whether the jobs that reach the Pulumi backend and the clusters can run. They
# need the backend's credentials (the PULUMI_ACCESS_TOKEN secret for Pulumi Cloud, or the
# PULUMI_BACKEND_URL variable for a self-managed backend) and the AWS_ROLE_ARN secret.
# GitHub gives no secrets to workflows of pull requests from forks (nor to Dependabot's).
#
# Environment (set by the calling step):
#   PULUMI_ACCESS_TOKEN_SET  "true" when the PULUMI_ACCESS_TOKEN secret is set
#   PULUMI_BACKEND_URL       the PULUMI_BACKEND_URL variable, empty for Pulumi Cloud
#   AWS_ROLE_ARN_SET         "true" when the AWS_ROLE_ARN secret is set
#   WHEN_MISSING             "skip": say so and let the jobs be skipped (pull requests, forks);
#                            "fail": fail the run (deployments of the repository itself)
#   WHAT                     what needs them, for the message (e.g. "pulumi preview")
# Writes available=true|false to $GITHUB_OUTPUT.
set -euo pipefail

missing=()
if [[ "${PULUMI_ACCESS_TOKEN_SET:-false}" != "true" && -z "${PULUMI_BACKEND_URL:-}" ]]; then
    missing+=("the secret PULUMI_ACCESS_TOKEN (or the variable PULUMI_BACKEND_URL for a self-managed backend)")
fi
if [[ "${AWS_ROLE_ARN_SET:-false}" != "true" ]]; then
    missing+=("the secret AWS_ROLE_ARN")
fi

if (( ${#missing[@]} == 0 )); then
    echo "available=true" >> "$GITHUB_OUTPUT"
    echo "${WHAT}: the Pulumi backend and AWS credentials are configured."
    exit 0
fi

list="${missing[0]}"
if (( ${#missing[@]} > 1 )); then list="${missing[0]} and ${missing[1]}"; fi
setup="create them under Settings > Secrets and variables > Actions (README: Continuous delivery)"

if [[ "${WHEN_MISSING:-skip}" == "fail" ]]; then
    echo "::error title=${WHAT} cannot run::This run lacks ${list}: ${setup}."
    exit 1
fi
message="${WHAT} skipped: this run lacks ${list}. GitHub gives no secrets to pull requests from forks; in this repository itself, ${setup}."
echo "::notice title=${WHAT} skipped::${message}"
echo "available=false" >> "$GITHUB_OUTPUT"
if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
    printf '### %s skipped\n\n%s\n' "${WHAT}" "${message}" >> "$GITHUB_STEP_SUMMARY"
fi
