#!/usr/bin/env bash
# Failed-login limits across gunicorn workers: 40 wrong passwords for one account against
# `gunicorn -w 4`, counted in Redis and then in each worker's memory. Prints how many answers
# were 401 and 429 for each storage; asserts nothing. Needs redis-server; loopback only.
#
#   bash bench/login_limits_workers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v redis-server >/dev/null || { echo "redis-server is not installed"; exit 1; }

scratch=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$scratch"; }
trap cleanup EXIT

free_port() { .venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

export GRIDREACH_ENV=production SECRET_KEY=bench-only-secret-key SESSION_COOKIE_SECURE=0
export DATABASE_URL="sqlite:///$scratch/bench.db"
.venv/bin/flask --app app db upgrade >/dev/null 2>&1

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >/dev/null &
pids+=($!)

run() {  # storage URI
    local port pid codes=""
    port=$(free_port)
    RATELIMIT_STORAGE_URI=$1 .venv/bin/gunicorn -w 4 -b "127.0.0.1:$port" 'app:create_app()' \
        >"$scratch/gunicorn.log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
    for _ in $(seq 40); do
        codes+=$(curl -s -o /dev/null -w '%{http_code}\n' -H 'Content-Type: application/json' \
            -d '{"username": "bench-ghost", "password": "Wrong-Password-0"}' \
            "http://127.0.0.1:$port/api/v1/auth/token")$'\n'
    done
    kill "$pid"; wait "$pid" 2>/dev/null || true
    printf '%-28s %s\n' "$1" "$(sort <<<"${codes%$'\n'}" | uniq -c | awk '{printf "%s x %s  ", $1, $2}')"
}

echo "40 wrong passwords for one account, gunicorn -w 4, limit ${LOGIN_FAILURES_PER_ACCOUNT:-10 per 15 minutes}:"
run "redis://127.0.0.1:$redis_port/0"
run "memory://"
