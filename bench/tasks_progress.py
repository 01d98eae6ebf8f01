"""Benchmark campaigns, task progress and the warning board on a district-sized database.

    .venv/bin/python bench/tasks_progress.py                               # SQLite file in bench/out/
    .venv/bin/python bench/tasks_progress.py postgresql://USER@HOST:PORT/DBNAME --grids 200

The database named is emptied (every table dropped and rebuilt): give it a scratch one.
It builds GRIDS grids with 150 households and 4 sites each, a month of visits (two per
household) and check-ins (30 per site), and 100 warnings per grid, then times: the fan-out
of a door-to-door and a site campaign over the whole district, progress for a page of 200
tasks (and how many SQL statements that takes, which must not grow with the page), GET
/api/v1/tasks?per_page=200 over HTTP, record_checkin with and without settling the statuses
of its tasks, the monthly roll, and the daily zeroing board.
On PostgreSQL the tables are ANALYZEd after the load, as autovacuum would; SQLite runs without
statistics (no ANALYZE), as a fresh deployment does.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

OUT = Path(__file__).resolve().parent / "out"
HOUSEHOLDS, SITES, CHECKINS_PER_SITE, WARNINGS_PER_GRID = 150, 4, 30, 100


def build(db, grids_wanted: int):
    """Areas, one worker per grid, households, sites, a month of visits, check-ins and warnings."""
    from app.models import Area, CheckIn, Household, RiskWarning, Site, User, Visit
    from app.services.households import recount_households
    from app.services.localtime import start_of_day
    from app.services.sites import recount_sites

    def area(name, level, parent=None):
        a = Area(name=name, level=level, parent=parent, household_count=HOUSEHOLDS)
        db.session.add(a)
        db.session.flush()
        a.path = f"{parent.path if parent else '/'}{a.id}/"
        return a

    grids = []
    for s in range(max(1, grids_wanted // 50)):
        street = area(f"街道{s}", "street")
        for c in range(5):
            community = area(f"街道{s}社区{c}", "community", street)
            grids += [area(f"街道{s}社区{c}网格{g}", "grid", community) for g in range(10)]
    admin = User(username="bench-admin", password_hash="x", role="admin", display_name="bench")
    workers = [
        User(
            username=f"w{g.id}",
            password_hash="x",
            role="worker",
            force="grid_worker",
            display_name=f"w{g.id}",
            area_id=g.parent_id,
            grids=[g],
        )
        for g in grids
    ]
    db.session.add_all([admin, *workers])
    db.session.commit()
    month = start_of_day(date.today().replace(day=1))
    db.session.execute(
        Household.__table__.insert(),
        [
            {
                "area_id": g.id,
                "label": f"{n // 20}-{n % 20}",
                "tags": [],
                "unreachable": False,
                "created_at": month,
            }
            for g in grids
            for n in range(HOUSEHOLDS)
        ],
    )
    db.session.execute(
        Site.__table__.insert(),
        [
            {
                "area_id": g.id,
                "name": f"site {g.id}-{n}",
                "kind": ("board", "poster")[n % 2],
                "lat": 29.9,
                "lng": 121.5,
                "radius_m": 100,
                "address": "",
                "active": True,
                "qr_version": 1,
                "visits_per_month": 2,
                "created_at": month,
            }
            for g in grids
            for n in range(SITES)
        ],
    )
    recount_households()  # the households went in around their writers: count them as those would
    recount_sites()  # ...and the sites
    db.session.commit()
    worker_of = {w.grids[0].id: w.id for w in workers}
    households = db.session.execute(db.select(Household.id, Household.area_id)).all()
    db.session.execute(
        Visit.__table__.insert(),
        [
            {
                "client_id": str(uuid.uuid4()),
                "household_id": h,
                "area_id": g,
                "user_id": worker_of[g],
                "outcome": ("reached", "not_home")[k],
                "captured_at": month + timedelta(days=(h + k) % 25, hours=9),
                "received_at": month,
                "app_installed": k == 0,
                "materials_count": 1,
            }
            for h, g in households
            for k in (0, 1)
        ],
    )
    sites = db.session.execute(db.select(Site.id, Site.area_id)).all()
    db.session.execute(
        CheckIn.__table__.insert(),
        [
            {
                "client_id": str(uuid.uuid4()),
                "user_id": worker_of[g],
                "site_id": s,
                "lat": 29.9,
                "lng": 121.5,
                "accuracy_m": 10,
                "distance_m": 5,
                "captured_at": month + timedelta(days=k % 25, hours=k % 12),
                "received_at": month,
                "status": ("accepted", "accepted", "flagged")[k % 3],
            }
            for s, g in sites
            for k in range(CHECKINS_PER_SITE)
        ],
    )
    db.session.execute(
        RiskWarning.__table__.insert(),
        [
            {
                "level": ("high", "medium", "low")[k % 3],
                "area_id": g.id,
                "subject_label": "对象",
                "phone": "13800131234",
                "status": ("open", "handled")[k % 4 != 0],
                "created_at": month + timedelta(hours=k * 7),
                "deadline_at": month + timedelta(hours=k * 7 + 2),
                "handled_at": month + timedelta(hours=k * 7 + 1),
            }
            for g in grids
            for k in range(WARNINGS_PER_GRID)
        ],
    )
    db.session.commit()
    return admin, grids


def statements(db, call):
    """(seconds, SQL statements) of one call."""
    from sqlalchemy import event

    count = [0]

    def counter(*_args, **_kwargs):
        count[0] += 1

    engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    started = time.perf_counter()
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return time.perf_counter() - started, count[0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url", nargs="?", default=f"sqlite:///{OUT / 'tasks-bench.db'}")
    parser.add_argument("--grids", type=int, default=200)
    args = parser.parse_args(argv)

    from app import create_app
    from app.extensions import db
    from config import Config, database_url

    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = database_url(args.database_url, "")
        WTF_CSRF_ENABLED = False

    OUT.mkdir(exist_ok=True)
    app = create_app(BenchConfig)
    with app.app_context():
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        admin, grids = build(db, args.grids)
        print(
            f"{db.engine.dialect.name}: {len(grids)} grids built in {time.perf_counter() - started:.1f} s"
        )
        if db.engine.dialect.name == "postgresql":  # what autovacuum does after a bulk load
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
        run(app, db, admin)


def run(app, db, admin) -> None:
    from app.models import Task
    from app.services import campaigns, task_progress
    from app.services.auth import issue_token
    from app.services.localtime import today
    from app.services.warnings import board as warning_board

    first = today().replace(day=1)
    last = campaigns.add_months(first, 1, False) - timedelta(days=1)
    street_ids = [
        a.id
        for a in db.session.scalars(
            db.select(campaigns.Area).where(campaigns.Area.level == "street")
        )
    ]
    for kind, targets in (
        ("door_to_door", {"household_rounds": 1}),
        ("site_check", {"site_visits": 2}),
    ):
        started = time.perf_counter()
        made = 0
        for street_id in street_ids:
            campaign = campaigns.create_campaign(
                admin,
                {
                    "title": kind,
                    "kind": kind,
                    "area_id": street_id,
                    "starts_on": first,
                    "ends_on": last,
                    "targets": targets,
                    "repeat_monthly": True,
                },
            )
            made += len(campaign.scoped_tasks)
        db.session.commit()
        print(f"fan-out {kind}: {made} tasks in {time.perf_counter() - started:.2f} s")
    for size in (20, 200):
        tasks = db.session.scalars(
            db.select(Task).order_by(Task.area_id, Task.id).limit(size)
        ).all()
        seconds, count = statements(db, lambda tasks=tasks: task_progress.done_counts(tasks))
        print(f"progress of {size} tasks: {seconds * 1000:.0f} ms, {count} SQL statements")
    token, _ = issue_token(admin)
    db.session.commit()
    client = app.test_client()
    started = time.perf_counter()
    response = client.get(
        "/api/v1/tasks?per_page=200", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    body = response.get_json()
    done = sum(t["progress"]["done"] for t in body["items"])
    print(
        f"GET /tasks?per_page=200: {(time.perf_counter() - started) * 1000:.0f} ms "
        f"({body['total']} tasks, {done} done in the page)"
    )
    checkin_cost(db)
    started = time.perf_counter()
    rolled = campaigns.roll_campaigns(last + timedelta(days=1))
    db.session.commit()
    print(
        f"roll-campaigns: {len(rolled)} campaigns, {sum(len(c.tasks) for c in rolled)} tasks "
        f"in {time.perf_counter() - started:.2f} s"
    )
    warnings = db.session.scalar(db.select(db.func.count()).select_from(warning_board.RiskWarning))
    seconds, count = statements(db, lambda: warning_board.board(admin))
    print(
        f"zeroing board over {warnings} warnings: {seconds * 1000:.0f} ms, {count} SQL statements"
    )


def checkin_cost(db, per_round: int = 100) -> None:
    """record_checkin with and without settling its tasks' statuses (the grid's site tasks, kept
    unfinished), alternating rounds of `per_round` check-ins at different sites, each committed as
    its request would be."""
    from datetime import UTC, datetime

    from app import qr
    from app.models import Site, Task, User
    from app.services import checkins as checkin_service

    # Unfinished site tasks with a month of evidence: settling must count it (done tasks are skipped).
    db.session.execute(
        db.update(Task)
        .where(Task.kind == "site_check")
        .values(target_count=10**6, status="in_progress")
    )
    db.session.commit()
    settle = checkin_service._settle_for
    sites = db.session.scalars(db.select(Site).order_by(Site.id).limit(per_round * 4)).all()
    workers = {
        g: w
        for w in db.session.scalars(db.select(User).where(User.role == "worker"))
        for g in [w.grids[0].id]
    }
    now, accepted, times = datetime.now(UTC), 0, {True: [], False: []}
    for n, settling in enumerate((False, True, False, True)):
        checkin_service._settle_for = settle if settling else (lambda *_args: None)
        for i, site in enumerate(sites[n * per_round : (n + 1) * per_round]):
            k = n * per_round + i
            data = {
                "token": qr.site_token(site),
                "lat": site.lat + 0.00001 * (k % 40 + 1),
                "lng": site.lng + 0.00001 * (k // 40 + 1),
                "accuracy_m": 10.0,
                "client_id": str(uuid.uuid4()),
                "captured_at": now - timedelta(minutes=3 * (4 * per_round - k)),
            }
            started = time.perf_counter()
            checkin, _ = checkin_service.record_checkin(workers[site.area_id], data)
            db.session.commit()
            times[settling].append(time.perf_counter() - started)
            accepted += checkin.status == "accepted"
    checkin_service._settle_for = settle
    mean = {key: sum(values) / len(values) * 1000 for key, values in times.items()}
    print(
        f"record_checkin ({accepted} of {4 * per_round} accepted): {mean[False]:.1f} ms without settling, "
        f"{mean[True]:.1f} ms with (x {mean[True] / mean[False]:.2f})"
    )


if __name__ == "__main__":
    main()
