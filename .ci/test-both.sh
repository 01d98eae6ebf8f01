#!/usr/bin/env bash
# The suite on SQLite and on PostgreSQL (make test):
#
#   .ci/test-both.sh [pytest args...]
#
# With two cores or more the two runs go side by side: each is one pytest process, the
# SQLite run is CPU-bound in Python and the PostgreSQL run spends much of its time waiting
# on the server, so together they take little more than the longer of the two. The
# PostgreSQL run streams as it goes; the SQLite run's output is printed whole when it ends,
# so neither is cut into the other. TEST_ENGINES_AT_ONCE=0 runs them one after the other.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

at_once=${TEST_ENGINES_AT_ONCE:-}
if [[ -z $at_once ]]; then
    at_once=0
    (($(nproc 2>/dev/null || echo 1) >= 2)) && at_once=1
fi

if [[ $at_once != 1 ]]; then
    status=0
    env -u TEST_DATABASE_URL .ci/pytest.sh sqlite "$@" || status=$?
    .ci/test-pg.sh "$@" || status=$?
    exit $status
fi

sqlite_log=$(mktemp)
trap 'rm -f "$sqlite_log"' EXIT
echo "==> the SQLite and PostgreSQL runs go side by side; the SQLite run's output follows the PostgreSQL run's"
env -u TEST_DATABASE_URL .ci/pytest.sh sqlite "$@" >"$sqlite_log" 2>&1 &
sqlite_pid=$!
status=0
.ci/test-pg.sh "$@" || status=$?
sqlite_status=0
wait "$sqlite_pid" || sqlite_status=$?
echo
cat "$sqlite_log"
((sqlite_status)) && status=$sqlite_status
exit $status
