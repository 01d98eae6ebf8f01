"""A month of demo work ending today (Asia/Shanghai): check-ins at sites and door-to-door visits."""

from __future__ import annotations

import math
import random
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from app import geo
from app.demo.places import Grid, SiteRow, offset, random_point
from app.extensions import db
from app.models import CheckIn, Task, Visit
from app.models.household_month import count_visits
from app.models.site_month import count_checkins

if TYPE_CHECKING:
    from app.demo import People

TZ = ZoneInfo("Asia/Shanghai")
WINDOW_DAYS = 30
COUNTED_KINDS = ("screen", "board", "cinema", "clinic", "school", "service_window", "bank", "other")


class Clock:
    """Days of the demo month and working-hour moments in them, never in the future."""

    def __init__(self, now: datetime):
        self.now = now
        local = now.astimezone(TZ)
        self.today = local.date()
        self.hours_now = local.hour + local.minute / 60
        first = self.today - timedelta(days=WINDOW_DAYS - 1)
        days = [first + timedelta(days=i) for i in range(WINDOW_DAYS)]
        self.days = days if self.hours_now >= 9 else days[:-1]  # nothing has happened yet today
        self.weights = [0.45 if day.weekday() >= 5 else 1.0 for day in self.days]

    def at(self, day: date, hours: float) -> datetime:
        """Local `day` plus `hours`, in UTC."""
        return (datetime.combine(day, time(), tzinfo=TZ) + timedelta(hours=hours)).astimezone(UTC)

    def end_of(self, day: date) -> datetime:
        """The last second of local `day`, in UTC."""
        return self.at(day + timedelta(days=1), 0) - timedelta(seconds=1)

    def day(self, rng: random.Random) -> date:
        return rng.choices(self.days, self.weights)[0]

    def some_days(self, rng: random.Random, count: int) -> list[date]:
        """Up to `count` distinct days, in order."""
        return sorted({self.day(rng) for _ in range(count)})

    def moment(
        self, rng: random.Random, day: date, start: float = 8.5, end: float = 19.0
    ) -> datetime:
        """A moment between `start` and `end` o'clock on `day`, before now."""
        if day == self.today:
            end = min(end, self.hours_now - 0.1)
        return self.at(day, rng.uniform(min(start, end), end))

    def received(self, rng: random.Random, captured: datetime) -> datetime:
        """When the phone's report reached the server: seconds later, or hours for an offline phone."""
        late = timedelta(minutes=rng.randint(10, 300)) if rng.random() < 0.06 else timedelta(0)
        return min(self.now, captured + timedelta(seconds=rng.randint(1, 15)) + late)


def client_id(rng: random.Random) -> str:
    """A UUID4 drawn from the seeded generator, so that the demo is the same every run."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


class Links:
    """Which task a piece of evidence belongs to: by grid (visits) or by site (check-ins)."""

    def __init__(self):
        self.by_grid: dict[int, list[tuple[Task, set[int]]]] = defaultdict(list)
        self.by_site: dict[int, list[tuple[Task, set[int]]]] = defaultdict(list)

    @staticmethod
    def find(options: list[tuple[Task, set[int]]], user_id: int, moment: datetime) -> Task | None:
        for task, assignees in options:
            if user_id in assignees and task.starts_at <= moment <= task.due_at:
                return task
        return None


def _position(rng: random.Random, site: SiteRow, status: str) -> tuple[float, float, float]:
    """A fix (lat, lng, accuracy) that the check-in rules judge as `status`."""
    if status == "rejected":
        accuracy = rng.uniform(8, 40)
        distance = rng.uniform(site.radius_m + min(accuracy, 50) + 40, 1800)
    elif status == "flagged":
        accuracy = rng.uniform(120, 380)
        distance = rng.uniform(5, site.radius_m * 0.9)
    else:
        accuracy = rng.uniform(4, 35)
        distance = rng.triangular(2, site.radius_m * 0.85, 25)
    bearing = rng.uniform(0, 2 * math.pi)
    lat, lng = offset(
        site.lat, site.lng, distance * math.sin(bearing), distance * math.cos(bearing)
    )
    return round(lat, 6), round(lng, 6), round(accuracy, 1)


def _checker(rng: random.Random, site: SiteRow, people: People):
    """Mostly the grid's own workers; sometimes militia, volunteers, police, riders or a company's officer."""
    grid = site.grid
    pool = [(u, 6.0) for u in people.by_grid[grid.area.id]]
    for force, weight in (("militia", 1.0), ("volunteer", 1.0), ("police", 0.6), ("rider", 0.4)):
        pool += [(u, weight) for u in people.by_street.get((grid.street.index, force), [])]
    if site.kind == "company":
        pool += [(u, 10.0) for u in people.by_community.get(grid.community.id, [])]
    return rng.choices([u for u, _ in pool], [w for _, w in pool])[0]


def _checkin(
    rng, clock: Clock, site: SiteRow, user, captured: datetime, status: str, links: Links
) -> dict:
    lat, lng, accuracy = _position(rng, site, status)
    counted = site.kind in COUNTED_KINDS and status != "rejected"
    task = (
        None
        if status == "rejected"
        else links.find(links.by_site.get(site.id, []), user.id, captured)
    )
    return {
        "client_id": client_id(rng),
        "user_id": user.id,
        "site_id": site.id,
        "task_id": task.id if task else None,
        "lat": lat,
        "lng": lng,
        "accuracy_m": accuracy,
        "distance_m": round(geo.distance_m(lat, lng, site.lat, site.lng), 1),
        "captured_at": captured,
        "received_at": clock.received(rng, captured),
        "status": status,
        "reason": {"rejected": "out_of_range", "flagged": "poor_accuracy"}.get(status),
        "people_reached": rng.randint(3, 60) if counted else None,
        "materials_count": rng.randint(5, 40)
        if status != "rejected" and rng.random() < 0.6
        else None,
        "note": None,
        "reviewed_by_id": None,
        "reviewed_at": None,
        "review_note": None,
    }


def _review(rng: random.Random, row: dict, coordinator) -> None:
    """A coordinator's decision on an older flagged check-in: mostly approved (GPS drift)."""
    approve = rng.random() < 0.75
    row["status"] = "accepted" if approve else "rejected"
    row["reviewed_by_id"], row["reviewed_at"] = (
        coordinator.id,
        row["received_at"] + timedelta(hours=rng.randint(2, 30)),
    )
    row["review_note"] = "已电话核实,定位漂移" if approve else "现场照片与点位不符"


def build_checkins(
    rng: random.Random, clock: Clock, sites: list[SiteRow], people: People, links: Links
) -> list[dict]:
    """Each active site visited about as often as it requires, more often in streets that work well."""
    rows = []
    for site in sites:
        if not site.active:
            continue
        keen = rng.random() < site.grid.performance
        wanted = site.visits_per_month + rng.choice((0, 0, 1, 1, 2, 3)) if keen else 0
        for day in clock.some_days(rng, wanted):
            user, captured = _checker(rng, site, people), clock.moment(rng, day)
            roll = rng.random()
            status = "rejected" if roll < 0.04 else "flagged" if roll < 0.12 else "accepted"
            rows.append(_checkin(rng, clock, site, user, captured, status, links))
            reviewed = (
                rng.random() < 0.8
            )  # drawn every time, so that the sequence never depends on the date
            if status == "flagged" and reviewed and captured < clock.now - timedelta(days=2):
                _review(rng, rows[-1], people.coordinators[site.grid.street.index])
            if status == "rejected" and rng.random() < 0.7:  # walked closer and tried again
                again = min(clock.now, captured + timedelta(minutes=rng.randint(3, 15)))
                rows.append(_checkin(rng, clock, site, user, again, "accepted", links))
    db.session.execute(insert(CheckIn), rows)
    count_checkins(db.session.connection(), rows)  # the sites' monthly sums, as every writer
    return rows


def build_rider_drops(
    rng: random.Random, clock: Clock, tasks: list[Task], sites: list[SiteRow]
) -> list[dict]:
    """Riders check in at a grid's sites as they hand out leaflets with their deliveries."""
    rows, by_grid = [], defaultdict(list)
    for site in sites:
        if site.active:
            by_grid[site.grid.area.id].append(site)
    for task in (t for t in tasks if t.kind == "rider_drop"):
        first = task.starts_at.astimezone(TZ).date()
        days = [day for day in clock.days if day >= first]
        for _ in range(rng.randint(2, 8) if days and by_grid[task.area_id] else 0):
            site, rider = rng.choice(by_grid[task.area_id]), rng.choice(task.assignees)
            row = _checkin(
                rng,
                clock,
                site,
                rider,
                clock.moment(rng, rng.choice(days), 11, 21),
                "accepted",
                Links(),
            )
            row.update(task_id=task.id, materials_count=rng.randint(15, 45), people_reached=None)
            rows.append(row)
    db.session.execute(insert(CheckIn), rows)
    count_checkins(db.session.connection(), rows)  # the sites' monthly sums, as every writer
    return rows


def _visit(
    rng, clock: Clock, grid: Grid, household_id: int, user, day: date, outcome: str, links: Links
) -> dict:
    captured = clock.moment(rng, day, 9.0, 20.0)
    lat, lng = random_point(rng, grid.area.center_lat, grid.area.center_lng, grid.radius_m * 0.8)
    flag = None
    if rng.random() < 0.012:  # recorded on the way home, far from the grid
        lat, lng, flag = (
            lat + rng.uniform(0.012, 0.02),
            lng - rng.uniform(0.012, 0.02),
            "outside_grid",
        )
    task = links.find(links.by_grid.get(grid.area.id, []), user.id, captured)
    reached = outcome == "reached"
    return {
        "client_id": client_id(rng),
        "household_id": household_id,
        "area_id": grid.area.id,  # the household's grid
        "user_id": user.id,
        "task_id": task.id if task else None,
        "outcome": outcome,
        "lat": round(lat, 6),
        "lng": round(lng, 6),
        "accuracy_m": round(rng.uniform(5, 40), 1),
        "captured_at": captured,
        "received_at": clock.received(rng, captured),
        "app_installed": reached and rng.random() < 0.42,
        "materials_count": rng.randint(1, 3)
        if reached
        else (rng.choice((0, 1)) if outcome == "not_home" else 0),
        "flag_reason": flag,
    }


def build_visits(
    rng: random.Random, clock: Clock, grids: list[Grid], people: People, links: Links
) -> list[dict]:
    """Door-to-door visits by each grid's own workers; well-run grids reach most of their households."""
    rows = []
    for grid in grids:
        workers = people.by_grid[grid.area.id]
        reach = grid.performance * 0.85
        for household_id, unreachable in grid.households:
            if unreachable:
                continue
            roll = rng.random()
            if roll < reach:
                days = clock.some_days(rng, 2)
                if len(days) == 2 and rng.random() < 0.25:
                    rows.append(
                        _visit(
                            rng,
                            clock,
                            grid,
                            household_id,
                            rng.choice(workers),
                            days[0],
                            "not_home",
                            links,
                        )
                    )
                rows.append(
                    _visit(
                        rng,
                        clock,
                        grid,
                        household_id,
                        rng.choice(workers),
                        days[-1],
                        "reached",
                        links,
                    )
                )
            elif roll < reach + 0.03:
                rows.append(
                    _visit(
                        rng,
                        clock,
                        grid,
                        household_id,
                        rng.choice(workers),
                        clock.day(rng),
                        "refused",
                        links,
                    )
                )
            elif rng.random() < 0.35:
                rows.append(
                    _visit(
                        rng,
                        clock,
                        grid,
                        household_id,
                        rng.choice(workers),
                        clock.day(rng),
                        "not_home",
                        links,
                    )
                )
    db.session.execute(insert(Visit), rows)
    count_visits(db.session.connection(), rows)  # the households' monthly sums, as every writer
    return rows
