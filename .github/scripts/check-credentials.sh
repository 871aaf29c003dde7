#!/usr/bin/env bash
# Decides whether a job that reaches the Pulumi backend and the clusters can run, how it
# logs in to the backend, and how the backend names the stacks. Each kind of job has its own
# credentials (README: Continuous delivery): previews the PREVIEW_* repository secrets, drift
# checks the DRIFT_* secrets of the environment `drift`, deployments the secrets of the
# environment named after the stack. GitHub gives no secrets to workflows of pull requests
# from forks (nor to Dependabot's), and environment secrets only to jobs of that environment.
#
# Environment (set by the calling step):
#   PULUMI_BACKEND_URL  the PULUMI_BACKEND_URL variable: a self-managed backend (s3://, file://, ...);
#                       empty for Pulumi Cloud
#   PULUMI_ORG          the PULUMI_ORG variable: the Pulumi Cloud organization (OIDC login, stack names)
#   PULUMI_TOKEN_SET    "true" when the job's static Pulumi access token secret is set (the fallback to OIDC)
#   PULUMI_TOKEN_NAME   that secret's name, for the message
#   AWS_ROLE_ARN_SET    "true" when the job's AWS role secret is set
#   AWS_ROLE_ARN_NAME   that secret's name, for the message
#   WHEN_MISSING        "skip": say so and let the jobs be skipped (pull requests, forks);
#                       "fail": fail the run (the repository's own deployments and drift checks)
#   WHAT                what needs them, for the message (e.g. "pulumi preview")
# Writes to $GITHUB_OUTPUT:
#   available=true|false
#   pulumi-login=backend|token|oidc   how the job logs in: a self-managed backend (its access comes
#                                     from the AWS role), the static token, or Pulumi Cloud's OIDC
#                                     token exchange (pulumi/auth-actions), which is preferred
#   stack-prefix=...                  what goes before a stack's name: organization/<project>/ on a
#                                     self-managed backend, <org>/ on Pulumi Cloud
set -euo pipefail

token_name="${PULUMI_TOKEN_NAME:-PULUMI_ACCESS_TOKEN}"
role_name="${AWS_ROLE_ARN_NAME:-AWS_ROLE_ARN}"
project=$(sed -n 's/^name:[[:space:]]*//p' Pulumi.yaml | head -n1)

missing=()
login=""
prefix=""
if [[ -n "${PULUMI_BACKEND_URL:-}" && ! "${PULUMI_BACKEND_URL}" =~ ^https?:// ]]; then
    # A self-managed backend has one organization, spelled `organization`.
    login="backend"
    prefix="organization/${project}/"
elif [[ "${PULUMI_TOKEN_SET:-false}" == "true" ]]; then
    login="token"
    if [[ -n "${PULUMI_ORG:-}" ]]; then prefix="${PULUMI_ORG}/"; fi
elif [[ -n "${PULUMI_ORG:-}" ]]; then
    login="oidc"
    prefix="${PULUMI_ORG}/"
else
    missing+=("the variable PULUMI_ORG (Pulumi Cloud through OIDC), or the secret ${token_name}, or the variable PULUMI_BACKEND_URL (a self-managed backend)")
fi
if [[ "${AWS_ROLE_ARN_SET:-false}" != "true" ]]; then
    missing+=("the secret ${role_name}")
fi

if (( ${#missing[@]} == 0 )); then
    {
        echo "available=true"
        echo "pulumi-login=${login}"
        echo "stack-prefix=${prefix}"
    } >> "$GITHUB_OUTPUT"
    echo "${WHAT}: logs in to the backend with ${login}; stacks are ${prefix}<stack>; AWS role from ${role_name}."
    exit 0
fi

list="${missing[0]}"
if (( ${#missing[@]} > 1 )); then list="${missing[0]} and ${missing[1]}"; fi
setup="create them as the README's Continuous delivery section says"

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
