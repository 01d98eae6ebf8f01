"""The write cost of each index on `checkins`: the same rows inserted with every index, without
each one in turn, and with none but the primary key and the unique client_id, in one run.

    .venv/bin/python bench/checkin_indexes.py                     # SQLite: a fresh file database
    .venv/bin/python bench/checkin_indexes.py --pg postgresql://USER@127.0.0.1:PORT/DBNAME
    .venv/bin/python bench/checkin_indexes.py --rows 50000 --repeats 3

The indexes are the model's and the two that migration a570d8cf78c9 dropped (put back here to
be measured). A fresh schema seeded through the services (bench/checkin_load.py's seed: 200 sites, 50
workers); then, per variant, --rows check-ins spread over a year (nine in ten accepted) are
inserted one statement per row in transactions of --batch rows, as a busy district writes them;
the table is emptied between variants and the variants alternate over --repeats rounds (median
taken). An index's cost is the time with every index minus the time without it, as a share of
the time with none of them. Absolute times depend on what else the machine does; the shares are
measured in the same run.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.checkin_load import fresh_postgres, seed  # noqa: E402
from config import database_url  # noqa: E402


def checkins_table() -> sa.Table:
    from app.models import CheckIn

    return CheckIn.__table__


# Indexes the table had before they were found unneeded (migration a570d8cf78c9): measured too.
DROPPED = (
    ("ix_checkins_site_captured", ("site_id", "captured_at")),
    ("ix_checkins_status", ("status",)),
)


def with_dropped(table: sa.Table) -> list[sa.Index]:
    """Put the dropped indexes back on the Table object (this process only); return them."""
    names = {ix.name for ix in table.indexes}
    return [
        sa.Index(name, *(table.c[column] for column in columns))
        for name, columns in DROPPED
        if name not in names
    ]


def secondary_indexes(table: sa.Table) -> list[sa.Index]:
    """The table's indexes but the unique client_id (exactly-once needs it)."""
    return sorted((ix for ix in table.indexes if not ix.unique), key=lambda ix: ix.name)


def make_rows(n: int, site_ids: list[int], user_ids: list[int], rng: random.Random) -> list[dict]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = []
    for _ in range(n):
        at = start + timedelta(seconds=rng.randrange(365 * 86400))
        rows.append(
            {
                "client_id": str(uuid.uuid4()),
                "user_id": rng.choice(user_ids),
                "site_id": rng.choice(site_ids),
                "task_id": None,
                "lat": 29.9 + rng.random() / 10,
                "lng": 121.5 + rng.random() / 10,
                "accuracy_m": rng.randint(5, 40),
                "distance_m": rng.random() * 80,
                "captured_at": at,
                "received_at": at + timedelta(seconds=rng.randrange(600)),
                "status": "accepted" if rng.random() < 0.9 else "flagged",
                "reason": None,
                "people_reached": rng.randint(0, 20),
                "materials_count": rng.randint(0, 50),
            }
        )
    return rows


def insert_all(engine: sa.Engine, table: sa.Table, rows: list[dict], batch: int) -> float:
    insert = table.insert()
    started = time.perf_counter()
    for first in range(0, len(rows), batch):
        with engine.begin() as conn:
            for row in rows[first : first + batch]:
                conn.execute(insert, row)
    return time.perf_counter() - started


def run(label: str, url: str, args) -> dict:
    print(f"\n== {label}: {args.rows} rows per variant, median of {args.repeats} rounds")
    seed(url, 200, 50)
    from bench.bare_app import engine_for

    engine = engine_for(url)
    table = checkins_table()
    with engine.connect() as conn:
        site_ids = list(conn.execute(sa.text("SELECT id FROM sites")).scalars())
        user_ids = list(conn.execute(sa.text("SELECT id FROM users")).scalars())
    rows = make_rows(args.rows, site_ids, user_ids, random.Random(15))
    dropped = with_dropped(table)
    with engine.begin() as conn:
        for ix in dropped:
            ix.create(conn)
    indexes = secondary_indexes(table)
    variants = {
        "every index (as before)": [],
        "as now (two dropped)": dropped,
        "none (pk, client_id)": list(indexes),
    }
    variants.update({f"without {ix.name}": [ix] for ix in indexes})
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(args.repeats):
        for name, dropped in variants.items():
            with engine.begin() as conn:
                conn.execute(table.delete())
                for ix in dropped:
                    ix.drop(conn)
            if engine.dialect.name == "postgresql":
                with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.exec_driver_sql("VACUUM checkins")
            times[name].append(insert_all(engine, table, rows, args.batch))
            with engine.begin() as conn:
                for ix in dropped:
                    ix.create(conn)
    with engine.begin() as conn:
        conn.execute(table.delete())
    engine.dispose()
    median = {name: statistics.median(found) for name, found in times.items()}
    base = median["none (pk, client_id)"]
    full = median["every index (as before)"]
    print(f"  {'variant':<34} {'seconds':>8} {'rows/s':>9}")
    for name, seconds in median.items():
        print(f"  {name:<34} {seconds:>8.2f} {args.rows / seconds:>9.0f}")
    now = median["as now (two dropped)"]
    print(
        f"  every index costs {full / base - 1:+.0%} over none, the indexes kept {now / base - 1:+.0%};"
        " each one, as a share of none:"
    )
    shares = {}
    for ix in indexes:
        shares[ix.name] = (full - median[f"without {ix.name}"]) / base
        gone = " (dropped)" if ix.name in {d.name for d in dropped} else ""
        print(f"    {ix.name:<32} {shares[ix.name]:+.1%}{gone}")
    return {"seconds": median, "shares": shares}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pg", help="a PostgreSQL URL; a fresh database is made on that server")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=100, help="rows per transaction")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if not args.no_sqlite:
        folder = Path(tempfile.mkdtemp(prefix="gridreach-ix-"))
        try:
            run("SQLite", f"sqlite:///{folder / 'ix.db'}", args)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    if args.pg:
        url, drop = fresh_postgres(database_url(args.pg, ""))
        try:
            run("PostgreSQL", url, args)
        finally:
            drop()


if __name__ == "__main__":
    main()
