#!/usr/bin/env bash
# Checks the migrations: on a fresh SQLite database and on a fresh PostgreSQL
# database, `flask db upgrade` builds the schema and `flask db check` finds no
# difference between it and the models.
# PostgreSQL needs the server binaries (a throwaway cluster is started); without
# them that half is skipped, which under CI=true is a failure.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"
export PATH="$repo_root/.venv/bin:$PATH"

is_ci() { [[ ${CI:-} =~ ^([Tt][Rr][Uu][Ee]|1|[Yy][Ee][Ss])$ ]]; }

check() { # DATABASE_URL
    DATABASE_URL=$1 flask --app app db upgrade
    DATABASE_URL=$1 flask --app app db check
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "==> migrations on SQLite"
check "sqlite:///$tmp/db-check.sqlite"
echo "RESULT db-check[sqlite]: upgrade and check passed"

echo "==> migrations on PostgreSQL"
if .ci/pg-cluster.sh bindir >/dev/null 2>&1; then
    export -f check
    PG_TEST_DB=gridreach_db_check .ci/pg-cluster.sh run bash -c 'check "$TEST_DATABASE_URL"'
    echo "RESULT db-check[postgresql]: upgrade and check passed"
else
    echo "PostgreSQL server not installed; migration check on PostgreSQL skipped"
    if is_ci; then
        echo "RESULT db-check[postgresql]: FAILED, no PostgreSQL (CI requires it)"
        exit 1
    fi
    echo "RESULT db-check[postgresql]: skipped"
fi
