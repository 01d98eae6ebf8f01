#!/usr/bin/env bash
# Every benchmark, on SQLite and (when a server can be had) PostgreSQL. Prints figures with the
# baseline each one measures in the same run; asserts nothing. Loopback only, bounded in time.
#
#   make bench                      # everything, default sizes (about 15-25 minutes)
#   BENCH_QUICK=1 make bench        # smaller data sets, a few minutes
#   BENCH_PG_URL=postgresql://... make bench   # use that server instead of a throwaway cluster
#   BENCH_COVERAGE_10X=1 make bench            # also coverage at 10 M check-ins (PostgreSQL)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
mkdir -p bench/out
# Each benchmark with a target appends a row here; the table at the end prints them all.
export BENCH_TARGETS=$PWD/bench/out/targets.tsv
: >"$BENCH_TARGETS"

quick=${BENCH_QUICK:-}
scale_args=(); rows=100000; grids=200; duration=10
if [ -n "$quick" ]; then scale_args=(--scale 0.1); rows=20000; grids=50; duration=5; fi

pg_base=${BENCH_PG_URL:-}
started_cluster=
if [ -z "$pg_base" ] && .ci/pg-cluster.sh bindir >/dev/null 2>&1; then
  .ci/pg-cluster.sh start >/dev/null
  started_cluster=1
  pg_base=$(.ci/pg-cluster.sh url)
fi
cleanup() { [ -n "$started_cluster" ] && .ci/pg-cluster.sh stop >/dev/null 2>&1 || true; }
trap cleanup EXIT

pg_db() {  # a scratch database next to the base URL's
  local name=$1
  psql "$pg_base" -qc "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null
  echo "${pg_base%/*}/$name"
}

section() { printf '\n=== %s ===\n' "$*"; }

section "fixed toll (GET /healthz vs a bare Flask GET /ping, gunicorn -w 2 --threads 4, 64 connections)"
$PY bench/fixed_toll.py --duration "$duration"

section "check-in load (POST /checkins vs bare /ping and a bare read-one-insert-one, 16 and 64 connections)"
if [ -n "$pg_base" ]; then
  $PY bench/checkin_load.py --duration "$duration" --pg "$pg_base"
else
  $PY bench/checkin_load.py --duration "$duration"
fi

section "write cost of each index on checkins"
if [ -n "$pg_base" ]; then
  $PY bench/checkin_indexes.py --rows "$([ -n "$quick" ] && echo 5000 || echo 20000)" --pg "$pg_base"
else
  $PY bench/checkin_indexes.py --rows "$([ -n "$quick" ] && echo 5000 || echo 20000)"
fi

section "public quiz: page weight, POST /quiz-responses vs GET /healthz (SQLite)"
$PY bench/quiz_load.py --duration "$duration"

section "page weight: bytes transferred on a first visit, nginx + gunicorn, Chromium (demo district, SQLite)"
$PY bench/page_weight.py

section "ledger export: peak memory against the data, a month and a year (SQLite)"
$PY bench/generate_district.py --database-url sqlite:///bench/out/ledger-district.db --scale 0.1
$PY bench/ledger_export.py --database-url sqlite:///bench/out/ledger-district.db

# Coverage over the last whole month, and over this month so far (the dashboard's default: a
# day or two on the 1st); ratios to the bare per-grid site query measured in the same run. BENCH_COVERAGE_10X=1 adds the district at ten times the
# data on PostgreSQL (10 M check-ins: about 5 minutes to load on a quiet 2-core machine, 35 on a busy one).
month_first=$(date -d "$(date +%Y-%m-01) -1 month" +%F)
month_last=$(date -d "$(date +%Y-%m-01) -1 day" +%F)
coverage_period=(--from "$month_first" --to "$month_last" --repeats 15)
section "coverage on a generated district (SQLite)"
$PY bench/generate_district.py --database-url sqlite:///bench/out/district.db "${scale_args[@]}"
$PY bench/coverage_bench.py --database-url sqlite:///bench/out/district.db "${coverage_period[@]}"
$PY bench/coverage_bench.py --database-url sqlite:///bench/out/district.db --repeats 15
section "coverage roll-ups kept in Redis: computed after a write, and kept (SQLite)"
$PY bench/rollup_cache.py --database-url sqlite:///bench/out/district.db
if [ -n "$pg_base" ]; then
  section "coverage on a generated district (PostgreSQL)"
  url=$(pg_db gridreach_bench_coverage)
  $PY bench/generate_district.py --database-url "$url" "${scale_args[@]}"
  $PY bench/coverage_bench.py --database-url "$url" "${coverage_period[@]}"
  $PY bench/coverage_bench.py --database-url "$url" --repeats 15
  if [ -n "${BENCH_COVERAGE_10X:-}" ]; then
    section "coverage at ten times the data (PostgreSQL)"
    url=$(pg_db gridreach_bench_coverage10)
    $PY bench/generate_district.py --database-url "$url" --scale 10
    $PY bench/coverage_bench.py --database-url "$url" "${coverage_period[@]}" --target 3
  fi
  section "coverage roll-ups kept in Redis: computed after a write, and kept (PostgreSQL)"
  $PY bench/rollup_cache.py --database-url "$(pg_db gridreach_bench_coverage)"
  section "monthly partitions: coverage and check-ins, partitioned against plain tables (PostgreSQL)"
  $PY bench/partitions_bench.py --pg "$pg_base" "${scale_args[@]}" --duration "$duration" \
    --connections 16,64
fi

if [ -n "$pg_base" ]; then
  section "PgBouncer (transaction pooling) in front of PostgreSQL: check-ins direct vs through it"
  $PY bench/city_pgbouncer.py --duration "$duration" --connections 16,64
fi

section "household import, $rows rows (CSV, XLSX)"
$PY bench/import_households.py --rows "$rows"
[ -n "$pg_base" ] && $PY bench/import_households.py "$(pg_db gridreach_bench_import)" --rows "$rows"

section "people import, 10000 rows (CSV, XLSX): create, update, HTTP + worker"
$PY bench/import_people.py --rows 10000
[ -n "$pg_base" ] && $PY bench/import_people.py "$(pg_db gridreach_bench_people)" --rows 10000

section "people list for assignment at 2,000 people: page weight and time in Chromium vs the login page"
$PY bench/assignment_list.py --people 2000 --repeats "$([ -n "$quick" ] && echo 2 || echo 5)"
[ -n "$pg_base" ] && $PY bench/assignment_list.py "$(pg_db gridreach_bench_assign)" --people 2000 --repeats "$([ -n "$quick" ] && echo 2 || echo 5)"

section "hostile import files: peak memory and time to answer against a small import"
$PY bench/import_bombs.py
[ -n "$pg_base" ] && $PY bench/import_bombs.py --database-url "$(pg_db gridreach_bench_bombs)"

section "campaign fan-out, task progress, monthly roll, zeroing board ($grids grids)"
$PY bench/tasks_progress.py --grids "$grids"
$PY bench/photo_upload.py --uploads "$([ -n "$quick" ] && echo 2 || echo 8)"
[ -n "$pg_base" ] && $PY bench/tasks_progress.py "$(pg_db gridreach_bench_tasks)" --grids "$grids"

section "notification sender vs a bare insert+select loop"
$PY bench/notify_sender.py --count "$([ -n "$quick" ] && echo 500 || echo 2000)"
[ -n "$pg_base" ] && $PY bench/notify_sender.py "$(pg_db gridreach_bench_notify)" --count "$([ -n "$quick" ] && echo 500 || echo 2000)"

section "boundary import: checking, converting and simplifying GeoJSON rings (CPU only)"
$PY bench/boundaries.py

section "targets (issue: fast at a district, ready for a city), each measured against its baseline in the same run"
$PY - "$BENCH_TARGETS" <<'TABLE'
import sys

rows = [("what", "measured", "target", "verdict")]
rows += [tuple(line.rstrip("\n").split("\t")) for line in open(sys.argv[1], encoding="utf-8")]
widths = [max(len(row[i]) for row in rows) for i in range(4)]
for row in rows:
    print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
TABLE
echo
echo "done"
