#!/usr/bin/env bash
# The GitHub Action (action.yml): install custody from the action's own checkout unless one
# is given, then run `custody check` with annotations on stdout, a SARIF report and the
# Markdown summary appended to the job summary. Exits with custody's code.
#
# Environment: INPUT_PATH, INPUT_ARGS (split on spaces), INPUT_SARIF; GitHub's
# GITHUB_ACTION_PATH, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP; CUSTODY_BIN, a
# custody binary to use instead of installing one (tests/action.rs sets it).
set -euo pipefail

custody="${CUSTODY_BIN:-}"
if [ -z "$custody" ]; then
    root="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/custody"
    if [ ! -x "$root/bin/custody" ]; then
        echo "::group::Installing custody"
        cargo install --locked --quiet --path "${GITHUB_ACTION_PATH:?}" --root "$root"
        echo "::endgroup::"
    fi
    custody="$root/bin/custody"
fi

args=(check "${INPUT_PATH:-.}" --format github --report "sarif=${INPUT_SARIF:-custody.sarif}")
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    # custody appends to the step summary (docs/ci.md), it never replaces it.
    args+=(--report "markdown=$GITHUB_STEP_SUMMARY")
fi
# shellcheck disable=SC2206 # INPUT_ARGS is split on spaces on purpose.
extra=(${INPUT_ARGS:-})

set +e
"$custody" "${args[@]}" "${extra[@]}"
code=$?
set -e
if [ -n "${GITHUB_OUTPUT:-}" ]; then
    {
        echo "sarif=${INPUT_SARIF:-custody.sarif}"
        echo "exit-code=$code"
    } >>"$GITHUB_OUTPUT"
fi
exit "$code"
