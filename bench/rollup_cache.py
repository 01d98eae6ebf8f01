"""Coverage roll-ups kept in Redis (ROLLUP_CACHE_URL): cold and kept, against the bare query.

    .venv/bin/python bench/rollup_cache.py --database-url sqlite:///bench/out/district.db
    .venv/bin/python bench/rollup_cache.py --database-url postgresql://USER@HOST:PORT/DBNAME

On a district made by bench/generate_district.py, with a throwaway redis-server on 127.0.0.1,
each round times, over last month, in turn: the bare per-grid site query (bench/coverage_bench.py's
baseline); the district's coverage right after a write of that month moved its version (computed,
then stored: what a leader pays after each check-in of a month being worked); the same again
(kept); and after a write of this month (kept: it does not move last month's). Also the write
side: one bump as a check-in's COMMIT makes it. The cold figure is the one coverage_bench.py's target
is about; the kept ones are what a cache adds on top, never a substitute for it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.coverage_bench import baseline_query, interleaved  # noqa: E402
from bench.generate_district import bench_config  # noqa: E402


def measure(args) -> None:
    from sqlalchemy import select

    from app.extensions import db
    from app.models import User
    from app.services import coverage, rollup_cache
    from app.services.localtime import today

    actor = db.session.scalar(select(User).where(User.role == "admin").order_by(User.id).limit(1))
    now = today()
    last_day = now.replace(day=1) - timedelta(days=1)
    period = coverage.make_period(last_day.replace(day=1), last_day)
    its_month, this_month = (
        rollup_cache.months_of(last_day, last_day)[0],
        rollup_cache.months_of(now, now)[0],
    )

    def district():
        return coverage.for_area(actor, None, period.first, period.last)

    def after(month):
        def run():
            rollup_cache.bump({month})
            return district()

        return run

    runs = [
        ("bare per-grid query", lambda: db.session.execute(baseline_query(period)).all()),
        ("district after a write of its month (computed)", after(its_month)),
        ("district again (kept)", district),
        ("district after a write of this month (kept)", after(this_month)),
    ]
    times = interleaved(runs, args.repeats, args.warmup)
    bumps = []
    for _ in range(200):
        started = time.perf_counter()
        rollup_cache.bump({this_month})
        bumps.append((time.perf_counter() - started) * 1000)
    base = statistics.median(times[runs[0][0]])
    print(
        f"engine {db.engine.dialect.name}; period {period.first} to {period.last}; "
        f"{args.repeats} rounds after {args.warmup} warm-up"
    )
    print(f"{'what':<52}{'median ms':>10}{'× bare query':>14}")
    for label, values in times.items():
        median = statistics.median(values)
        print(f"{label:<52}{median:>10.2f}{median / base:>14.3f}")
    print(
        f"{'one bump after a COMMIT (Redis INCR + SET, pipelined)':<52}{statistics.median(bumps):>10.3f}"
    )
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args(argv)
    if shutil.which("redis-server") is None:
        sys.exit(
            "rollup_cache.py: redis-server is not installed (Debian: apt-get install redis-server)"
        )

    from app import create_app
    from tests.redis_server import RedisServer

    redis = RedisServer(shutil.which("redis-server"))
    try:
        config = bench_config(args.database_url)
        config.ROLLUP_CACHE_URL = redis.url
        app = create_app(config)
        with app.app_context():
            measure(args)
    finally:
        redis.stop()


if __name__ == "__main__":
    main()
