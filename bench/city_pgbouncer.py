"""Check-ins through PgBouncer (transaction pooling) against the same database straight, same run.

    .venv/bin/python bench/city_pgbouncer.py [--duration 20] [--connections 16,64] [--pool 8]

A throwaway PostgreSQL cluster and PgBouncer in front of it (tests/city/servers.py: Debian's
postgresql and pgbouncer), one database seeded through the app's services (bench/checkin_load.py),
and two gunicorns (2 gthread workers x 4 threads each, as deploy/gunicorn.conf.py runs them on a
2-core machine): one with DATABASE_URL straight to PostgreSQL (the baseline), one through PgBouncer
with --pool server connections. POST /checkins (bench/loadgen.py: random worker and site, fresh
client_id) in alternating slices on each, so that whatever else the machine does weighs on both
alike. Prints req/s, p50, p99, errors and the ratio pgbouncer / direct; at the end the rows in the
database are compared with the check-ins answered 2xx. Loopback only, bounded in time.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.checkin_load import (  # noqa: E402
    answered_ids,
    checkin_request,
    free_port,
    line,
    seed,
    start_gunicorn,
    stop,
    stored_client_ids,
)
from bench.loadgen import Run, run_load  # noqa: E402
from tests.city.servers import Cluster, PgBouncer, Workspace  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=20, help="seconds per path and count")
    parser.add_argument("--rounds", type=int, default=4, help="alternating slices")
    parser.add_argument("--connections", default="16,64")
    parser.add_argument("--pool", type=int, default=8, help="PgBouncer's server connections")
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--workers", type=int, default=50)
    args = parser.parse_args()
    gunicorn = argparse.Namespace(gunicorn_workers=2, worker_class="gthread", threads=4)

    workspace = Workspace("gridreach-bench-city-")
    cluster = bouncer = None
    servers = {}
    answered: list[str] = []
    try:
        cluster = Cluster.primary(workspace)
        bouncer = PgBouncer(workspace, cluster, pool_size=args.pool)
        urls = {"direct": cluster.url(), "pgbouncer": bouncer.url()}
        print(f"== seeding {args.sites} sites and {args.workers} workers through the services")
        plan = seed(urls["direct"], args.sites, args.workers)
        for name, url in urls.items():
            port = free_port()
            # Through PgBouncer (transaction pooling) without prepared statements, as deployed.
            env = {"DATABASE_PREPARED_STATEMENTS": "0"} if name == "pgbouncer" else None
            servers[name] = (port, start_gunicorn(url, port, gunicorn, env=env))
        print(
            f"   two gunicorns (2 x gthread, 4 threads); PgBouncer transaction pooling, "
            f"{args.pool} server connections; load average {os.getloadavg()[0]:.1f}"
        )
        slice_s = max(1, round(args.duration / args.rounds))
        for connections in [int(c) for c in args.connections.split(",")]:
            merged = {name: Run() for name in servers}
            for _ in range(args.rounds):
                for name, (port, _process) in servers.items():
                    run = run_load(
                        "127.0.0.1",
                        port,
                        checkin_request(plan, port),
                        connections,
                        slice_s,
                        keep_bodies=True,
                    )
                    answered += answered_ids(run)
                    total = merged[name]
                    total.latencies += run.latencies
                    total.statuses.update(run.statuses)
                    total.socket_errors += run.socket_errors
                    total.wall_s += run.wall_s
                    total.cpu_s += run.cpu_s
            summary = {name: run.summary() for name, run in merged.items()}
            print(f"  {connections} connections")
            for name, figures in summary.items():
                print(line(f"POST /checkins {name}", figures))
            ratio = summary["pgbouncer"]["rps"] / summary["direct"]["rps"]
            print(f"  {'ratio':<18} pgbouncer / direct = {ratio:.2f}")
    finally:
        for _port, process in servers.values():
            stop(process)
        try:
            if cluster is not None:
                stored = stored_client_ids(cluster.url())
                exact = len(stored) == len(answered) and set(stored) == set(answered)
                print(
                    f"  rows in checkins {len(stored)}, check-ins answered 2xx {len(answered)}: "
                    f"{'equal, the same client_ids' if exact else 'MISMATCH'}"
                )
        finally:
            if bouncer is not None:
                bouncer.stop()
            if cluster is not None:
                cluster.stop()
            workspace.remove()


if __name__ == "__main__":
    main()
