"""Time coverage.for_area on a generated district (bench/generate_district.py) against a baseline.

    .venv/bin/python bench/coverage_bench.py --database-url sqlite:///bench/out/district.db
    .venv/bin/python bench/coverage_bench.py --database-url postgresql://USER@HOST:PORT/DBNAME --repeats 30
    .venv/bin/python bench/coverage_bench.py --database-url URL --from 2026-11-01 --to 2026-11-30
    .venv/bin/python bench/coverage_bench.py --database-url URL --parts   # where the time goes

Each round runs, in turn: the baseline (the bare per-grid site-coverage query, EXISTS form, over
the same period), then for_area for the district, one street and one grid. Rounds interleave so
that a busy machine slows every measurement alike; the ratios to the baseline are the figures to
compare between machines. The period defaults to this month up to today (the generator's data
ends today and spans a year).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import targets as bench_targets  # noqa: E402
from bench.generate_district import bench_config  # noqa: E402

BUDGET_MS = 150.0


def baseline_query(period):
    """Per grid: active sites, and those with an accepted check-in in the period (EXISTS)."""
    from sqlalchemy import case, exists, func, select

    from app.models import CheckIn, Site

    seen = exists().where(
        CheckIn.site_id == Site.id,
        CheckIn.status == "accepted",
        CheckIn.captured_at >= period.start,
        CheckIn.captured_at < period.end,
    )
    return (
        select(Site.area_id, func.count(Site.id), func.sum(case((seen, 1), else_=0)))
        .where(Site.active == True)
        .group_by(Site.area_id)
    )  # noqa: E712


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def counts() -> dict[str, int]:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Area, CheckIn, Household, Site, Visit

    return {
        "grids": db.session.scalar(select(func.count(Area.id)).where(Area.level == "grid")),
        "sites": db.session.scalar(select(func.count(Site.id))),
        "check-ins": db.session.scalar(select(func.count(CheckIn.id))),
        "households": db.session.scalar(select(func.count(Household.id))),
        "visits": db.session.scalar(select(func.count(Visit.id))),
    }


def targets():
    """(label, area id) for the district, the first street and its first grid."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Area

    street = db.session.scalar(
        select(Area).where(Area.level == "street").order_by(Area.id).limit(1)
    )
    grid = db.session.scalar(
        select(Area)
        .where(Area.level == "grid", Area.path.startswith(street.path))
        .order_by(Area.id)
        .limit(1)
    )
    return [
        ("district", None),
        (f"street {street.name}", street.id),
        (f"grid {grid.name}", grid.id),
    ]


def count_queries(run) -> int:
    from sqlalchemy import event

    from app.extensions import db

    seen = []
    listener = lambda *args: seen.append(1)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(seen)


def interleaved(runs, repeats: int, warmup: int) -> dict[str, list[float]]:
    """Milliseconds of each (label, run), the runs taking turns round by round (a busy machine
    slows each alike), after `warmup` untimed rounds; the session forgets its rows before each."""
    from app.extensions import db

    for _label, run in runs * warmup:
        run()
    times: dict[str, list[float]] = {label: [] for label, _run in runs}
    for _ in range(repeats):
        for label, run in runs:
            db.session.expire_all()
            started = time.perf_counter()
            run()
            times[label].append((time.perf_counter() - started) * 1000)
    return times


# The steps of coverage._compute, timed by --parts; a name the code no longer has is left out
# (the code before a change can be timed too). read_all is drained when timed: the reads it
# sends together (on PostgreSQL while the steps after it work) are timed as one step.
PARTS = (
    ("coverage", "children_of"),
    ("coverage", "_round_targets"),
    ("coverage", "read_all"),
    ("coverage", "_areas"),
    ("coverage", "_grids"),
    ("coverage", "_add_grids"),
    ("coverage", "_add_sites"),
    ("coverage", "_add_households"),
    ("coverage", "_add_visits"),
    ("coverage_sums", "visit_sums"),
    ("coverage_sums", "reached_households"),
    ("coverage", "_active_people"),
)


def parts(runs, repeats: int) -> dict[str, dict[str, float]]:
    """Per run, the least milliseconds each part of _compute took over `repeats` rounds (a part
    called more than once in a run is summed; generators are timed until drained)."""
    import types

    from app.extensions import db
    from app.services import coverage, coverage_sums

    modules = {"coverage": coverage, "coverage_sums": coverage_sums}
    spent: dict[str, float] = {}

    def timed(name, function):
        def run(*args, **kwargs):
            started = time.perf_counter()
            try:
                result = function(*args, **kwargs)
                return list(result) if isinstance(result, types.GeneratorType) else result
            finally:
                spent[name] = spent.get(name, 0.0) + (time.perf_counter() - started) * 1000

        return run

    found = [(m, n) for m, n in PARTS if hasattr(modules[m], n)]
    saved = {(m, n): getattr(modules[m], n) for m, n in found}
    for (module, name), function in saved.items():
        setattr(modules[module], name, timed(name, function))
    least: dict[str, dict[str, float]] = {label: {} for label, _run in runs}
    try:
        for _ in range(repeats):
            for label, run in runs:
                db.session.expire_all()
                spent.clear()
                started = time.perf_counter()
                run()
                spent["(whole)"] = (time.perf_counter() - started) * 1000
                for name, ms in spent.items():
                    least[label][name] = min(ms, least[label].get(name, ms))
    finally:
        for (module, name), function in saved.items():
            setattr(modules[module], name, function)
    return least


def measure(args) -> None:
    from sqlalchemy import select

    from app.extensions import db
    from app.models import User
    from app.services import coverage

    actor = db.session.scalar(select(User).where(User.role == "admin").order_by(User.id).limit(1))
    period = coverage.make_period(args.date_from, args.date_to)
    runs = [("baseline", lambda: db.session.execute(baseline_query(period)).all())]
    for label, area_id in targets():
        runs.append(
            (label, lambda a=area_id: coverage.for_area(actor, a, period.first, period.last))
        )
    if args.parts:
        print(
            f"engine {db.engine.dialect.name}; period {period.first} to {period.last}; "
            f"least ms of {args.repeats} rounds"
        )
        for label, spent in parts(runs, args.repeats).items():
            print(f"{label:<22}" + ", ".join(f"{n} {ms:.1f}" for n, ms in spent.items()))
        return
    times = interleaved(runs, args.repeats, args.warmup)
    queries = {label: count_queries(run) for label, run in runs}
    base = statistics.median(times["baseline"])
    print(
        f"engine {db.engine.dialect.name}; period {period.first} to {period.last} ({period.days} days); "
        f"{args.repeats} rounds after {args.warmup} warm-up"
    )
    print("data: " + ", ".join(f"{n:,} {what}" for what, n in counts().items()))
    print(
        f"{'what':<22}{'min ms':>9}{'median ms':>10}{'p95 ms':>10}{'× baseline':>12}{'queries':>9}"
        f"  budget {BUDGET_MS:.0f} ms (median)"
    )
    for label, values in times.items():
        median = statistics.median(values)
        verdict = "" if label == "baseline" else ("ok" if median < BUDGET_MS else "OVER")
        print(
            f"{label:<22}{min(values):>9.1f}{median:>10.1f}{p95(values):>10.1f}{median / base:>12.2f}"
            f"{queries[label]:>9}  {verdict}"
        )
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    checkins = f"{counts()['check-ins']:,} check-ins"
    for label, values in times.items():
        if label != "baseline":
            ratio = statistics.median(values) / base
            bench_targets.record(
                f"coverage, {label} ÷ bare per-grid query ({db.engine.dialect.name}, {checkins},"
                f" {period.days} days)",
                f"{ratio:.2f}",
                f"≤ {args.target:g}",
                ratio <= args.target,
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument(
        "--target", type=float, default=2.0, help="the ratio to meet (3 at ten times the data)"
    )
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--from", dest="date_from", type=date.fromisoformat, default=None)
    parser.add_argument("--to", dest="date_to", type=date.fromisoformat, default=None)
    parser.add_argument(
        "--parts", action="store_true", help="time each step of the computation instead"
    )
    args = parser.parse_args(argv)

    from app import create_app

    app = create_app(bench_config(args.database_url))
    with app.app_context():
        measure(args)


if __name__ == "__main__":
    main()
