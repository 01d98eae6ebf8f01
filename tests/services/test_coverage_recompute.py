"""Coverage against a plain recomputation from its definition, on a seeded hand-built district.

The recomputation below reads every row through the ORM and counts in Python, in local
(Asia/Shanghai) days, without the stored grid of a visit: it follows each household and site to
its grid as it is now. It covers flagged-then-approved, flagged and rejected check-ins,
unreachable households, a household and a site moved to another grid, inactive sites, grids
without household rows, and check-ins and visits at 23:59:59 and 00:00:00 local on both edges
of the period. Coverage reads a grid's households from the counters the household writers keep
on the grid; the last tests write households every way the app does (and two at once) and check
the counters and coverage against the rows. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import random
import threading
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from app import qr
from app.extensions import db
from app.models import (
    FORCES,
    Area,
    Campaign,
    CheckIn,
    Household,
    HouseholdMonth,
    Site,
    SiteMonth,
    User,
    Visit,
)
from app.services import checkins, coverage, coverage_sums, households, site_import, sites, visits
from app.services.household_import import import_households
from tests.factories import (
    local,
    make_area,
    make_campaign,
    make_checkin,
    make_household,
    make_site,
    make_user,
    make_visit,
)
from tests.services.coverage_helpers import assert_month_sums_match
from tests.services.test_importing import csv_bytes

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST, LAST = date(2026, 3, 1), date(2026, 4, 30)
KEYS = (
    "sites_total",
    "sites_visited",
    "sites_met",
    "households_total",
    "households_reached",
    "households_required",
    "households_met",
    "checkins",
    "visits",
    "people_reached",
    "leaflets",
    "app_installs",
)


def _edges() -> list[datetime]:
    """The seconds either side of both edges of the period, in local time."""
    return [
        local(2026, 2, 28, 23, 59, 59),
        local(2026, 3, 1, 0, 0, 0),
        local(2026, 4, 30, 23, 59, 59),
        local(2026, 5, 1, 0, 0, 0),
    ]


def _moment(rng: random.Random) -> datetime:
    """Mostly inside the period, some just outside, a fifth on an edge."""
    if rng.random() < 0.2:
        return rng.choice(_edges())
    start = datetime(2026, 2, 20, tzinfo=SHANGHAI)
    return (start + timedelta(seconds=rng.randrange(80 * 86400))).astimezone(UTC)


@pytest.fixture
def district(app):
    """2 streets x 2 communities x 2 grids, sites, households, people and seeded evidence."""
    rng = random.Random(15)
    streets, grids = [], []
    for s in range(2):
        street = make_area(name=f"街道{s}", level="street")
        streets.append(street)
        for c in range(2):
            community = make_area(name=f"社区{s}{c}", level="community", parent=street)
            for g in range(2):
                grids.append(
                    make_area(name=f"网格{s}{c}{g}", parent=community, household_count=10 * (g + 1))
                )
    site_rows = [
        make_site(area=grid, active=rng.random() > 0.2, visits_per_month=rng.choice((1, 2)))
        for grid in grids
        for _ in range(3)
    ]
    households = [
        make_household(area=grid, unreachable=rng.random() < 0.2)
        for grid in grids[:-1]  # the last grid has no household rows: its household_count counts
        for _ in range(4)
    ]
    people = [
        make_user(role="worker", area=rng.choice([None, *streets, *grids]), force=force)
        for force in FORCES
        for _ in range(2)
    ]
    people.append(make_user(role="worker", area=grids[0], force="militia", active=False))
    coordinator = make_user(role="coordinator", area=streets[0])
    admin = make_user(role="admin")
    for _ in range(160):
        roll = rng.random()
        status, extra = "accepted", {}
        if roll < 0.15:
            status, extra = "rejected", {"reason": "too_far"}
        elif roll < 0.35:
            status, extra = "flagged", {"reason": "low_accuracy"}
            if roll < 0.25:  # approved by a coordinator: accepted from then on
                status = "accepted"
                extra["reviewed_by_id"], extra["reviewed_at"] = coordinator.id, local(2026, 5, 2)
        make_checkin(
            site=rng.choice(site_rows),
            user=rng.choice(people),
            at=_moment(rng),
            status=status,
            people_reached=rng.choice((None, 0, 3, 10)),
            materials_count=rng.choice((None, 1, 4)),
            **extra,
        )
    for _ in range(120):
        make_visit(
            household=rng.choice(households),
            user=rng.choice(people),
            at=_moment(rng),
            outcome=rng.choice(("reached", "reached", "not_home", "refused")),
            app_installed=rng.random() < 0.3,
            materials_count=rng.choice((None, 0, 2)),
        )
    make_campaign(
        area=streets[0],
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 31),
        targets={"household_rounds": 2},
    )
    make_campaign(
        area=grids[5],
        starts_on=date(2026, 4, 20),
        ends_on=date(2026, 5, 31),
        targets={"household_rounds": 3},
    )
    make_campaign(
        area=grids[6],
        starts_on=date(2026, 5, 1),
        ends_on=date(2026, 5, 31),
        targets={"household_rounds": 4},
    )  # after the period: no rounds asked
    db.session.commit()
    return {
        "streets": streets,
        "grids": grids,
        "sites": site_rows,
        "households": households,
        "people": people,
        "admin": admin,
    }


def _in_period(moment: datetime, first: date, last: date) -> bool:
    return first <= moment.astimezone(SHANGHAI).date() <= last


def _rounds(grid: Area, campaigns: list[Campaign], first: date, last: date) -> int:
    best = 0
    for campaign in campaigns:
        rounds = (campaign.targets or {}).get("household_rounds")
        if (
            isinstance(rounds, int)
            and campaign.starts_on <= last
            and campaign.ends_on >= first
            and grid.path.startswith(campaign.area.path)
        ):
            best = max(best, rounds)
    return best


def recompute(area: Area | None, first: date, last: date) -> dict:
    """The figures of `area` (None = district) and each of its children, from the definition."""
    every_area = db.session.scalars(select(Area)).all()
    if area is None:
        buckets = [a for a in every_area if a.parent_id is None]
    elif area.level == "grid":
        buckets = [area]
    else:
        buckets = [a for a in every_area if a.parent_id == area.id]

    def bucket_of(path: str | None):
        for bucket in buckets:
            if path is not None and path.startswith(bucket.path):
                return bucket.id
        return None

    months = max(1, round(((last - first).days + 1) / 30.44))
    figures = {b.id: dict.fromkeys(KEYS, 0) for b in buckets}
    for bucket in figures.values():
        bucket["active_by_force"] = dict.fromkeys(FORCES, 0)
    grid_of = {a.id: a for a in every_area if a.level == "grid"}
    campaigns = db.session.scalars(select(Campaign)).all()
    rounds = {g.id: _rounds(g, campaigns, first, last) for g in grid_of.values()}

    counted = [
        c
        for c in db.session.scalars(select(CheckIn)).all()
        if c.status == "accepted" and _in_period(c.captured_at, first, last)
    ]
    for site in db.session.scalars(select(Site)).all():
        b = bucket_of(grid_of[site.area_id].path)
        if b is None:
            continue
        mine = [c for c in counted if c.site_id == site.id]
        f = figures[b]
        f["checkins"] += len(mine)
        f["people_reached"] += sum(c.people_reached or 0 for c in mine)
        f["leaflets"] += sum(c.materials_count or 0 for c in mine)
        if site.active:
            f["sites_total"] += 1
            f["sites_visited"] += bool(mine)
            f["sites_met"] += len(mine) >= site.visits_per_month * months

    all_households = db.session.scalars(select(Household)).all()
    for grid in grid_of.values():
        b = bucket_of(grid.path)
        if b is None:
            continue
        rows = [h for h in all_households if h.area_id == grid.id]
        effective = sum(not h.unreachable for h in rows) if rows else (grid.household_count or 0)
        figures[b]["households_total"] += effective
        figures[b]["households_required"] += effective if rounds[grid.id] > 0 else 0
    period_visits = [
        v for v in db.session.scalars(select(Visit)).all() if _in_period(v.captured_at, first, last)
    ]
    for household in all_households:
        b = bucket_of(grid_of[household.area_id].path)
        if b is None:
            continue
        mine = [v for v in period_visits if v.household_id == household.id]
        reached = sum(v.outcome == "reached" for v in mine)
        f = figures[b]
        f["visits"] += len(mine)
        f["app_installs"] += sum(bool(v.app_installed) for v in mine)
        f["leaflets"] += sum(v.materials_count or 0 for v in mine)
        if not household.unreachable:
            f["households_reached"] += reached > 0
            need = rounds[household.area_id]
            f["households_met"] += need > 0 and reached >= need

    total = {key: sum(f[key] for f in figures.values()) for key in KEYS}
    total["active_by_force"] = dict.fromkeys(FORCES, 0)
    paths = {a.id: a.path for a in every_area}
    workers = {c.user_id for c in counted} | {v.user_id for v in period_visits}
    for person in db.session.scalars(select(User)).all():
        home = paths.get(person.area_id)
        inside = area is None or (home is not None and home.startswith(area.path))
        if person.force in FORCES and person.active and person.id in workers and inside:
            total["active_by_force"][person.force] += 1
            b = bucket_of(home)
            if b is not None:
                figures[b]["active_by_force"][person.force] += 1
    return {"total": total, "children": figures}


def answer(area: Area | None, first: date, last: date) -> dict:
    result = coverage.compute(area, coverage.Period(first, last))

    def pick(entry: dict) -> dict:
        return {**{k: entry[k] for k in KEYS}, "active_by_force": entry["active_by_force"]}

    children = {c["area_id"]: pick(c) for c in result["children"]}
    if area is not None and area.level == "grid":
        children = {area.id: pick(result)}
    return {"total": pick(result), "children": children}


def check_everywhere(district, first: date = FIRST, last: date = LAST) -> None:
    for area in [None, *district["streets"], district["grids"][0], district["grids"][-1]]:
        assert answer(area, first, last) == recompute(area, first, last), area and area.name


def test_coverage_matches_a_plain_recomputation(district):
    check_everywhere(district)
    check_everywhere(district, date(2026, 3, 1), date(2026, 3, 1))  # one day: its two edges
    check_everywhere(district, date(2026, 4, 30), date(2026, 5, 1))


def test_it_still_matches_after_a_household_and_a_site_move_grids(district):
    grids, admin = district["grids"], district["admin"]
    household = next(
        h
        for h in district["households"]
        if db.session.scalar(select(Visit.id).where(Visit.household_id == h.id).limit(1))
    )
    target = next(g for g in grids if g.id != household.area_id and g is not grids[-1])
    household.area_id = target.id  # no page moves a household today; the model keeps up anyway
    site = district["sites"][0]
    sites.update_site(admin, site, {"area_id": grids[-1].id})
    db.session.commit()
    assert set(
        db.session.scalars(select(Visit.area_id).where(Visit.household_id == household.id))
    ) == {target.id}
    check_everywhere(district)


def test_every_visit_carries_its_households_grid(district):
    household = district["households"][1]
    grid = db.session.get(Area, household.area_id)
    worker = make_user(role="worker", area=grid, grids=[grid])
    visit, created = visits.record_visit(
        worker,
        {
            "client_id": str(uuid.uuid4()),
            "household_id": household.id,
            "outcome": "reached",
            "lat": 29.9,
            "lng": 121.55,
            "captured_at": local(2026, 4, 30, 23, 59, 59),
        },
    )
    db.session.commit()
    assert created and visit.area_id == household.area_id
    stored = db.session.execute(
        select(Visit.area_id, Household.area_id).join(Household, Household.id == Visit.household_id)
    ).all()
    assert len(stored) == 121 and all(mine == theirs for mine, theirs in stored)
    check_everywhere(district)


def assert_counters_match(district) -> None:
    """Each grid's stored household counters equal a count of its household rows."""
    db.session.expire_all()
    counted = {
        grid_id: (rows, reachable)
        for grid_id, rows, reachable in db.session.execute(
            select(
                Household.area_id,
                func.count(Household.id),
                func.count(Household.id).filter(Household.unreachable == False),  # noqa: E712
            ).group_by(Household.area_id)
        )
    }
    for grid in district["grids"]:
        stored = (grid.household_rows, grid.reachable_households)
        assert stored == counted.get(grid.id, (0, 0)), grid.name


def test_every_household_writer_keeps_its_grids_counters(app, district):
    grids, admin = district["grids"], district["admin"]
    assert_counters_match(district)  # written through the ORM by the factories
    # The grid without rows gets one: from now on its rows count, not its household_count.
    households.create_household(admin, {"area_id": grids[-1].id, "label": "9-9-901"})
    marked = next(h for h in district["households"] if not h.unreachable)
    households.update_household(admin, marked, {"unreachable_reason": "vacant"})
    unmarked = next(h for h in district["households"] if h.unreachable and h is not marked)
    households.update_household(admin, unmarked, {"unreachable": False})
    unvisited = db.session.scalar(
        select(Household)
        .where(~select(Visit.id).where(Visit.household_id == Household.id).exists())
        .order_by(Household.id)
        .limit(1)
    )
    moved = next(
        h
        for h in district["households"]
        if h.area_id != grids[0].id and h not in (marked, unmarked)
    )
    moved.area_id, moved.unreachable = grids[0].id, not moved.unreachable  # both at once
    db.session.commit()
    assert_counters_match(district)
    db.session.delete(unvisited)
    report = import_households(
        admin, csv_bytes([["grid", "label"], [grids[1].id, "7-7-701"], [grids[2].id, "7-7-702"]])
    )
    assert report.created == 2
    db.session.commit()
    assert_counters_match(district)
    check_everywhere(district)

    # Written around the app: the command counts every grid again.
    db.session.execute(update(Area).values(household_rows=0, reachable_households=5))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["recount-households"])
    assert result.exit_code == 0 and result.output.strip().endswith("areas recounted")
    assert_counters_match(district)
    check_everywhere(district)
    again = app.test_cli_runner().invoke(args=["recount-households"])
    assert again.output.strip() == "0 areas recounted"


def _second_writer_waits(first_rows: list, second_rows: list) -> None:
    """Two transactions of their own add rows at once: the first flushes and holds its lock (on
    SQLite, the database), the second must wait for its COMMIT, then commits too."""
    first, second = Session(db.engine), Session(db.engine)
    done = threading.Event()

    def other_writer():
        second.add_all(second_rows)
        second.commit()
        done.set()

    try:
        first.add_all(first_rows)
        first.flush()
        thread = threading.Thread(target=other_writer)
        thread.start()
        assert not done.wait(0.5)
        first.commit()
        thread.join(20)
        assert done.is_set()
    finally:
        first.close()
        second.close()
    db.session.expire_all()


def test_two_writers_adding_to_one_grid_at_once_are_both_counted(committing):
    """The counters move by increments under the grid row's lock: a second transaction writing
    to the grid waits for the first and then adds to what it committed (a recount from rows
    its snapshot could not see would lose one)."""
    street = make_area(level="street")
    grid = make_area(parent=make_area(level="community", parent=street))
    db.session.commit()
    _second_writer_waits(  # the first holds the grid's row until it commits
        [Household(area_id=grid.id, label="1-1-101", tags=[])],
        [Household(area_id=grid.id, label="1-1-102", tags=[])],
    )
    assert (grid.household_rows, grid.reachable_households) == (2, 2)


# --- the monthly sums (site_months, household_months) ---------------------------------------


def test_whole_months_part_months_and_both_match_the_recomputation(district):
    """Whole local months are read from the sums, the days around them from the rows."""
    site, household = district["sites"][1], district["households"][2]
    worker = district["people"][0]
    for at in (local(2026, 3, 31, 23, 59, 59), local(2026, 4, 1, 0, 0, 0)):
        make_checkin(site=site, user=worker, at=at, people_reached=2, materials_count=1)
        make_visit(household=household, user=worker, at=at, outcome="reached")
    # The month edge is 16:00 UTC: the second of each pair belongs to April.
    assert local(2026, 4, 1) == datetime(2026, 3, 31, 16, 0, tzinfo=UTC)
    db.session.commit()
    assert_month_sums_match()
    april = db.session.get(SiteMonth, (date(2026, 4, 1), site.id))
    march = db.session.get(SiteMonth, (date(2026, 3, 1), site.id))
    assert april is not None and march is not None
    for first, last in (
        (date(2026, 3, 1), date(2026, 3, 31)),  # one whole month
        (date(2026, 4, 1), date(2026, 4, 30)),
        (date(2026, 3, 5), date(2026, 3, 20)),  # days within a month
        (date(2026, 3, 31), date(2026, 4, 1)),  # across a month's edge, no whole month
        (date(2026, 3, 15), date(2026, 4, 30)),  # part of March, all of April
        (date(2026, 3, 1), date(2026, 4, 10)),  # all of March, part of April
        (date(2026, 2, 28), date(2026, 4, 1)),  # a day either side of a whole month
        (date(2026, 2, 20), date(2026, 5, 10)),  # two whole months and days either side
    ):
        check_everywhere(district, first, last)


def test_the_period_splits_into_whole_local_months_and_the_days_around_them():
    months, edges = coverage_sums.split(date(2026, 2, 28), date(2026, 4, 1))
    assert months == [date(2026, 3, 1)]
    assert edges == [
        (local(2026, 2, 28), local(2026, 3, 1)),
        (local(2026, 4, 1), local(2026, 4, 2)),
    ]
    assert coverage_sums.split(date(2026, 12, 1), date(2027, 1, 31))[0] == [
        date(2026, 12, 1),
        date(2027, 1, 1),
    ]
    assert coverage_sums.split(date(2026, 3, 2), date(2026, 3, 31)) == (
        [],
        [(local(2026, 3, 2), local(2026, 4, 1))],
    )


def _site_month(site: Site, at: datetime) -> tuple:
    db.session.flush()
    db.session.expire_all()
    row = db.session.get(SiteMonth, (at.astimezone(SHANGHAI).date().replace(day=1), site.id))
    return (row.checkins, row.people_reached, row.materials) if row else (0, 0, 0)


def test_every_checkin_writer_keeps_the_month_sums(app, district):
    """The check-in's own INSERT, a review either way, an author's amendment and a deletion."""
    site = next(s for s in district["sites"] if s.active)
    grid = db.session.get(Area, site.area_id)
    worker = make_user(role="worker", area=grid, grids=[grid])
    coordinator = make_user(role="coordinator")
    db.session.commit()
    now = datetime.now(UTC)
    before = _site_month(site, now)
    with app.test_request_context():
        checkin, created = checkins.record_checkin(
            worker,
            {
                "client_id": str(uuid.uuid4()),
                "token": qr.site_token(site),
                "lat": site.lat + 0.0001,
                "lng": site.lng,
                "accuracy_m": 8.0,
                "captured_at": now - timedelta(minutes=1),
                "people_reached": 7,
                "materials_count": 3,
            },
        )
    assert created and checkin.status == "accepted"
    assert _site_month(site, now) == (before[0] + 1, before[1] + 7, before[2] + 3)
    assert_month_sums_match()

    approved = make_checkin(site=site, user=worker, at=now, status="flagged", people_reached=5)
    rejected = make_checkin(site=site, user=worker, at=now, status="flagged", materials_count=9)
    assert _site_month(site, now) == (before[0] + 1, before[1] + 7, before[2] + 3)
    checkins.review_checkin(coordinator, approved, "approve")
    checkins.review_checkin(coordinator, rejected, "reject", "照片与点位不符")
    assert _site_month(site, now) == (before[0] + 2, before[1] + 12, before[2] + 3)
    assert_month_sums_match()

    checkins.amend_checkin(worker, checkin, {"people_reached": 1, "materials_count": 0})
    assert _site_month(site, now) == (before[0] + 2, before[1] + 6, before[2])
    assert_month_sums_match()

    db.session.delete(approved)
    assert _site_month(site, now) == (before[0] + 1, before[1] + 1, before[2])
    assert_month_sums_match()
    db.session.commit()
    check_everywhere(district, now.astimezone(SHANGHAI).date().replace(day=1), local_today())


def local_today() -> date:
    return datetime.now(SHANGHAI).date()


def _household_month(household: Household, at: datetime) -> tuple:
    db.session.flush()
    db.session.expire_all()
    key = (household.id, at.astimezone(SHANGHAI).date().replace(day=1))
    row = db.session.get(HouseholdMonth, key)
    return (row.area_id, row.visits, row.materials, row.reached) if row else None


def test_every_visit_writer_keeps_the_month_sums(district):
    """A visit recorded and amended, a visit deleted, a household moved to another grid."""
    household = district["households"][3]
    grid = db.session.get(Area, household.area_id)
    worker = make_user(role="worker", area=grid, grids=[grid])
    at = local(2026, 4, 30, 23, 59, 59)
    before = _household_month(household, at) or (grid.id, 0, 0, 0)
    visit, created = visits.record_visit(
        worker,
        {
            "client_id": str(uuid.uuid4()),
            "household_id": household.id,
            "outcome": "reached",
            "lat": 29.9,
            "lng": 121.55,
            "captured_at": at,
            "materials_count": 2,
        },
    )
    assert created
    assert _household_month(household, at) == (grid.id, before[1] + 1, before[2] + 2, before[3] + 1)
    assert_month_sums_match()

    visits.amend_visit(worker, visit, {"materials_count": 5})
    assert _household_month(household, at)[2] == before[2] + 5
    assert_month_sums_match()

    db.session.delete(visit)
    assert _household_month(household, at) == before
    assert_month_sums_match()

    target = next(
        g for g in district["grids"] if g.id != grid.id and g is not district["grids"][-1]
    )
    household.area_id = target.id
    assert _household_month(household, at)[0] == target.id
    assert_month_sums_match()
    db.session.commit()
    check_everywhere(district)


def test_the_command_puts_corrupted_month_sums_right(app, district):
    db.session.execute(update(SiteMonth).values(checkins=SiteMonth.checkins + 3))
    db.session.execute(delete(HouseholdMonth).where(HouseholdMonth.month == date(2026, 3, 1)))
    db.session.execute(update(HouseholdMonth).values(area_id=district["grids"][0].id))
    site = district["sites"][0]
    db.session.execute(
        insert(SiteMonth).values(site_id=site.id, month=date(2020, 1, 1), checkins=4)
    )
    db.session.commit()
    with pytest.raises(AssertionError):
        assert_month_sums_match()
    result = app.test_cli_runner().invoke(args=["recount-months"])
    assert result.exit_code == 0, result.output
    assert "site_months: 0 rows" not in result.output
    assert_month_sums_match()
    check_everywhere(district)
    again = app.test_cli_runner().invoke(args=["recount-months"])
    assert (
        again.output.strip() == "site_months: 0 rows recounted, household_months: 0 rows recounted"
    )


def test_two_evidence_writers_adding_to_one_month_at_once_are_both_counted(committing):
    """The sums move by increments (INSERT ... ON CONFLICT DO UPDATE): a second transaction
    adding to the same site's or household's month waits for the first, then adds to it."""
    street = make_area(level="street")
    grid = make_area(parent=make_area(level="community", parent=street))
    site, household = make_site(area=grid), make_household(area=grid)
    worker = make_user(role="worker", area=grid)
    db.session.commit()
    at = local(2026, 4, 15, 10)

    def evidence(n: int) -> list:
        common = {"user_id": worker.id, "captured_at": at + timedelta(minutes=n)}
        return [
            CheckIn(
                client_id=str(uuid.uuid4()),
                site_id=site.id,
                status="accepted",
                lat=site.lat,
                lng=site.lng,
                distance_m=1.0,
                people_reached=n,
                **common,
            ),
            Visit(
                client_id=str(uuid.uuid4()), household_id=household.id, outcome="reached", **common
            ),
        ]

    _second_writer_waits(evidence(1), evidence(2))  # the first holds the month's rows
    assert _site_month(site, at) == (2, 3, 0)
    assert _household_month(household, at) == (grid.id, 2, 0, 2)


# --- short periods and the grids' site counters ------------------------------------------------


def test_periods_of_a_day_or_two_match_the_recomputation(district):
    """A short period is read from its own rows (who worked, which sites were visited) and the
    grids' counters: evidence a second outside, a check-in flagged then approved inside, sites
    that ask for no visit, an inactive site visited, an unreachable household reached."""
    grids = district["grids"]
    worker, other = district["people"][0], district["people"][3]
    site = next(s for s in district["sites"] if s.active)
    idle = next(s for s in district["sites"] if not s.active)
    unasked = make_site(area=grids[1], visits_per_month=0)  # met without a visit
    make_site(area=grids[2], visits_per_month=0, active=False)
    household = next(h for h in district["households"] if not h.unreachable)
    unreachable = next(h for h in district["households"] if h.unreachable)
    for at in (local(2026, 3, 14, 23, 59, 59), local(2026, 3, 17, 0, 0, 0)):  # just outside
        make_checkin(site=site, user=other, at=at, people_reached=50)
        make_visit(household=household, user=other, at=at, outcome="reached")
    make_checkin(site=site, user=worker, at=local(2026, 3, 15, 0, 0, 0), materials_count=2)
    make_checkin(site=idle, user=worker, at=local(2026, 3, 16, 23, 59, 59), people_reached=4)
    make_checkin(site=unasked, user=worker, at=local(2026, 3, 16, 12))
    flagged = make_checkin(
        site=district["sites"][5],
        user=district["people"][5],
        at=local(2026, 3, 16, 9),
        status="flagged",
        reason="low_accuracy",
    )
    make_visit(household=unreachable, user=worker, at=local(2026, 3, 15, 8), outcome="reached")
    make_visit(household=household, user=worker, at=local(2026, 3, 16, 23, 59, 59))
    db.session.commit()
    days = [(date(2026, 3, 15), date(2026, 3, 15)), (date(2026, 3, 16), date(2026, 3, 16))]
    days += [(date(2026, 3, 15), date(2026, 3, 16)), (date(2026, 3, 14), date(2026, 3, 17))]
    for first, last in days:
        check_everywhere(district, first, last)
    checkins.review_checkin(make_user(role="coordinator"), flagged, "approve")
    db.session.commit()
    for first, last in days:
        check_everywhere(district, first, last)
    # Either side of the length at which coverage stops finding who worked from the rows.
    start = date(2026, 3, 10)
    for days_long in (coverage.FEW_DAYS, coverage.FEW_DAYS + 1):
        check_everywhere(district, start, start + timedelta(days=days_long - 1))
    one_day = coverage.compute(None, coverage.Period(date(2026, 3, 16), date(2026, 3, 16)))
    assert one_day["sites_met"] >= 1 and one_day["active_people"] >= 2


def assert_site_counters_match(district) -> None:
    """Each grid's stored site counters equal a count of its site rows."""
    db.session.expire_all()
    active = Site.active == True  # noqa: E712
    counted = {
        grid_id: (n, unasked)
        for grid_id, n, unasked in db.session.execute(
            select(
                Site.area_id,
                func.count(Site.id).filter(active),
                func.count(Site.id).filter(active, Site.visits_per_month <= 0),
            ).group_by(Site.area_id)
        )
    }
    for grid in district["grids"]:
        assert (grid.active_sites, grid.unasked_sites) == counted.get(grid.id, (0, 0)), grid.name


def test_every_site_writer_keeps_its_grids_counters(app, district):
    grids, admin = district["grids"], district["admin"]
    assert_site_counters_match(district)  # written through the ORM by the factories
    created = sites.create_site(
        admin,
        {"area_id": grids[0].id, "name": "新点位", "kind": "board", "lat": 29.9, "lng": 121.5},
    )
    sites.update_site(admin, created, {"visits_per_month": 0})
    deactivated = next(s for s in district["sites"] if s.active)
    sites.update_site(admin, deactivated, {"active": False})
    activated = next(s for s in district["sites"] if not s.active)
    sites.update_site(admin, activated, {"active": True, "visits_per_month": 0})
    moved = next(s for s in district["sites"] if s.active and s.area_id != grids[3].id)
    sites.update_site(admin, moved, {"area_id": grids[3].id})
    db.session.commit()
    assert_site_counters_match(district)
    assert grids[0].unasked_sites >= 1
    unvisited = make_site(area=grids[4])
    db.session.commit()
    db.session.delete(unvisited)
    report = site_import.import_sites(
        admin,
        csv_bytes(
            [
                ["grid", "name", "kind", "lat", "lng"],
                [grids[1].id, "导入点位一", "board", 29.9, 121.5],
                [grids[2].id, "导入点位二", "poster", 29.9, 121.5],
            ]
        ),
    )
    assert report.created == 2
    db.session.commit()
    assert_site_counters_match(district)
    check_everywhere(district)
    check_everywhere(district, date(2026, 4, 1), date(2026, 4, 1))

    # Written around the app: the command counts every grid again.
    db.session.execute(update(Area).values(active_sites=7, unasked_sites=1))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["recount-sites"])
    assert result.exit_code == 0 and result.output.strip().endswith("areas recounted")
    assert_site_counters_match(district)
    check_everywhere(district, date(2026, 4, 1), date(2026, 4, 2))
    again = app.test_cli_runner().invoke(args=["recount-sites"])
    assert again.output.strip() == "0 areas recounted"


def test_two_site_writers_in_one_grid_at_once_are_both_counted(committing):
    street = make_area(level="street")
    grid = make_area(parent=make_area(level="community", parent=street))
    db.session.commit()
    common = {"area_id": grid.id, "kind": "board", "lat": 29.9, "lng": 121.5}
    _second_writer_waits(
        [Site(name="一", **common)], [Site(name="二", visits_per_month=0, **common)]
    )
    assert (grid.active_sites, grid.unasked_sites) == (2, 1)
