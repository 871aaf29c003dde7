#!/usr/bin/env bash
# Reports the drift check of one stack in the repository's issues, through the GitHub CLI:
# a failed check opens an issue labelled `drift` for the stack (or comments on the one that
# is open), a passed check closes the open one. The job itself has already failed when the
# check failed; the issue is what makes it seen.
#
# Environment (set by the calling step):
#   GH_TOKEN, GH_REPO  the job's token (issues: write) and the repository, for `gh`
#   STACK              the stack's name
#   OUTCOME            the check's outcome: success or failure
#   RUN_URL            the run's address, linked from the issue
set -euo pipefail

title="Drift: stack ${STACK}"
open=$(gh issue list --state open --label drift --limit 100 --json number,title --jq ".[] | select(.title == \"${title}\") | .number" | head -n1)

if [[ "${OUTCOME}" == "success" ]]; then
    if [[ -n "${open}" ]]; then
        gh issue close "${open}" --comment "No drift in \`${STACK}\` any more: \`pulumi preview --refresh --expect-no-changes\` passed in ${RUN_URL}."
        echo "Closed issue #${open}: ${STACK} is clean again."
    else
        echo "No drift in ${STACK}."
    fi
    exit 0
fi

body="\`pulumi preview --refresh --expect-no-changes\` failed for the stack \`${STACK}\` in ${RUN_URL}: its clusters or AWS resources differ from what the program declares (changed outside Pulumi, or by a program change not yet deployed), or the check itself could not run. The run's summary shows the preview. To resolve it, either revert the change outside Pulumi with \`pulumi up\` (the deploy workflow, or \`npm run rollout\`), or bring the program in line with it. This issue is closed by the first check that passes."
if [[ -n "${open}" ]]; then
    gh issue comment "${open}" --body "Still failing in ${RUN_URL}."
    echo "::error title=Drift in ${STACK}::See issue #${open} and ${RUN_URL}."
else
    gh label create drift --color d93f0b --description "A stack differs from its program (drift workflow)" --force
    gh issue create --title "${title}" --label drift --body "${body}"
    echo "::error title=Drift in ${STACK}::An issue was opened; see ${RUN_URL}."
fi
