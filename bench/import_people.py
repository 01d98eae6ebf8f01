"""Benchmark the people import: 10,000 workers from CSV and XLSX, created and then updated.

    .venv/bin/python bench/import_people.py                                   # SQLite file in bench/out/
    .venv/bin/python bench/import_people.py postgresql://USER@HOST:PORT/DBNAME --rows 10000

The database named is emptied (every table dropped and rebuilt): give it a scratch one.
Steps, for each format, as a street coordinator (so the area scope is in play):
two baselines taken in the same run (reading the file alone; a bare executemany of the same
people, no file and no checks), then the import service creating everyone, the sheet again
with every person's force changed (every row an update), the same sheet once more (every row
matched, nothing to change), and the HTTP path: POST /api/v1/users/import answers 202 (more than
5,000 rows) and the background worker (`jobs.work(once=True)`) does the import. Each step's
seconds, rows/s, and its ratio to the bare executemany are printed.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.import_households import build_district, csv_file, xlsx_file  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
FORCES = ("骑手", "民兵", "志愿者", "网格员", "企业反诈宣传员")


def make_rows(count: int, grids: list[tuple[int, str, str]], shift: int = 0) -> list[list[object]]:
    """Chinese headers; areas by code or name, one grid each, every fifth row with a username."""
    rows: list[list[object]] = [["姓名", "手机号", "力量类型", "区域", "用户名", "网格"]]
    for i in range(count):
        grid_id, code, name = grids[i % len(grids)]
        rows.append(
            [
                f"队员{i}",
                f"13{i:09d}",
                FORCES[(i + shift) % len(FORCES)],
                code if i % 2 else name,
                f"bench.{i}" if i % 5 == 0 else "",
                name,
            ]
        )
    return rows


def empty_people(db, keep: set[int]) -> None:
    from app.models import AuditEvent, Job, User
    from app.models.user import user_grids

    db.session.rollback()
    db.session.execute(user_grids.delete())
    db.session.execute(AuditEvent.__table__.delete())
    db.session.execute(Job.__table__.delete())
    db.session.execute(User.__table__.delete().where(User.id.not_in(keep)))
    db.session.commit()


def coordinator_of(db, admin):
    """A coordinator of the bench street (its grids are all under it)."""
    from sqlalchemy import select

    from app.models import Area, User

    street = db.session.scalar(select(Area).where(Area.level == "street"))
    user = User(
        username="bench-coordinator",
        password_hash="x",
        role="coordinator",
        area_id=street.id,
        display_name="bench",
    )
    db.session.add(user)
    db.session.commit()
    return user


def steps(
    app, db, actor, data: bytes, changed: bytes, name: str, rows: int
) -> dict[str, tuple[Callable, bool]]:
    """(step, whether the table is emptied before it) for one file."""
    from app.models import User
    from app.models.base import utcnow
    from app.services import jobs
    from app.services.importing import ImportReport, chunked, read_rows
    from app.services.people_import import COLUMNS, import_people

    def read_only() -> int:
        return sum(1 for _ in read_rows(data, COLUMNS, ImportReport()))

    prepared = [
        {
            "username": f"raw{i}",
            "display_name": f"raw {i}",
            "password_hash": "!",
            "role": "worker",
            "force": "rider",
            "phone": f"12{i:09d}",
            "active": True,
            "area_id": actor.area_id,
            "created_at": utcnow(),
            "session_version": 1,
        }
        for i in range(rows)
    ]

    def bare_insert() -> int:
        for chunk in chunked(prepared, 5000):
            db.session.execute(User.__table__.insert(), chunk)
        db.session.commit()
        return len(prepared)

    def service(expect: str, sheet: bytes) -> Callable[[], int]:
        def run() -> int:
            report = import_people(db.session.get(User, actor.id), sheet)
            assert report.ok, report.errors[:5]
            db.session.commit()
            assert getattr(report, expect) == rows, (report.created, report.updated)
            return rows

        return run

    def http_and_worker() -> int:
        from app.services.auth import issue_token

        token, _ = issue_token(db.session.get(User, actor.id))
        db.session.commit()
        headers = {"Authorization": f"Bearer {token}"}
        client = app.test_client()
        response = client.post(
            "/api/v1/users/import",
            headers=headers,
            data={"file": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
        )
        assert response.status_code == 202, response.get_data(as_text=True)[:500]
        with app.app_context():  # the worker's own session, as in its own process
            jobs.work(once=True)
        job = client.get(f"/api/v1/jobs/{response.get_json()['job_id']}", headers=headers)
        report = job.get_json()["report"]
        assert report and report["created"] == rows, job.get_json()
        return rows

    return {
        "read file only (baseline)": (read_only, True),
        "bare executemany (baseline)": (bare_insert, True),
        "import service: create": (service("created", data), True),
        "import service: every force changed": (service("updated", changed), False),
        "import service: same sheet again": (service("updated", changed), False),
        "HTTP 202 + worker: create": (http_and_worker, True),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url", nargs="?", default=f"sqlite:///{OUT / 'people-bench.db'}")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--formats", default="csv,xlsx")
    args = parser.parse_args(argv)
    writers = {"csv": csv_file, "xlsx": xlsx_file}

    from app import create_app
    from app.extensions import db
    from config import Config, database_url

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = database_url(args.database_url, "")

    OUT.mkdir(exist_ok=True)
    app = create_app(BenchConfig)
    with app.app_context():
        db.drop_all()
        db.create_all()
        admin, grids = build_district(db)
        actor = coordinator_of(db, admin)
        keep = {admin.id, actor.id}
        rows = make_rows(args.rows, grids)
        changed_rows = make_rows(args.rows, grids, shift=1)
        print(f"{args.rows:,} people, {len(grids)} grids, on {db.engine.dialect.name}")
        print(f"{'file':<5} {'step':<36} {'seconds':>8} {'rows/s':>9} {'ratio':>6}")
        for kind in args.formats.split(","):
            data, changed = writers[kind](rows), writers[kind](changed_rows)
            baseline = None
            for label, (step, reset) in steps(
                app, db, actor, data, changed, f"people.{kind}", args.rows
            ).items():
                if reset:
                    empty_people(db, keep)
                started = time.perf_counter()
                count = step()
                seconds = time.perf_counter() - started
                if label.startswith("bare"):
                    baseline = seconds
                ratio = f"{seconds / baseline:6.1f}" if baseline else "     -"
                print(
                    f"{kind:<5} {label:<36} {seconds:>8.2f} {count / seconds:>9,.0f} {ratio}",
                    flush=True,
                )
        empty_people(db, keep)


if __name__ == "__main__":
    main()
