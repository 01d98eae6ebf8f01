"""The door-to-door sheet a worker's phone shows: a grid's households, those not yet visited first."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import false, func, select

from app.errors import NotFound
from app.extensions import db
from app.models import Area, Household, Task, User, Visit
from app.models.base import utcnow
from app.models.task import task_assignees
from app.policy import can, is_field_worker
from app.services.access import filter_by_scope
from app.services.households import (
    ACTIVE_TASK_STATUSES,
    building_of,
    normalize_label,
    worker_grid_ids,
    works_in,
)
from app.services.visits import is_assignee

# The best outcome of a period decides a household's state; "todo" sorts first.
STATE_ORDER = {"todo": 0, "not_home": 1, "refused": 2, "reached": 3}
_NUMBER = re.compile(r"(\d+)")


@dataclass
class SheetRow:
    household: Household
    state: str
    building: str
    visits: int


@dataclass
class Sheet:
    grid: Area
    task: Task | None
    since: datetime
    rows: list[SheetRow]

    @property
    def visited(self) -> int:
        return sum(1 for row in self.rows if row.state != "todo")

    @property
    def reached(self) -> int:
        return sum(1 for row in self.rows if row.state == "reached")


def natural_key(label: str) -> list:
    """ "2-1-101" before "12-1-101": numbers compare as numbers."""
    return [
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in _NUMBER.split(label)
        if part
    ]


def month_start(now: datetime | None = None) -> datetime:
    """The first moment of the current month in the district's time zone, in UTC."""
    local = (now or utcnow()).astimezone(ZoneInfo(current_app.config["TIMEZONE"]))
    first = datetime.combine(local.date().replace(day=1), time.min, tzinfo=local.tzinfo)
    return first.astimezone(UTC)


def task_start(task: Task) -> datetime:
    """Visits count for a task from its start (or its campaign's first day, or its creation)."""
    if task.starts_at is not None:
        return task.starts_at
    if task.campaign is not None:
        zone = ZoneInfo(current_app.config["TIMEZONE"])
        return datetime.combine(task.campaign.starts_on, time.min, tzinfo=zone).astimezone(UTC)
    return task.created_at


def my_grids(actor: User):
    """A select() of the grids whose households the actor visits, by name: a worker's own and tasked
    ones; a manager's in scope; none for anyone else."""
    query = select(Area).where(Area.level == "grid")
    if is_field_worker(actor):
        query = query.where(Area.id.in_(worker_grid_ids(actor).scalar_subquery()))
    elif can(actor, "record", "visit"):
        query = filter_by_scope(query, actor, Area.id)
    else:
        query = query.where(false())
    return query.order_by(Area.name, Area.id)


def my_door_tasks(actor: User) -> list[Task]:
    """Open door-to-door tasks assigned to the actor, soonest due first."""
    query = (
        select(Task)
        .join(task_assignees, task_assignees.c.task_id == Task.id)
        .where(
            task_assignees.c.user_id == actor.id,
            Task.kind == "door_to_door",
            Task.status.in_(ACTIVE_TASK_STATUSES),
        )
    )
    return list(db.session.scalars(query.order_by(Task.due_at)))


def grid_for(actor: User, grid_id: int) -> Area:
    """A grid the actor may visit (404 otherwise)."""
    grid = db.session.get(Area, grid_id)
    mine = (
        grid is not None
        and grid.level == "grid"
        and (
            works_in(actor, grid.id)
            if is_field_worker(actor)
            else can(actor, "record", "visit", grid)
        )
    )
    if not mine:
        raise NotFound(_l("grid not found"))
    return grid


def task_for(actor: User, task_id: int) -> Task:
    """A task the actor records visits for: assigned to them, or (managers) in their area."""
    task = db.session.get(Task, task_id)
    mine = task is not None and (
        is_assignee(actor, task.id)
        if is_field_worker(actor)
        else can(actor, "record", "visit", task)
    )
    if not mine or task.area.level != "grid":
        raise NotFound(_l("task not found"))
    return task


def build_sheet(
    grid: Area, since: datetime, task: Task | None = None, q: str | None = None
) -> Sheet:
    """Reachable households of the grid with their best outcome since `since`: two queries."""
    query = select(Household).where(Household.area_id == grid.id, Household.unreachable.is_(False))
    if q:
        query = query.where(Household.label.startswith(normalize_label(q), autoescape=True))
    households = db.session.scalars(query).all()
    outcomes = db.session.execute(
        select(Visit.household_id, Visit.outcome, func.count())
        .join(Household, Visit.household_id == Household.id)
        .where(Household.area_id == grid.id, Visit.captured_at >= since)
        .group_by(Visit.household_id, Visit.outcome)
    ).all()
    best: dict[int, str] = {}
    counts: dict[int, int] = {}
    for household_id, outcome, count in outcomes:
        counts[household_id] = counts.get(household_id, 0) + count
        if STATE_ORDER[outcome] > STATE_ORDER[best.get(household_id, "todo")]:
            best[household_id] = outcome
    rows = [
        SheetRow(h, best.get(h.id, "todo"), building_of(h.label), counts.get(h.id, 0))
        for h in households
    ]
    rows.sort(key=lambda r: (STATE_ORDER[r.state], natural_key(r.household.label)))
    return Sheet(grid=grid, task=task, since=since, rows=rows)
