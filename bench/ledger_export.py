"""Peak memory of a ledger (台账) export against the size of its data, on a generated district.

    .venv/bin/python bench/generate_district.py --database-url sqlite:///bench/out/district.db --scale 0.1
    .venv/bin/python bench/ledger_export.py --database-url sqlite:///bench/out/district.db

Exports every ledger of the whole district (as its admin) for the last month, then for the
year before the data's last day, and measures Python's peak allocation (tracemalloc) of each,
against the baseline of the same run: the peak of reading the same rows whole into a list
(`.all()`, the naive way, before any workbook). The export reads in chunks into a write-only
workbook on disk, so its peak should stay flat while the data grows twelvefold; the figures
to compare are rows, peak MiB, and peak ÷ baseline. Speed (rows/s, untraced) is shown too.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate_district import bench_config  # noqa: E402

MiB = 1024 * 1024


def last_day() -> date:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import CheckIn
    from app.services.localtime import to_local

    return to_local(db.session.scalar(select(func.max(CheckIn.captured_at)))).date()


def whole(ledger) -> int:
    """The baseline: every sheet's rows read whole into lists (no workbook); the row count."""
    from app.services import ledgers

    total = 0
    for name in ledger.sheets:
        rows = list(ledgers.SHEETS[name][2](ledger))
        total += len(rows)
        del rows
    return total


def export(actor, ledger) -> int:
    """The export as the views run it; the workbook's size in bytes."""
    from app.services import ledgers

    with ledgers.write_xlsx(actor, ledger) as out:
        return os.fstat(out.fileno()).st_size


def traced(call) -> tuple[object, float]:
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        result = call()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak / MiB


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args(argv)

    from sqlalchemy import select

    from app import create_app
    from app.extensions import db
    from app.models import User
    from app.services import ledgers

    app = create_app(bench_config(args.database_url))
    with app.app_context(), app.test_request_context():
        admin = db.session.scalar(select(User).where(User.role == "admin").limit(1))
        end = last_day()
        periods = {"month": end - timedelta(days=30), "year": end - timedelta(days=365)}
        print(
            f"{'period':<6} {'rows':>9} {'xlsx MiB':>9} {'rows/s':>8} "
            f"{'baseline MiB':>13} {'export MiB':>11} {'export ÷ baseline':>18}"
        )
        for name, first in periods.items():
            ledger = ledgers.open_ledger(admin, {"from_": first, "to": end})
            rows, base_peak = traced(lambda ledger=ledger: whole(ledger))
            db.session.expunge_all()
            started = time.perf_counter()
            size = export(admin, ledger)
            seconds = time.perf_counter() - started
            db.session.rollback()  # the audit row
            _size, peak = traced(lambda ledger=ledger: export(admin, ledger))
            db.session.rollback()
            print(
                f"{name:<6} {rows:>9,} {size / MiB:>9.1f} {rows / seconds:>8,.0f} "
                f"{base_peak:>13.1f} {peak:>11.1f} {peak / base_peak:>18.3f}"
            )


if __name__ == "__main__":
    main()
