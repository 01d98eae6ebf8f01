"""What one POST /checkins costs in process: no server, no network, no load generator, so the
figure holds on a busy machine where wrk's would not. The same WSGI calls go to bench/bare_app.py's
POST /read-insert (read one row, insert one) in the same run, as the baseline.

    .venv/bin/python bench/checkin_cost.py                         # SQLite: a fresh file database
    .venv/bin/python bench/checkin_cost.py --pg postgresql://USER@127.0.0.1:PORT/DBNAME
    .venv/bin/python bench/checkin_cost.py -n 2000 --profile 25    # and the 25 costliest calls

For each database: a fresh schema seeded as bench/checkin_load.py seeds it (in a child process),
then in this process N check-ins (a random worker, a random site, a fix within ~25 m, a fresh
client_id) through the app's WSGI callable with a bearer token, after a warm-up, and N calls of
the bare app's /read-insert. It prints the median and mean milliseconds per call of each, their
ratio, this process's CPU milliseconds per call of each (what a busy machine disturbs least), and
the statements (SELECT/INSERT/UPDATE/DELETE, and all others) sent per check-in.
PostgreSQL: a new database next to the one named, dropped afterwards.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.checkin_load import seed, server_env  # noqa: E402


def _bodies(plan: dict, n: int, seed_value: int, bare: bool = False) -> list[tuple[str, bytes]]:
    rng = random.Random(seed_value)
    out = []
    for _ in range(n):
        i = rng.randrange(len(plan["sites"]))
        site = plan["sites"][i]
        body = {
            **({"site_id": plan["site_ids"][i]} if bare else {"token": site["token"]}),
            "lat": site["lat"] + (rng.random() - 0.5) * 0.0004,
            "lng": site["lng"] + (rng.random() - 0.5) * 0.0004,
            "accuracy_m": rng.randint(5, 40),
            "client_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "captured_at": datetime.now(UTC).isoformat(),
        }
        out.append((rng.choice(plan["bearers"]), json.dumps(body).encode()))
    return out


def _caller(app, path: str):
    """A function making one WSGI POST of a body with a bearer token; returns the status."""

    def call(bearer: str, body: bytes) -> int:
        environ = {
            "REQUEST_METHOD": "POST",
            "SCRIPT_NAME": "",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1:8000",
            "HTTP_AUTHORIZATION": f"Bearer {bearer}",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        status = []
        chunks = app(environ, lambda s, h, e=None: status.append(s))
        for _ in chunks:
            pass
        getattr(chunks, "close", lambda: None)()
        return int(status[0].split()[0])

    return call


def _time(call, requests, cpu: list | None = None) -> list[float]:
    """Wall milliseconds of each call; `cpu` gets this process's CPU milliseconds per call."""
    times, started = [], time.process_time()
    for bearer, body in requests:
        start = time.perf_counter()
        status = call(bearer, body)
        times.append((time.perf_counter() - start) * 1000)
        if status >= 300:
            raise SystemExit(f"unexpected status {status}")
    if cpu is not None:
        cpu.append((time.process_time() - started) * 1000 / len(requests))
    return times


def measure(url: str, n: int, profile: int) -> dict:
    os.environ.update(server_env(url))  # the settings bench/checkin_load.py's servers run with
    plan = seed(url, 200, 40)
    from sqlalchemy import event

    from app import create_app
    from app.extensions import db
    from bench import bare_app
    from config import ProductionConfig

    app = create_app(ProductionConfig)
    bare = bare_app.create_app()
    checkin, read_insert = _caller(app, "/api/v1/checkins"), _caller(bare, "/read-insert")
    warm = max(50, n // 10)
    _time(checkin, _bodies(plan, warm, 2))
    _time(read_insert, _bodies(plan, warm, 3, bare=True))
    counts = {"rows": 0, "all": 0}
    with app.app_context():
        engine = db.engine

    def count(_conn, _cursor, statement, *_args):
        if os.environ.get("CHECKIN_COST_SHOW"):
            print(" ".join(statement.split())[:70], file=sys.stderr)
        counts["all"] += 1
        counts["rows"] += statement.lstrip()[:6].upper() in ("SELECT", "INSERT", "UPDATE", "DELETE")

    event.listen(engine, "before_cursor_execute", count)
    counted = _bodies(plan, 20, 4)
    _time(checkin, counted)
    event.remove(engine, "before_cursor_execute", count)
    cpu: list[float] = []
    ours = _time(checkin, _bodies(plan, n, 5), cpu)
    bare_times = _time(read_insert, _bodies(plan, n, 6, bare=True), cpu)
    result = {
        "engine": url.split(":", 1)[0],
        "checkin_ms_median": round(statistics.median(ours), 3),
        "checkin_ms_mean": round(statistics.fmean(ours), 3),
        "bare_ms_median": round(statistics.median(bare_times), 3),
        "ratio_median": round(statistics.median(ours) / statistics.median(bare_times), 2),
        # this process's CPU time per call (the database server's, on PostgreSQL, not included):
        # the least disturbed by other work on the machine
        "checkin_cpu_ms": round(cpu[0], 3),
        "bare_cpu_ms": round(cpu[1], 3),
        "statements_rows": counts["rows"] / len(counted),
        "statements_all": counts["all"] / len(counted),
    }
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        _time(checkin, _bodies(plan, n, 7))
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(profile)
        out.write("\n")
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(profile)
        print(out.getvalue())
        if os.environ.get("CHECKIN_COST_PSTATS"):
            profiler.dump_stats(os.environ["CHECKIN_COST_PSTATS"])
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return result


def _pg_database(url: str):
    """A fresh database next to the one `url` names: (its url, a function dropping it)."""
    import sqlalchemy as sa

    name = "checkin_cost_" + uuid.uuid4().hex[:8]
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    fresh = sa.engine.make_url(url).set(database=name).render_as_string(hide_password=False)

    def drop():
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return fresh, drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", help="a PostgreSQL URL (a new database is made next to it)")
    parser.add_argument("-n", type=int, default=1000, help="timed calls of each (default 1000)")
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions")
    args = parser.parse_args()
    if args.pg:
        url, drop = _pg_database(args.pg)
        try:
            result = measure(url, args.n, args.profile)
        finally:
            drop()
    else:
        with tempfile.TemporaryDirectory() as tmp:
            result = measure(f"sqlite:///{tmp}/checkin_cost.db", args.n, args.profile)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
