"""Load test: POST /checkins against gunicorn on 127.0.0.1, with bare baselines measured in the
same run on the same gunicorn settings.

    .venv/bin/python bench/checkin_load.py                        # SQLite: a fresh file database
    .venv/bin/python bench/checkin_load.py --pg postgresql://USER@127.0.0.1:PORT/DBNAME
    .venv/bin/python bench/checkin_load.py --pg URL --no-sqlite --duration 10 --connections 16,64

For each database: a fresh schema (SQLite: a new file; PostgreSQL: a new database created next
to the one named, dropped afterwards), seeded through the app's own services (areas, sites,
workers, bearer tokens, signed site codes); then gunicorn (2 workers) serving GridReach, and
gunicorn with the same settings serving bench/bare_app.py, on free loopback ports. For each
connection count, --duration seconds of each, in alternating slices:

- GET /ping of the bare app with wrk: what any Flask request costs (the baseline);
- GET /healthz of GridReach with wrk: the fixed toll of every request;
- POST /read-insert of the bare app with our generator: the least a check-in could cost (read
  the site, insert one row);
- POST /checkins with wrk (bench/checkins.lua): a random worker, a random site, a fix within
  ~25 m, a fresh client_id per request, made by the same generator as the /ping it is compared
  with (the figure the targets are read from);
- POST /checkins with our own generator (bench/loadgen.py), the same requests: it waits for the
  answers still in flight when the time is up (wrk abandons them), so that every answer is
  counted; in Python, it takes a share of the machine that wrk does not.

It prints req/s, p50, p99 and errors, each rate as a fraction of the bare /ping's, and at the
end checks that the rows in the database are exactly the check-ins answered 2xx (ours by their
client_ids; wrk's by count, those it abandoned in flight being stored but not answered). The
targets (issue 15): check-ins at 64 connections at least 1/10 of /ping on SQLite and 1/15 on
PostgreSQL; p99 under 150 ms at 16 connections. Loopback only, bounded in time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import targets  # noqa: E402
from bench.loadgen import Run, run_load  # noqa: E402

LUA = Path(__file__).resolve().parent / "healthz.lua"
CHECKINS_LUA = Path(__file__).resolve().parent / "checkins.lua"
SECRET = "bench-" + uuid.uuid4().hex
PUBLIC_BASE_URL = "https://gridreach.example"


def server_env(url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    env.update(
        DATABASE_URL=url,
        SECRET_KEY=SECRET,
        PUBLIC_BASE_URL=PUBLIC_BASE_URL,
        GRIDREACH_ENV="production",
        SESSION_COOKIE_SECURE="0",
        LOG_LEVEL="WARNING",
    )  # no request line per check-in on the terminal (as measured before)
    return env


def child(url: str, module: str, function: str, *args, timeout: int = 900):
    """Run bench.<module>.<function>(*args) in a child process with DATABASE_URL=url (so that
    nothing of it stays open here); the JSON its last printed line holds."""
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r}); import bench.{module} as m; "
        f"m.{function}(*{args!r})"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=server_env(url),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def seed(url: str, n_sites: int, n_workers: int) -> dict:
    """Build the schema and seed it through the services, in a child."""
    return child(url, "checkin_load", "_seed_here", n_sites, n_workers, timeout=600)


def _seed_here(n_sites: int, n_workers: int) -> None:
    """(In the child) one street, one community, ten grids, sites spread over them, workers with tokens."""
    from app import create_app, qr
    from app.extensions import db
    from app.services import areas, sites, users
    from app.services.auth import issue_token
    from config import ProductionConfig

    app = create_app(ProductionConfig)
    with app.app_context():
        db.drop_all()
        db.create_all()
        admin = users.build_user(
            {"username": "bench-admin", "password": "Bench-load-2024!", "role": "admin"}
        )
        street = areas.create_area(admin, {"name": "压测街道", "level": "street"})
        community = areas.create_area(
            admin, {"name": "压测社区", "level": "community", "parent_id": street.id}
        )
        grids = [
            areas.create_area(
                admin, {"name": f"网格{i}", "level": "grid", "parent_id": community.id}
            )
            for i in range(10)
        ]
        placed = [
            sites.create_site(
                admin,
                {
                    "name": f"点位{i}",
                    "kind": "board",
                    "area_id": grids[i % 10].id,
                    "lat": 29.85 + (i % 40) * 0.003,
                    "lng": 121.50 + (i // 40) * 0.003,
                    "radius_m": 100,
                },
            )
            for i in range(n_sites)
        ]
        workers = [
            users.build_user(
                {
                    "username": f"bench-w{i}",
                    "password": "Bench-load-2024!",
                    "role": "worker",
                    "area_id": community.id,
                    "grid_ids": [grids[i % 10].id],
                }
            )
            for i in range(n_workers)
        ]
        bearers = [issue_token(w)[0] for w in workers]
        plan = {
            "sites": [{"token": qr.site_token(s), "lat": s.lat, "lng": s.lng} for s in placed],
            "site_ids": [s.id for s in placed],
            "bearers": bearers,
        }
        db.session.commit()
    from bench.bare_app import create_tables

    create_tables(app.config["SQLALCHEMY_DATABASE_URI"])
    print(json.dumps(plan))


def checkin_request(plan: dict, port: int):
    """A function making one POST /checkins (random worker, random site, fresh client_id)."""
    rng = random.Random()
    sites, bearers = plan["sites"], plan["bearers"]
    host = f"127.0.0.1:{port}".encode()

    def make() -> bytes:
        site = rng.choice(sites)
        body = json.dumps(
            {
                "token": site["token"],
                "lat": site["lat"] + (rng.random() - 0.5) * 0.0004,
                "lng": site["lng"] + (rng.random() - 0.5) * 0.0004,
                "accuracy_m": rng.randint(5, 40),
                "client_id": str(uuid.uuid4()),
                "captured_at": datetime.now(UTC).isoformat(),
            }
        ).encode()
        return (
            b"POST /api/v1/checkins HTTP/1.1\r\nHost: "
            + host
            + b"\r\nAuthorization: Bearer "
            + rng.choice(bearers).encode()
            + b"\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(body)).encode()
            + b"\r\n\r\n"
            + body
        )

    return make


def read_insert_request(plan: dict, port: int):
    """A function making one POST /read-insert for the bare app (a random site, a fresh client_id)."""
    rng = random.Random()
    ids, sites = plan["site_ids"], plan["sites"]
    host = f"127.0.0.1:{port}".encode()

    def make() -> bytes:
        i = rng.randrange(len(ids))
        body = json.dumps(
            {
                "site_id": ids[i],
                "lat": sites[i]["lat"] + (rng.random() - 0.5) * 0.0004,
                "lng": sites[i]["lng"] + (rng.random() - 0.5) * 0.0004,
                "client_id": str(uuid.uuid4()),
                "captured_at": datetime.now(UTC).isoformat(),
            }
        ).encode()
        return (
            b"POST /read-insert HTTP/1.1\r\nHost: "
            + host
            + b"\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(body)).encode()
            + b"\r\n\r\n"
            + body
        )

    return make


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(
    url: str,
    port: int,
    args,
    app: str = "app:create_app()",
    probe: str = "/healthz",
    env: dict | None = None,
) -> subprocess.Popen:
    """gunicorn serving `app` (GridReach, or bench/bare_app.py's) with the run's settings (and
    `env` added to the server's environment)."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    threads = (
        args.threads if args.worker_class == "gthread" else 1
    )  # more than 1 turns sync into gthread
    cmd = [
        str(gunicorn),
        "--workers",
        str(args.gunicorn_workers),
        "--worker-class",
        args.worker_class,
        "--threads",
        str(threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--backlog",
        "2048",
        "--log-level",
        "warning",
        app,
    ]
    process = subprocess.Popen(
        cmd, env={**server_env(url), **(env or {})}, cwd=ROOT, start_new_session=True
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=1) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise SystemExit(f"gunicorn ({app}) did not answer {probe} within 30 s")


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def wrk(url: str, connections: int, duration: int, script: Path = LUA, *script_args) -> dict:
    """Run wrk and return the JSON summary its script (bench/healthz.lua's) prints."""
    cmd = [
        "wrk",
        "--threads",
        str(min(2, connections)),
        "--connections",
        str(connections),
        "--duration",
        f"{duration}s",
        "--timeout",
        "10s",
        "--script",
        str(script),
        url,
        *(("--", *script_args) if script_args else ()),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60, check=True)
    line = next(x for x in out.stdout.splitlines() if x.startswith("WRKJSON "))
    return json.loads(line[len("WRKJSON ") :])


def write_plan(plan: dict, folder: Path) -> Path:
    """The sites and bearer tokens for bench/checkins.lua, one per line."""
    path = folder / "checkins-plan.txt"
    lines = [f"site {s['token']} {s['lat']!r} {s['lng']!r}" for s in plan["sites"]]
    lines += [f"bearer {bearer}" for bearer in plan["bearers"]]
    path.write_text("\n".join(lines) + "\n")
    return path


def column_of(url: str, sql: str) -> list:
    """The first column of what `sql` answers, on a connection of its own (closed after)."""
    import sqlalchemy as sa

    from config import database_url

    engine = sa.create_engine(database_url(url, ""))
    with engine.connect() as conn:
        values = list(conn.execute(sa.text(sql)).scalars())
    engine.dispose()
    return values


def stored_rows(url: str, table: str = "checkins") -> int:
    """How many rows `table` holds."""
    return column_of(url, f"select count(*) from {table}")[0]


def settled_rows(url: str) -> int:
    """The checkins table's row count once it has stopped growing: requests wrk abandoned are
    still being answered (queued in the listen backlog) for a moment after it exits."""
    count = stored_rows(url)
    while True:
        time.sleep(0.5)
        again = stored_rows(url)
        if again == count:
            return count
        count = again


def stored_client_ids(url: str) -> list[str]:
    """Every client_id in the checkins table."""
    return column_of(url, "select client_id from checkins")


def line(name: str, r: dict) -> str:
    extra = f"   (generator CPU {r['loadgen_cpu']:.0%})" if "loadgen_cpu" in r else ""
    return (
        f"  {name:<18} {r['rps']:>8.1f} req/s   p50 {r['p50_ms']:>7.2f} ms   p99 {r['p99_ms']:>7.2f} ms"
        f"   2xx {r['ok']:>6}   errors {r['errors']}{extra}"
    )


def process_cpu(pids) -> float:
    """CPU seconds (user and system) the processes `pids` have used so far."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone since it was listed
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def workers_cpu(server: subprocess.Popen) -> float:
    """CPU seconds gunicorn's workers (the server's children) have used so far."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return process_cpu(children)


def postgres_cpu() -> float:
    """CPU seconds this machine's PostgreSQL processes have used so far (0 with none here)."""
    pids = [p.name for p in Path("/proc").iterdir() if p.name.isdigit()]
    found = []
    for pid in pids:
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() == "postgres":
                found.append(pid)
        except OSError:
            continue
    return process_cpu(found)


def measure(ports: dict, plan: dict, connections: int, args, stored: dict) -> dict:
    """The five loads in alternating slices, so that whatever else the machine does weighs on
    all alike; --duration seconds of each in all. `stored` gathers what the exactness check at
    the end needs: the client_ids our generator was answered 2xx, and the rows each wrk slice
    of check-ins added with the 2xx answers wrk counted."""
    slice_s = max(1, round(args.duration / args.rounds))
    wrk_runs = {"ping": [], "healthz": [], "checkins_wrk": []}
    ours = {"read_insert": Run(), "checkins": Run()}
    cpu = {"ping": 0.0, "checkin": 0.0, "postgres": 0.0, "pings": 0, "checkins": 0}
    app, bare = ports["servers"]["app"], ports["servers"]["bare"]
    for _ in range(args.rounds):
        started = workers_cpu(bare)
        wrk_runs["ping"].append(wrk(f"http://127.0.0.1:{ports['bare']}/ping", connections, slice_s))
        cpu["ping"] += workers_cpu(bare) - started
        cpu["pings"] += wrk_runs["ping"][-1]["requests"]
        wrk_runs["healthz"].append(
            wrk(f"http://127.0.0.1:{ports['app']}/healthz", connections, slice_s)
        )
        on_postgres = ports["url"].startswith("postgresql")
        before, started = stored_rows(ports["url"]), workers_cpu(app)
        database = postgres_cpu() if on_postgres else 0.0
        run = wrk(
            f"http://127.0.0.1:{ports['app']}", connections, slice_s, CHECKINS_LUA, ports["plan"]
        )
        wrk_runs["checkins_wrk"].append(run)
        added = settled_rows(ports["url"]) - before  # those wrk abandoned included: all were served
        cpu["checkin"] += workers_cpu(app) - started
        cpu["postgres"] += (postgres_cpu() if on_postgres else 0.0) - database
        cpu["checkins"] += added
        stored["wrk"].append((added, run["ok"], connections))
        for name, port, make in (
            ("read_insert", ports["bare"], read_insert_request(plan, ports["bare"])),
            ("checkins", ports["app"], checkin_request(plan, ports["app"])),
        ):
            run = run_load("127.0.0.1", port, make, connections, slice_s, keep_bodies=True)
            if name == "checkins":
                stored["ours"] += answered_ids(run)
            merged = ours[name]
            merged.latencies += run.latencies
            merged.statuses.update(run.statuses)
            merged.socket_errors += run.socket_errors
            merged.wall_s += run.wall_s
            merged.cpu_s += run.cpu_s
    figures = {name: _wrk_merged(runs, slice_s) for name, runs in wrk_runs.items()}
    figures.update({name: run.summary() for name, run in ours.items()})
    figures["cpu"] = {
        "ping_ms": 1000 * cpu["ping"] / max(1, cpu["pings"]),
        "checkin_ms": 1000 * cpu["checkin"] / max(1, cpu["checkins"]),
        "postgres_ms": 1000 * cpu["postgres"] / max(1, cpu["checkins"]),
    }
    return figures


def _wrk_merged(runs: list[dict], slice_s: int) -> dict:
    return {
        "rps": sum(r["requests"] for r in runs) / (slice_s * len(runs)),
        "p50_ms": sorted(r["p50_ms"] for r in runs)[len(runs) // 2],
        "p99_ms": max(r["p99_ms"] for r in runs),
        "ok": sum(r["ok"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
    }


def answered_ids(run) -> list[str]:
    return [json.loads(body)["client_id"] for status, body in run.answered if 200 <= status < 300]


LABELS = {
    "ping": "GET /ping (bare)",
    "healthz": "GET /healthz",
    "checkins_wrk": "POST /checkins",
    "read_insert": "POST /read-insert",
    "checkins": "POST /checkins",
}


def run_database(label: str, url: str, args) -> dict:
    if args.worker_class == "auto":
        args = argparse.Namespace(
            **{**vars(args), "worker_class": "sync" if url.startswith("sqlite") else "gthread"}
        )
    print(
        f"\n== {label}: seeding {args.sites} sites and {args.workers} workers through the services"
    )
    plan = seed(url, args.sites, args.workers)
    folder = Path(tempfile.mkdtemp(prefix="gridreach-plan-"))
    ports = {"app": free_port(), "bare": free_port(), "url": url}
    ports["plan"] = str(write_plan(plan, folder))
    server = start_gunicorn(url, ports["app"], args)
    bare = start_gunicorn(
        url, ports["bare"], args, app="bench.bare_app:create_app()", probe="/ping"
    )
    ports["servers"] = {"app": server, "bare": bare}
    results, stored = {}, {"ours": [], "wrk": []}
    try:
        print(
            f"   gunicorn {args.gunicorn_workers} x {args.worker_class}"
            f"{f' ({args.threads} threads)' if args.worker_class == 'gthread' else ''} for"
            f" GridReach and for the bare app; {args.duration} s of each per connection count;"
            f" load average {os.getloadavg()[0]:.1f}"
        )
        for c in args.connections:
            figures = measure(ports, plan, c, args, stored)
            cpu = figures.pop("cpu")
            ping = figures["ping"]["rps"]
            ratios = {name: (f["rps"] / ping if ping else 0.0) for name, f in figures.items()}
            results[c] = {"figures": figures, "of_ping": ratios}
            print(f"  {c} connections")
            for name, f in figures.items():
                share = "" if name == "ping" else f"   = {_fraction(ratios[name])} of /ping"
                by = {"checkins_wrk": "   (wrk)", "checkins": "   (ours)"}.get(name, "")
                print(line(LABELS[name], f) + share + by)
            print(cpu_line(cpu))
            results[c]["cpu"] = cpu
            _record_targets(label, c, figures["checkins_wrk"], ratios["checkins_wrk"])
    finally:
        stop(server)
        stop(bare)
        shutil.rmtree(folder, ignore_errors=True)
    return {"results": results, **exactness(url, stored)}


def exactness(url: str, stored: dict) -> dict:
    """Every check-in stored once: the rows hold exactly the client_ids our generator was
    answered 2xx, plus what wrk's slices added: each slice's rows at least its 2xx answers and
    at most those and the requests it abandoned in flight (one per connection)."""
    rows, answered = stored_client_ids(url), stored["ours"]
    by_wrk = sum(added for added, _ok, _c in stored["wrk"])
    wrk_fits = all(ok <= added <= ok + c for added, ok, c in stored["wrk"])
    exact = len(rows) == len(answered) + by_wrk and set(answered) <= set(rows) and wrk_fits
    print(
        f"  rows in checkins {len(rows)}: ours answered 2xx {len(answered)} (the same client_ids),"
        f" wrk's slices added {by_wrk} against {sum(ok for _a, ok, _c in stored['wrk'])} answered"
        f" 2xx: {'consistent' if exact else 'MISMATCH'}"
    )
    return {"rows": len(rows), "answered_2xx": len(answered), "rows_by_wrk": by_wrk, "exact": exact}


def cpu_line(cpu: dict) -> str:
    """What the rates come from, less disturbed by whatever else runs: CPU time per request."""
    total = cpu["checkin_ms"] + cpu["postgres_ms"]
    database = f" + PostgreSQL {cpu['postgres_ms']:.2f} ms" if cpu["postgres_ms"] else ""
    return (
        f"  CPU per request (the servers'): bare /ping {cpu['ping_ms']:.3f} ms; a check-in "
        f"{cpu['checkin_ms']:.2f} ms in gunicorn{database} = {total / cpu['ping_ms']:.1f} × /ping"
    )


def _record_targets(label: str, connections: int, checkins: dict, of_ping: float) -> None:
    """p99 under 150 ms at 16 connections; at 64, 1/10 of the bare /ping (1/15 on PostgreSQL)."""
    if connections == 16:
        p99 = checkins["p99_ms"]
        targets.record(
            f"check-in p99, 16 connections ({label})", f"{p99:.0f} ms", "< 150 ms", p99 < 150
        )
    if connections == 64:
        share = 10 if label == "SQLite" else 15
        targets.record(
            f"check-ins ÷ bare /ping, 64 connections ({label})",
            _fraction(of_ping),
            f"≥ 1/{share}",
            of_ping >= 1 / share,
        )


def _fraction(ratio: float) -> str:
    return f"1/{1 / ratio:.1f}" if ratio else "n/a"


def fresh_postgres(url: str) -> tuple[str, callable]:
    """A new database on the server `url` names; returns its URL and a function that drops it."""
    import psycopg

    base, _, _name = url.rpartition("/")
    name = f"gridreach_bench_{uuid.uuid4().hex[:8]}"
    plain = url.replace("postgresql+psycopg://", "postgresql://").replace(
        "postgres://", "postgresql://"
    )
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{base}/{name}", drop


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--pg", help="a PostgreSQL URL; a fresh database is created on that server and dropped"
    )
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite run")
    parser.add_argument(
        "--duration",
        type=int,
        default=10,
        help="seconds of /healthz and of /checkins per connection count (default 10)",
    )
    parser.add_argument(
        "--rounds", type=int, default=2, help="alternating slices the duration is cut into"
    )
    parser.add_argument("--connections", default="16,64", help="comma-separated connection counts")
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--workers", type=int, default=50)
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    parser.add_argument(
        "--worker-class",
        default="auto",
        choices=("auto", "gthread", "sync"),
        help="auto: sync on SQLite (threads would queue on its write lock while holding"
        " the GIL), gthread on PostgreSQL (threads overlap the round trips)",
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    args.connections = [int(c) for c in args.connections.split(",")]
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    report = {}
    if not args.no_sqlite:
        folder = Path(tempfile.mkdtemp(prefix="gridreach-bench-"))
        try:
            report["sqlite"] = run_database("SQLite", f"sqlite:///{folder / 'bench.db'}", args)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    if args.pg:
        url, drop = fresh_postgres(args.pg)
        try:
            report["postgresql"] = run_database("PostgreSQL", url, args)
        finally:
            drop()
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
