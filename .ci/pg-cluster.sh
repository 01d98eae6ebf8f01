#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite, on 127.0.0.1 only.
#
#   .ci/pg-cluster.sh start        create (when needed) and start it, create the test
#                                  database, print its URL
#   .ci/pg-cluster.sh url          print the URL of the running cluster
#   .ci/pg-cluster.sh status       say whether it runs
#   .ci/pg-cluster.sh stop         stop it and delete its directory
#   .ci/pg-cluster.sh run CMD...   start a private cluster, run CMD with
#                                  TEST_DATABASE_URL set, stop it again (even when
#                                  CMD fails or is interrupted); exits with CMD's status
#   .ci/pg-cluster.sh bindir       print the directory of the server binaries
#                                  (exit 1 when PostgreSQL is not installed)
#
# The URL has the form postgresql://postgres@127.0.0.1:PORT/gridreach_test
#
# Environment:
#   PGPORT_TEST  port to use; default: the first free port from 55432 on
#   PG_TEST_DB   database to create; default gridreach_test
#   PG_TEST_DIR  directory of the cluster; default: one per user and checkout in the
#                temporary directory
#   PG_BINDIR    directory holding initdb, pg_ctl and postgres; default: next to the
#                pg_ctl on PATH, else the newest /usr/lib/postgresql/*/bin
#
# PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres`
# system user (created when missing). Authentication is `trust`, which is why the
# server listens on 127.0.0.1 only and keeps its socket in its own private directory.
# Durability is switched off (fsync, synchronous_commit, full_page_writes): the data
# is thrown away anyway.
set -euo pipefail
shopt -s inherit_errexit

MARKER=.gridreach-pg-cluster
FIRST_PORT=55432
LAST_PORT=55481

say() { echo "pg-cluster: $*" >&2; }
die() { say "$*"; exit 1; }

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
db_name=${PG_TEST_DB:-gridreach_test}
[[ $db_name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "PG_TEST_DB must be a plain identifier, got '$db_name'"

is_root=false
[[ $(id -u) -eq 0 ]] && is_root=true

# Where clusters live. As root the postgres user must be able to reach it, which
# a private TMPDIR (say under /root) would not allow.
if $is_root; then
    tmp_base=/tmp
else
    tmp_base=${TMPDIR:-/tmp}
fi
tmp_base=${tmp_base%/}
checkout_key=$(printf '%s' "$repo_root" | cksum | cut -d' ' -f1)
cluster_dir=${PG_TEST_DIR:-$tmp_base/gridreach-pg-$(id -u)-$checkout_key}
cluster_dir=${cluster_dir%/}
data_dir=$cluster_dir/data

find_bindir() {
    local candidate dir
    if [[ -n ${PG_BINDIR:-} ]]; then
        [[ -x $PG_BINDIR/pg_ctl && -x $PG_BINDIR/initdb ]] || return 1
        echo "$PG_BINDIR"
        return 0
    fi
    if candidate=$(command -v pg_ctl 2>/dev/null); then
        dir=$(dirname "$(readlink -f "$candidate")")
        if [[ -x $dir/initdb && -x $dir/postgres ]]; then
            echo "$dir"
            return 0
        fi
    fi
    # Debian keeps the server binaries off PATH.
    while read -r dir; do
        if [[ -x $dir/pg_ctl && -x $dir/initdb && -x $dir/postgres ]]; then
            echo "$dir"
            return 0
        fi
    done < <(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5 -V -r)
    return 1
}

require_bindir() {
    bindir=$(find_bindir) || die "PostgreSQL server binaries not found (no pg_ctl on PATH or in /usr/lib/postgresql/*/bin; on Debian: apt-get install postgresql)"
}

# Runs a server command as the cluster's owner, from inside the cluster directory
# (the postgres user may not be allowed into the caller's working directory).
as_owner() {
    if $is_root; then
        (cd "$cluster_dir" && runuser -u postgres -- "$@")
    else
        (cd "$cluster_dir" && "$@")
    fi
}

ensure_postgres_user() {
    $is_root || return 0
    if ! id -u postgres >/dev/null 2>&1; then
        say "creating the system user postgres (PostgreSQL refuses to run as root)"
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin postgres
    fi
}

is_running() {
    [[ -f $data_dir/postmaster.pid && -f $cluster_dir/port ]] || return 1
    local bindir
    bindir=$(find_bindir) || return 1
    as_owner "$bindir/pg_ctl" -D "$data_dir" status >/dev/null 2>&1
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

url() {
    echo "postgresql://postgres@127.0.0.1:$(cat "$cluster_dir/port")/$db_name"
}

init_cluster() {
    if [[ -e $cluster_dir && ! -f $cluster_dir/$MARKER ]]; then
        [[ -d $cluster_dir && -z $(ls -A "$cluster_dir") ]] \
            || die "$cluster_dir exists and was not made by this script; set PG_TEST_DIR elsewhere"
    fi
    ensure_postgres_user
    mkdir -p "$cluster_dir"
    chmod 700 "$cluster_dir"
    touch "$cluster_dir/$MARKER"
    if $is_root; then
        chown -R postgres: "$cluster_dir"
    fi

    local locale_opt=--no-locale
    if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
        locale_opt=--locale=C.UTF-8
    fi
    say "initialising a cluster in $cluster_dir"
    if ! as_owner "$bindir/initdb" -D "$data_dir" -U postgres -E UTF8 "$locale_opt" \
        --auth=trust --no-sync >"$cluster_dir/initdb.log" 2>&1; then
        cat "$cluster_dir/initdb.log" >&2
        die "initdb failed"
    fi

    # The files belong to the owner already; writing into them keeps it that way.
    cat >"$data_dir/pg_hba.conf" <<'EOF'
# Throwaway test cluster: trust, on 127.0.0.1 and the private socket only.
local   all   all                  trust
host    all   all   127.0.0.1/32   trust
EOF
    cat >>"$data_dir/postgresql.conf" <<EOF

# --- throwaway test cluster (.ci/pg-cluster.sh) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$cluster_dir'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
jit = off
EOF
}

start_server() {
    local ports port
    if [[ -n ${PGPORT_TEST:-} ]]; then
        [[ $PGPORT_TEST =~ ^[0-9]+$ ]] || die "PGPORT_TEST must be a port number"
        port_in_use "$PGPORT_TEST" && die "port $PGPORT_TEST (PGPORT_TEST) is already in use"
        ports=$PGPORT_TEST
    else
        ports=$(seq "$FIRST_PORT" "$LAST_PORT")
    fi
    for port in $ports; do
        port_in_use "$port" && continue
        rm -f "$cluster_dir/server.log"
        if as_owner "$bindir/pg_ctl" -D "$data_dir" -l "$cluster_dir/server.log" \
            -o "-p $port" -w -t 60 start >/dev/null 2>&1; then
            echo "$port" >"$cluster_dir/port"
            return 0
        fi
        # Somebody took the port between the check and the start: try the next one.
        if grep -qiE 'could not bind|already in use' "$cluster_dir/server.log" 2>/dev/null \
            && [[ -z ${PGPORT_TEST:-} ]]; then
            continue
        fi
        cat "$cluster_dir/server.log" >&2 2>/dev/null || true
        die "the server did not start (log above)"
    done
    die "no free port between $FIRST_PORT and $LAST_PORT (set PGPORT_TEST)"
}

create_database() {
    local port psql createdb
    port=$(cat "$cluster_dir/port")
    psql=$bindir/psql
    [[ -x $psql ]] || psql=$(command -v psql) || die "psql not found"
    createdb=$bindir/createdb
    [[ -x $createdb ]] || createdb=$(command -v createdb) || die "createdb not found"
    local exists
    exists=$(PGSSLMODE=disable "$psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAX \
        -c "select 1 from pg_database where datname = '$db_name'")
    if [[ $exists != 1 ]]; then
        PGSSLMODE=disable "$createdb" -h 127.0.0.1 -p "$port" -U postgres "$db_name"
    fi
}

cmd_start() {
    require_bindir
    if ! is_running; then
        if [[ -n ${PGPORT_TEST:-} ]] && port_in_use "$PGPORT_TEST"; then
            die "port $PGPORT_TEST (PGPORT_TEST) is already in use"
        fi
        if [[ ! -f $data_dir/PG_VERSION ]]; then
            init_cluster
        fi
        start_server
        say "running on 127.0.0.1:$(cat "$cluster_dir/port") (data in $cluster_dir)"
    fi
    create_database
    url
}

cmd_url() {
    is_running || die "no cluster running in $cluster_dir (start it with: .ci/pg-cluster.sh start)"
    url
}

cmd_status() {
    if is_running; then
        echo "running: $(url) (data in $cluster_dir)"
    else
        echo "not running ($cluster_dir)"
        return 1
    fi
}

cmd_stop() {
    if [[ ! -e $cluster_dir ]]; then
        say "no cluster in $cluster_dir; nothing to stop"
        return 0
    fi
    [[ -f $cluster_dir/$MARKER ]] || die "refusing to delete $cluster_dir: not made by this script"
    if [[ -f $data_dir/postmaster.pid ]]; then
        local bindir pid
        if bindir=$(find_bindir); then
            as_owner "$bindir/pg_ctl" -D "$data_dir" -m fast -w -t 30 stop >/dev/null 2>&1 \
                || as_owner "$bindir/pg_ctl" -D "$data_dir" -m immediate -w -t 30 stop >/dev/null 2>&1 \
                || true
        fi
        # Still there (binaries gone, or a stuck server)? Stop the postmaster directly.
        if [[ -f $data_dir/postmaster.pid ]]; then
            pid=$(head -n1 "$data_dir/postmaster.pid" 2>/dev/null || true)
            if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
                kill -QUIT "$pid" 2>/dev/null || true
                for _ in $(seq 50); do
                    kill -0 "$pid" 2>/dev/null || break
                    sleep 0.1
                done
            fi
        fi
    fi
    rm -rf -- "$cluster_dir"
    say "stopped and removed $cluster_dir"
}

cmd_run() {
    [[ $# -gt 0 ]] || die "usage: pg-cluster.sh run COMMAND [ARGS...]"
    require_bindir
    # A private cluster for this run, so that parallel runs never share one.
    ensure_postgres_user
    cluster_dir=$(mktemp -d "$tmp_base/gridreach-pg-run.XXXXXX")
    touch "$cluster_dir/$MARKER"
    data_dir=$cluster_dir/data
    export PG_TEST_DIR=$cluster_dir
    trap 'rc=$?; trap - EXIT; cmd_stop || true; exit $rc' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    local db_url rc
    db_url=$(cmd_start)
    say "TEST_DATABASE_URL=$db_url"
    set +e
    TEST_DATABASE_URL=$db_url "$@"
    rc=$?
    set -e
    exit "$rc"
}

case ${1:-} in
    start) cmd_start ;;
    stop) cmd_stop ;;
    url) cmd_url ;;
    status) cmd_status ;;
    run) shift; cmd_run "$@" ;;
    bindir) find_bindir ;;
    *)
        sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
        exit 2
        ;;
esac
