#!/usr/bin/env bash
# Runs the test suite once and ends with one result line:
#
#   .ci/pytest.sh LABEL [pytest args...]
#   -> RESULT pytest[LABEL]: 212 passed, 3 skipped in 41.20s
#
# LABEL names the database (sqlite, postgresql). pytest exits 5 when it collected
# no tests: under CI=true that is a failure (no tests means something is broken);
# on a workstation it is reported and let through.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

label=${1:?usage: .ci/pytest.sh LABEL [pytest args...]}
shift

python=$repo_root/.venv/bin/python
[[ -x $python ]] || { echo "pytest.sh: $python is missing; run 'make install'" >&2; exit 2; }
# Tests that start the app's own commands (flask, gunicorn) find the virtualenv's.
export PATH="$repo_root/.venv/bin:$PATH"
# Browsers come from Debian (chromium); playwright never downloads its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

is_ci() { [[ ${CI:-} =~ ^([Tt][Rr][Uu][Ee]|1|[Yy][Ee][Ss])$ ]]; }

target="SQLite"
if [[ -n ${TEST_DATABASE_URL:-} ]]; then
    # Hide a password, if the URL carries one.
    target=$(sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#' <<<"$TEST_DATABASE_URL")
fi
echo "==> pytest on $label ($target)"

log=$(mktemp)
trap 'rm -f "$log"' EXIT

set +e
"$python" -m pytest "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e

# pytest's last line: "==== 3 passed, 1 skipped in 0.12s ====".
# With -q the same line comes without the "=" rule around it.
summary=$(grep -E '^(=+ )?[0-9]+ (passed|failed|error|skipped|deselected|xfailed|xpassed|warnings?)\b.* in [0-9.]+s' "$log" \
    | tail -n1 | sed -E 's/^=+ //; s/ =+$//' || true)
[[ -n $summary ]] || summary="no summary from pytest"

if [[ $rc -eq 5 ]]; then
    if is_ci; then
        echo "RESULT pytest[$label]: FAILED, no tests were collected ($summary; exit 5)"
        exit 5
    fi
    echo "RESULT pytest[$label]: no tests were collected ($summary); not an error outside CI"
    exit 0
fi
if [[ $rc -eq 0 ]]; then
    echo "RESULT pytest[$label]: $summary"
else
    echo "RESULT pytest[$label]: FAILED ($summary; exit $rc)"
fi
exit "$rc"
