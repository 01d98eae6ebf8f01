"""The fixed toll: what every GridReach request pays, as GET /healthz against a bare Flask app's
GET /ping (bench/bare_app.py), both measured in the same run.

    .venv/bin/python bench/fixed_toll.py                    # in process, then over HTTP
    .venv/bin/python bench/fixed_toll.py --profile 25       # and the 25 costliest functions
    .venv/bin/python bench/fixed_toll.py --duration 10 --connections 64 --rounds 4

In process: each app's WSGI callable is called directly (no HTTP, no test client) in
alternating rounds; the median time per request of each, and their ratio. With --profile, a
cProfile of /healthz by own time, to see what is left.

Over HTTP: GridReach (production settings, a fresh SQLite file it never needs to open for
/healthz) and the bare app, each under gunicorn with the same settings (--gunicorn-workers 2,
gthread, --threads 4), on loopback ports; wrk (Debian: apt-get install wrk), or
bench/loadgen.py without it, runs /ping and /healthz in alternating slices of --duration /
--rounds seconds. Prints req/s, p50, p99 of each and the ratio /ping / /healthz (the target:
at most 1.5). The machine may be shared: only the ratio of one run means anything.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import targets  # noqa: E402
from bench.checkin_load import free_port, line, server_env, start_gunicorn, stop, wrk  # noqa: E402
from bench.loadgen import run_load  # noqa: E402


def _environ(path: str) -> dict:
    from werkzeug.test import EnvironBuilder

    builder = EnvironBuilder(
        path=path, headers={"Host": "127.0.0.1:8000", "User-Agent": "fixed-toll"}
    )
    return builder.get_environ()


def _calls(wsgi, environ: dict, n: int) -> float:
    """Seconds per request over n calls of the WSGI callable."""

    def start_response(*_args):
        return None

    started = time.perf_counter()
    for _ in range(n):
        for _chunk in wsgi(dict(environ), start_response):
            pass
    return (time.perf_counter() - started) / n


def in_process(url: str, rounds: int, calls: int, profile: int) -> dict:
    os.environ.update(server_env(url))
    from app import create_app
    from bench.bare_app import create_app as create_bare

    ours, bare = create_app().wsgi_app, create_bare().wsgi_app
    health, ping = _environ("/healthz"), _environ("/ping")
    _calls(ours, health, 500), _calls(bare, ping, 500)  # warm up
    ours_s, bare_s = [], []
    for _ in range(rounds):
        bare_s.append(_calls(bare, ping, calls))
        ours_s.append(_calls(ours, health, calls))
    result = {
        "healthz_us": statistics.median(ours_s) * 1e6,
        "ping_us": statistics.median(bare_s) * 1e6,
    }
    result["ratio"] = result["healthz_us"] / result["ping_us"]
    print(
        f"  in process (WSGI call, median of {rounds} rounds of {calls}):"
        f" /healthz {result['healthz_us']:.1f} us, /ping {result['ping_us']:.1f} us,"
        f" /healthz takes {result['ratio']:.2f} x /ping"
    )
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        _calls(ours, health, calls)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(profile)
        print(out.getvalue())
    return result


def over_http(url: str, args) -> dict:
    ours_port, bare_port = free_port(), free_port()
    ours = start_gunicorn(url, ours_port, args)
    bare = start_gunicorn(url, bare_port, args, app="bench.bare_app:create_app()", probe="/ping")
    use_wrk = shutil.which("wrk") is not None and not args.loadgen
    results = {}
    try:
        print(
            f"  over HTTP: gunicorn {args.gunicorn_workers} x gthread ({args.threads} threads)"
            f" for each; {'wrk' if use_wrk else 'bench/loadgen.py'}; load average"
            f" {os.getloadavg()[0]:.1f}"
        )
        for connections in args.connections:
            runs = {"ping": [], "healthz": []}
            slice_s = max(1, round(args.duration / args.rounds))
            for _ in range(args.rounds):
                for name, port, path in (
                    ("ping", bare_port, "/ping"),
                    ("healthz", ours_port, "/healthz"),
                ):
                    runs[name].append(_load(port, path, connections, slice_s, use_wrk))
            merged = {name: _merge(found, slice_s) for name, found in runs.items()}
            ratio = (
                merged["ping"]["rps"] / merged["healthz"]["rps"] if merged["healthz"]["rps"] else 0
            )
            results[connections] = {**merged, "ratio": ratio}
            print(f"  {connections} connections")
            print(line("GET /ping (bare)", merged["ping"]))
            print(line("GET /healthz", merged["healthz"]))
            print(f"  {'ratio':<18} /ping / /healthz = {ratio:.2f}  (target <= 1.5)")
            targets.record(
                f"fixed toll: bare /ping ÷ /healthz, {connections} connections",
                f"{ratio:.2f}",
                "≤ 1.5",
                0 < ratio <= 1.5,
            )
    finally:
        stop(ours)
        stop(bare)
    return results


def _load(port: int, path: str, connections: int, seconds: int, use_wrk: bool) -> dict:
    if use_wrk:
        return wrk(f"http://127.0.0.1:{port}{path}", connections, seconds)
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    return run_load("127.0.0.1", port, lambda: request, connections, seconds).summary()


def _merge(runs: list[dict], slice_s: int) -> dict:
    return {
        "rps": sum(r["requests"] for r in runs) / (slice_s * len(runs)),
        "p50_ms": statistics.median(r["p50_ms"] for r in runs),
        "p99_ms": max(r["p99_ms"] for r in runs),
        "ok": sum(r["ok"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds of each, per count")
    parser.add_argument("--rounds", type=int, default=4, help="alternating slices")
    parser.add_argument("--connections", default="64", help="comma-separated connection counts")
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--calls", type=int, default=3000, help="WSGI calls per in-process round")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print N functions")
    parser.add_argument("--loadgen", action="store_true", help="bench/loadgen.py even with wrk")
    parser.add_argument("--no-http", action="store_true", help="in process only")
    args = parser.parse_args()
    args.connections = [int(c) for c in args.connections.split(",")]
    args.worker_class = "gthread"
    folder = Path(tempfile.mkdtemp(prefix="gridreach-toll-"))
    url = f"sqlite:///{folder / 'toll.db'}"
    try:
        print("== the fixed toll: GridReach GET /healthz against a bare Flask GET /ping")
        in_process(url, 7, args.calls, args.profile)
        if not args.no_http:
            over_http(url, args)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
