"""Monthly partitions on PostgreSQL: coverage time and check-in write rate, partitioned against
plain tables holding the same district, measured in the same run.

    .venv/bin/python bench/partitions_bench.py --pg postgresql://USER@127.0.0.1:PORT/DBNAME
    .venv/bin/python bench/partitions_bench.py --pg URL --scale 1 --repeats 15 --duration 20

Makes a district (bench/generate_district.py, scale 1 = 1,000 grids, 1 M check-ins over a year,
500 k visits) in a new database next to the one named, copies it (CREATE DATABASE ... TEMPLATE)
and partitions the copy's checkins and visits as the migration does (timed). Then:
- coverage.compute for the district this month, the district last month (a whole month) and the
  first street this month, and the bare per-grid site query (bench/coverage_bench.py), on each
  database in alternating rounds: medians, and partitioned / plain;
- POST /api/v1/checkins against gunicorn on each database (both running; alternating slices of
  --duration/--rounds seconds, bench/loadgen.py), grid workers checking in at their grids' sites
  with fresh client_ids: req/s and p99, and partitioned / plain.
Both databases run the same code (client_id kept unique by idempotency_keys). Dropped at the end.
The machine may be shared: the ratios from one run are the figures, not the milliseconds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.checkin_load import child, free_port, server_env, start_gunicorn, stop  # noqa: E402
from bench.coverage_bench import baseline_query  # noqa: E402
from bench.loadgen import Run, run_load  # noqa: E402


def admin_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def create_database(url: str, name: str, template: str | None = None) -> str:
    import psycopg

    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return f"{url.rpartition('/')[0]}/{name}"


def drop_database(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _app():
    from app import create_app
    from config import ProductionConfig

    return create_app(ProductionConfig)


def printed(function: str, *args) -> None:
    """(In a child) print what this module's `function` returns, as JSON, for `child`."""
    print(json.dumps(globals()[function](*args)))


def partition_here() -> dict:
    """(In the child) partition checkins and visits as the migration does; seconds taken."""
    from sqlalchemy import text

    from app.extensions import db
    from app.services import partitions

    with _app().app_context():
        connection = db.session.connection()
        started = time.perf_counter()
        for table, kind in (("checkins", "checkin"), ("visits", "visit")):
            connection.execute(
                text(
                    "INSERT INTO idempotency_keys (kind, client_id, user_id, record_id, created_at)"
                    f" SELECT :kind, client_id, user_id, id, received_at FROM {table}"
                ),
                {"kind": kind},
            )
            partitions.partition_table(connection, table)
        db.session.commit()
        seconds = time.perf_counter() - started
        names = partitions.partitions_of(db.session.connection(), "checkins")
        db.session.commit()
    return {"seconds": seconds, "partitions": len(names)}


def plan_here(n_workers: int) -> dict:
    """(In the child) bearer tokens of grid workers, and their grids' sites (tokens, pins)."""
    from sqlalchemy import select

    from app import qr
    from app.extensions import db
    from app.models import Site, User
    from app.models.user import user_grids
    from app.services.auth import issue_token

    with _app().app_context():
        rows = db.session.execute(
            select(User, user_grids.c.area_id)
            .join(user_grids, user_grids.c.user_id == User.id)
            .where(User.role == "worker")
            .order_by(User.id)
            .limit(n_workers)
        ).all()
        pairs = []
        for user, grid_id in rows:
            bearer = issue_token(user)[0]
            for site in db.session.scalars(select(Site).where(Site.area_id == grid_id).limit(5)):
                pairs.append([bearer, qr.site_token(site), site.lat, site.lng])
        db.session.commit()
    return {"pairs": pairs}


def checkin_request(pairs: list, port: int):
    rng = random.Random()
    host = f"127.0.0.1:{port}".encode()

    def make() -> bytes:
        bearer, token, lat, lng = rng.choice(pairs)
        body = json.dumps(
            {
                "token": token,
                "lat": lat + (rng.random() - 0.5) * 0.0002,
                "lng": lng + (rng.random() - 0.5) * 0.0002,
                "accuracy_m": rng.randint(5, 40),
                "client_id": str(uuid.uuid4()),
                "captured_at": datetime.now(UTC).isoformat(),
            }
        ).encode()
        return (
            b"POST /api/v1/checkins HTTP/1.1\r\nHost: "
            + host
            + b"\r\nAuthorization: Bearer "
            + bearer.encode()
            + b"\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(body)).encode()
            + b"\r\n\r\n"
            + body
        )

    return make


def coverage_times(urls: dict[str, str], repeats: int) -> dict:
    """Medians (ms) of each coverage call on each database, in alternating rounds."""
    from sqlalchemy import select

    from app import create_app
    from app.extensions import db
    from app.models import Area, User
    from app.services import coverage
    from app.services.localtime import today
    from config import ProductionConfig

    apps = {}
    for label, url in urls.items():
        config = type(
            f"{label}Config",
            (ProductionConfig,),
            {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"},
        )
        apps[label] = create_app(config)
    day = today()
    this_month = coverage.Period(day.replace(day=1), day)
    last = day.replace(day=1) - timedelta(days=1)
    last_month = coverage.Period(last.replace(day=1), last)

    def runs():
        street = db.session.scalar(
            select(Area).where(Area.level == "street").order_by(Area.id).limit(1)
        )
        admin = db.session.scalar(select(User).where(User.role == "admin").limit(1))
        assert admin is not None
        return [
            (
                "bare per-grid site query",
                lambda: db.session.execute(baseline_query(this_month)).all(),
            ),
            ("district, this month", lambda: coverage.compute(None, this_month)),
            ("district, last month", lambda: coverage.compute(None, last_month)),
            ("a street, this month", lambda: coverage.compute(street, this_month)),
        ]

    times: dict[tuple[str, str], list[float]] = {}
    answers: dict[tuple[str, str], object] = {}
    for round_ in range(repeats + 2):  # two warm-up rounds
        for label, app in apps.items():
            with app.app_context():
                for what, run in runs():
                    db.session.expire_all()
                    started = time.perf_counter()
                    answer = run()
                    elapsed = (time.perf_counter() - started) * 1000
                    if round_ >= 2:
                        times.setdefault((what, label), []).append(elapsed)
                    answers[(what, label)] = answer
                db.session.remove()
    for app in apps.values():
        with app.app_context():
            db.engine.dispose()
    same = all(
        _comparable(answers[(what, "plain")]) == _comparable(answers[(what, "partitioned")])
        for what, _label in answers
    )
    return {
        "medians": {f"{w}|{lbl}": statistics.median(v) for (w, lbl), v in times.items()},
        "same_answers": same,
    }


def _comparable(answer):
    return sorted(map(tuple, answer)) if isinstance(answer, list) else answer


def write_rates(urls: dict[str, str], plans: dict, args) -> dict:
    servers, ports = {}, {}
    gunicorn_args = argparse.Namespace(
        gunicorn_workers=args.gunicorn_workers, worker_class="gthread", threads=args.threads
    )
    try:
        for label, url in urls.items():
            ports[label] = free_port()
            servers[label] = start_gunicorn(url, ports[label], gunicorn_args)
        results = {}
        for connections in args.connections:
            merged = {label: Run() for label in urls}
            slice_s = max(1, round(args.duration / args.rounds))
            for _ in range(args.rounds):
                for label in urls:
                    make = checkin_request(plans[label]["pairs"], ports[label])
                    run = run_load("127.0.0.1", ports[label], make, connections, slice_s)
                    merged[label].latencies += run.latencies
                    merged[label].statuses.update(run.statuses)
                    merged[label].socket_errors += run.socket_errors
                    merged[label].wall_s += run.wall_s
                    merged[label].cpu_s += run.cpu_s
            results[connections] = {label: merged[label].summary() for label in urls}
        return results
    finally:
        for server in servers.values():
            stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--pg", required=True, help="a PostgreSQL URL; databases are made beside it"
    )
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument(
        "--duration", type=int, default=20, help="seconds of check-ins per database"
    )
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--connections", default="16", help="comma-separated connection counts")
    parser.add_argument("--workers", type=int, default=50, help="grid workers sending check-ins")
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    args.connections = [int(c) for c in args.connections.split(",")]

    tag = uuid.uuid4().hex[:8]
    names = {"plain": f"gridreach_plain_{tag}", "partitioned": f"gridreach_parts_{tag}"}
    urls = {}
    try:
        urls["plain"] = create_database(args.pg, names["plain"])
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "generate_district.py"),
                "--database-url",
                urls["plain"],
                "--scale",
                str(args.scale),
            ],
            cwd=ROOT,
            check=True,
            env=server_env(urls["plain"]),
        )
        print(f"district generated in {time.perf_counter() - started:.0f} s", flush=True)
        urls["partitioned"] = create_database(args.pg, names["partitioned"], names["plain"])
        converted = child(urls["partitioned"], "partitions_bench", "printed", "partition_here")
        print(
            f"partitioned the copy (checkins and visits, as the migration does) in "
            f"{converted['seconds']:.1f} s: {converted['partitions']} partitions of checkins",
            flush=True,
        )
        for url in urls.values():
            subprocess.run(["psql", admin_url(url), "-qc", "VACUUM ANALYZE"], check=True)

        figures = coverage_times(urls, args.repeats)
        print(f"\ncoverage, medians of {args.repeats} alternating rounds (ms)")
        print(f"  {'what':<28}{'plain':>10}{'partitioned':>13}{'part/plain':>12}")
        medians = figures["medians"]
        for what in dict.fromkeys(key.split("|")[0] for key in medians):
            plain, part = medians[f"{what}|plain"], medians[f"{what}|partitioned"]
            print(f"  {what:<28}{plain:>10.1f}{part:>13.1f}{part / plain:>12.2f}")
        print(f"  same answers on both: {figures['same_answers']}")

        plans = {
            label: child(url, "partitions_bench", "printed", "plan_here", args.workers)
            for label, url in urls.items()
        }
        rates = write_rates(urls, plans, args)
        print(
            f"\nPOST /api/v1/checkins, {args.duration} s per database in {args.rounds} slices each"
        )
        for connections, by_label in rates.items():
            plain, part = by_label["plain"], by_label["partitioned"]
            for label, r in by_label.items():
                print(
                    f"  {connections:>3} conn  {label:<12}{r['rps']:>8.1f} req/s   p50 {r['p50_ms']:>7.1f} ms"
                    f"   p99 {r['p99_ms']:>7.1f} ms   2xx {r['ok']:>6}   errors {r['errors']}"
                )
            ratio = part["rps"] / plain["rps"] if plain["rps"] else float("nan")
            print(f"  {connections:>3} conn  partitioned / plain req/s = {ratio:.2f}")
        print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        for name in names.values():
            drop_database(args.pg, name)


if __name__ == "__main__":
    main()
