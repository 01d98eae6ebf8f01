#!/usr/bin/env bash
# Runs the test suite on PostgreSQL:
#   - against TEST_DATABASE_URL when it is set;
#   - else against a throwaway local cluster (.ci/pg-cluster.sh run) when the
#     PostgreSQL server binaries are installed;
#   - else says that the PostgreSQL run was skipped. Under CI=true that is a failure.
# Arguments go to pytest.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

is_ci() { [[ ${CI:-} =~ ^([Tt][Rr][Uu][Ee]|1|[Yy][Ee][Ss])$ ]]; }

if [[ -n ${TEST_DATABASE_URL:-} ]]; then
    case $TEST_DATABASE_URL in
        postgres://* | postgresql://* | postgresql+*://*) ;;
        *)
            echo "test-pg: TEST_DATABASE_URL is not a PostgreSQL URL (postgresql://user@host:port/db)" >&2
            exit 2
            ;;
    esac
    exec .ci/pytest.sh postgresql "$@"
fi

if .ci/pg-cluster.sh bindir >/dev/null 2>&1; then
    exec .ci/pg-cluster.sh run .ci/pytest.sh postgresql "$@"
fi

echo "==> PostgreSQL run SKIPPED: TEST_DATABASE_URL is not set and no PostgreSQL server is installed"
echo "    (looked for pg_ctl on PATH and in /usr/lib/postgresql/*/bin)."
echo "    Install it (Debian: apt-get install postgresql) or set TEST_DATABASE_URL=postgresql://user@host:port/db."
if is_ci; then
    echo "RESULT pytest[postgresql]: FAILED, the PostgreSQL run could not happen (CI requires it)"
    exit 1
fi
echo "RESULT pytest[postgresql]: skipped, no PostgreSQL available"
