"""Demo campaigns and tasks, risk warnings and fraud cases."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import insert, select

from app.demo.activity import Clock, Links
from app.demo.data import FRAUD_TYPES, SURNAMES, WARNING_NOTES, WARNING_RISKS
from app.demo.places import Grid, SiteRow, Street, random_point
from app.extensions import db
from app.models import Campaign, FraudCase, RiskWarning, Site, Task

if TYPE_CHECKING:
    from app.demo import People

DEFAULT_DEADLINE_HOURS = {"high": 2, "medium": 24, "low": 72}
HANDLED = "handled"
# Cases per 10,000 residents in the last 30 days for a street of case weight 1; the 30 days before
# were lower where cases are rising (heavy streets) and a little higher elsewhere.
CASE_RATE = 1.0


@dataclass
class Plan:
    """One campaign to create: what, where, when, and which forces do its tasks."""

    title: str
    kind: str
    street: Street
    starts_on: date
    ends_on: date
    targets: dict
    forces: tuple[str, ...]
    repeat_monthly: bool = False


def _plans(clock: Clock, streets: list[Street]) -> list[Plan]:
    today = clock.today
    month_start = today.replace(day=1)
    month_end = (month_start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    by_key = {s.key: s for s in streets}
    plans = [
        Plan(
            f"{s.area.name}{today.month}月入户宣传",
            "door_to_door",
            s,
            month_start,
            month_end,
            {"household_rounds": 1},
            ("grid_worker",),
            True,
        )
        for s in streets
    ]
    return plans + [
        Plan(
            "宣传点位月度巡查(每点位2次)",
            "site_check",
            by_key["wenjiao"],
            today - timedelta(days=20),
            today + timedelta(days=10),
            {"site_visits": 2},
            ("grid_worker", "volunteer"),
        ),
        Plan(
            "骑手送单反诈宣传",
            "rider_drop",
            by_key["kongpu"],
            today - timedelta(days=14),
            today + timedelta(days=16),
            {"leaflets": 200},
            ("rider",),
        ),
        Plan(
            "国家反诈中心APP推广月",
            "app_promotion",
            by_key["yongjiang"],
            today - timedelta(days=28),
            today - timedelta(days=3),
            {"app_installs": 12},
            ("grid_worker", "militia"),
        ),
        Plan(
            "反诈联盟讲师团进社区",
            "lecture",
            by_key["cicheng"],
            today + timedelta(days=3),
            today + timedelta(days=24),
            {"lectures": 1},
            ("volunteer", "police"),
        ),
    ]


def _target(plan: Plan, grid: Grid, own_sites: list[Site]) -> int:
    """The grid's share of the campaign's target, as the campaign fan-out computes it."""
    if plan.kind == "door_to_door":
        return sum(1 for _, unreachable in grid.households if not unreachable)
    if plan.kind == "site_check":
        return len(own_sites) * plan.targets["site_visits"]
    return next(iter(plan.targets.values()))


def build_campaigns(
    clock: Clock,
    streets: list[Street],
    grids: list[Grid],
    sites: list[SiteRow],
    people: People,
    links: Links,
) -> tuple[int, list[Task]]:
    """A few campaigns, fanned out into one task per grid of their street, assigned by force."""
    wenjiao = {g.area.id for g in grids if g.street.key == "wenjiao"}
    wanted = [s.id for s in sites if s.active and s.grid.area.id in wenjiao]
    active = defaultdict(list)
    for site in db.session.scalars(select(Site).where(Site.id.in_(wanted)).order_by(Site.id)):
        active[site.area_id].append(site)
    tasks = []
    for plan in _plans(clock, streets):
        coordinator = people.coordinators[plan.street.index]
        starts_at, due_at = clock.at(plan.starts_on, 0), clock.end_of(plan.ends_on)
        created_at = min(clock.now, starts_at - timedelta(days=2))
        campaign = Campaign(
            title=plan.title,
            kind=plan.kind,
            area_id=plan.street.area.id,
            starts_on=plan.starts_on,
            ends_on=plan.ends_on,
            targets=plan.targets,
            repeat_monthly=plan.repeat_monthly,
            created_by_id=coordinator.id,
            created_at=created_at,
        )
        for grid in (g for g in grids if g.street is plan.street):
            assignees = []
            for force in plan.forces:
                assignees += (
                    people.by_grid[grid.area.id]
                    if force == "grid_worker"
                    else people.by_street.get((plan.street.index, force), [])
                )
            own_sites = active[grid.area.id] if plan.kind == "site_check" else []
            task = Task(
                campaign=campaign,
                title=plan.title,
                kind=plan.kind,
                area_id=grid.area.id,
                starts_at=starts_at,
                due_at=due_at,
                targets=plan.targets,
                target_count=_target(plan, grid, own_sites),
                created_by_id=coordinator.id,
                created_at=created_at,
                status="open",
                reported_count=0,
                assignees=assignees,
                sites=own_sites,
            )
            tasks.append(task)
            ids = {u.id for u in assignees}
            if plan.kind in ("door_to_door", "app_promotion"):
                links.by_grid[grid.area.id].append((task, ids))
            for site_id in [s.id for s in own_sites] or (
                grid.site_ids if plan.kind == "rider_drop" else []
            ):
                links.by_site[site_id].append((task, ids))
        db.session.add(campaign)
    db.session.flush()
    return len(_plans(clock, streets)), tasks


def _subject(rng: random.Random) -> str:
    sex = rng.choice(("男", "女"))
    return (
        f"{rng.choice(SURNAMES)}某某({sex},{rng.randint(19, 82)}岁,{rng.choice(WARNING_RISKS)}风险)"
    )


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice(('38', '39', '58', '59', '88', '36', '37', '77', '86'))}{rng.randint(0, 99_999_999):08d}"


def _warning(
    rng, clock: Clock, grid: Grid, people: People, level: str, created, hours: int, handled: bool
) -> RiskWarning:
    police = people.by_street[(grid.street.index, "police")][0]
    warning = RiskWarning(
        level=level,
        area_id=grid.area.id,
        subject_label=_subject(rng),
        phone=_phone(rng),
        status="open",
        deadline_at=created + timedelta(hours=hours),
        created_by_id=police.id,
        created_at=created,
    )
    late = rng.random() < 0.15
    handled_at = created + timedelta(
        hours=hours * (rng.uniform(1.05, 1.8) if late else rng.uniform(0.1, 0.9))
    )
    result = rng.choices(("dissuaded", "unreachable", "already_defrauded"), (78, 14, 8))[0]
    note, handler = (
        rng.choice(WARNING_NOTES[result]),
        rng.choice([police, *people.by_grid[grid.area.id]]),
    )
    lat, lng = random_point(rng, grid.area.center_lat, grid.area.center_lng, grid.radius_m * 0.8)
    if handled and handled_at < clock.now:
        warning.status, warning.result, warning.note, warning.handled_by_id = (
            HANDLED,
            result,
            note,
            handler.id,
        )
        warning.handled_at, warning.handled_lat, warning.handled_lng = (
            handled_at,
            round(lat, 6),
            round(lng, 6),
        )
    return warning


def build_warnings(rng: random.Random, clock: Clock, grids: list[Grid], people: People) -> int:
    """About three warnings a day, most handled in time; a few open, a few overdue, of every level."""
    deadlines = current_app.config.get("WARNING_DEADLINE_HOURS", DEFAULT_DEADLINE_HOURS)
    weights = [g.street.case_weight for g in grids]
    warnings = []
    for _ in range(90):
        level = rng.choices(("high", "medium", "low"), (15, 35, 50))[0]
        grid = rng.choices(grids, weights)[0]
        created = clock.at(clock.day(rng), rng.uniform(7, 22))
        created = min(created, clock.now - timedelta(minutes=rng.randint(5, 600)))
        overdue = created + timedelta(hours=deadlines[level]) < clock.now
        handled = rng.random() < (0.96 if overdue else 0.4)
        warnings.append(
            _warning(rng, clock, grid, people, level, created, deadlines[level], handled)
        )
    # Today's board always has something: open ones of every level, within and past their deadline.
    for level, hours_ago in (
        ("high", 0.5),
        ("high", 3),
        ("medium", 2),
        ("medium", 30),
        ("low", 20),
        ("low", 100),
    ):
        created = clock.now - timedelta(hours=hours_ago)
        warnings.append(
            _warning(
                rng,
                clock,
                rng.choices(grids, weights)[0],
                people,
                level,
                created,
                deadlines[level],
                False,
            )
        )
    db.session.add_all(warnings)
    return len(warnings)


def _loss(rng: random.Random, low: int, high: int) -> Decimal:
    value = math.exp(rng.uniform(math.log(low), math.log(high)))
    return Decimal(round(value / 10) * 10).quantize(Decimal("0.01"))


def _case_counts(streets: list[Street]) -> list[tuple[Street, int, int]]:
    """(street, days back to the period's start, cases): fixed by population and weight alone."""
    counts = []
    for street in streets:
        for first_day, trend in ((0, 1.0), (30, 0.6 if street.case_weight >= 2 else 1.15)):
            counts.append(
                (
                    street,
                    first_day,
                    round(CASE_RATE * street.case_weight * trend * street.area.population / 10_000),
                )
            )
    return counts


def build_cases(
    rng: random.Random,
    clock: Clock,
    streets: list[Street],
    grids: list[Grid],
    people: People,
    reached: set[int],
) -> int:
    """Cases over the last two months; heavy streets rising, so that cards show red and yellow."""
    types = [t[0] for t in FRAUD_TYPES]
    table = {t[0]: t for t in FRAUD_TYPES}
    rows = []
    for street, first_day, count in _case_counts(streets):
        police = people.by_street[(street.index, "police")][0]
        street_grids = [g for g in grids if g.street is street]
        for _ in range(count):
            grid = rng.choice(street_grids)
            occurred = clock.today - timedelta(days=first_day + rng.randint(0, 29))
            kind = rng.choices(types, [t[1] for t in FRAUD_TYPES])[0]
            homes = [h for h, unreachable in grid.households if not unreachable]
            unvisited = [h for h in homes if h not in reached] or homes
            # Most victims' households had never been reached: what the back-check (倒查) should find.
            linked, prefer_unvisited = rng.random() < 0.6, rng.random() < 0.8
            rows.append(
                {
                    "area_id": grid.community.id,
                    "occurred_on": occurred,
                    "fraud_type": kind,
                    "loss_amount": _loss(rng, *table[kind][2]),
                    "victim_age_band": rng.choice(table[kind][3]),
                    "household_id": rng.choice(unvisited if prefer_unvisited else homes)
                    if linked
                    else None,
                    "created_by_id": police.id,
                    "created_at": min(
                        clock.now,
                        clock.at(occurred, rng.uniform(9, 18)) + timedelta(days=rng.randint(0, 2)),
                    ),
                }
            )
    db.session.execute(insert(FraudCase), rows)
    return len(rows)
