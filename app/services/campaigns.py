"""Campaigns: a round of publicity over an area and a period, fanned out to one task per grid,
and rolled into the next month when it repeats."""

from __future__ import annotations

import calendar
import logging
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from app.errors import DomainError, Invalid, NotFound
from app.extensions import db
from app.labels import TARGET_KEY_LABELS
from app.models import Area, Campaign, Task, User
from app.models.base import utcnow
from app.policy import field_workers, require
from app.services import task_progress
from app.services.access import (
    effective_grids,
    require_area_in_scope,
    scope_area,
    subtree_clause,
)
from app.services.audit import record_event
from app.services.localtime import end_of_day, start_of_day, today
from app.services.notifications import events
from app.services.task_progress import COUNT_TARGET_KEY, FINAL_STATUSES
from app.services.tasks import grid_workers, may_work_in, visible_tasks

log = logging.getLogger(__name__)


def _check(data: dict[str, Any]) -> None:
    if data["ends_on"] < data["starts_on"]:
        raise Invalid(
            _l("the campaign ends before it starts"),
            {"ends_on": _l("must not be before starts_on")},
        )
    key = COUNT_TARGET_KEY.get(data["kind"])
    if key and not (data.get("targets") or {}).get(key):
        raise Invalid(
            _l(
                "%(target)s is required for this kind of campaign",
                target=TARGET_KEY_LABELS.get(key, key),
            ),
            {"targets": _l("targets.%(key)s is required", key=key)},
        )


def create_campaign(actor: User, data: dict[str, Any]) -> Campaign:
    """Create a campaign over an area the actor manages and fan it out to every grid under it."""
    require(actor, "create", "campaign")
    area = require_area_in_scope(actor, data["area_id"])
    _check(data)
    campaign = Campaign(
        title=data["title"],
        kind=data["kind"],
        area_id=area.id,
        area=area,
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        targets=data.get("targets") or {},
        repeat_monthly=data.get("repeat_monthly", False),
        force=data.get("force"),
        photo_required=data.get("photo_required", False),
        created_by_id=actor.id,
    )
    db.session.add(campaign)
    db.session.flush()
    tasks = fan_out(campaign)
    record_event(actor, "campaign.create", campaign, area_id=area.id, tasks=len(tasks))
    return with_tasks(actor, campaign)


def fan_out(campaign: Campaign, previous: Campaign | None = None) -> list[Task]:
    """One task per grid under the campaign's area (assignees carry over from `previous` where still
    valid), or, for a campaign of a force, one task per active person of that force in the area."""
    if campaign.force:
        return fan_out_per_person(campaign)
    grids = db.session.scalars(
        select(Area)
        .where(subtree_clause(Area.path, campaign.area.path), Area.level == "grid")
        .order_by(Area.path)
    ).all()
    if not grids:
        raise Invalid(_l("no grids under this area"), {"area_id": _l("has no grids")})
    grid_ids = [g.id for g in grids]
    targets = task_progress.targets_for_grids(campaign.kind, campaign.targets, grid_ids)
    defaults = grid_workers(grid_ids)
    carried = {t.area_id: t.assignees for t in previous.tasks} if previous is not None else {}
    tasks = []
    for grid in grids:
        people = [u for u in carried.get(grid.id, []) if may_work_in(u, grid)] or defaults[grid.id]
        task = _campaign_task(campaign, grid.id, targets[grid.id])
        task.assignees = list(people)
        db.session.add(
            task
        )  # now, so that an autoflush while building the next one finds it in the session
        tasks.append(task)
    db.session.flush()
    for task in tasks:
        events.task_assigned(task, task.assignees)
    return task_progress.settle(tasks)  # evidence already made in the period counts


def _campaign_task(campaign: Campaign, area_id: int, target: int, person_key: int = 0) -> Task:
    return Task(
        campaign=campaign,
        title=campaign.title,
        kind=campaign.kind,
        area_id=area_id,
        starts_at=start_of_day(campaign.starts_on),
        due_at=end_of_day(campaign.ends_on),
        target_count=target,
        targets=dict(campaign.targets),
        status="open",
        person_key=person_key,
        photo_required=bool(campaign.photo_required),
        created_by_id=campaign.created_by_id,
    )


def fan_out_per_person(campaign: Campaign) -> list[Task]:
    """One task per active field worker of the campaign's force in its area, each carrying the
    campaign's targets as that person's own (a rider sees one task, not one per grid)."""
    people = db.session.scalars(
        select(User)
        .join(Area, Area.id == User.area_id)
        .where(
            subtree_clause(Area.path, campaign.area.path),
            User.force == campaign.force,
            User.active == True,
            field_workers(User.role),
        )
        .options(selectinload(User.grids), selectinload(User.area))
        .order_by(User.id)
    ).all()
    if not people:
        raise Invalid(
            _l("nobody of this force works in this area"),
            {"force": _l("no active people of this force in area_id")},
        )
    tasks = []
    for person in people:
        task = _campaign_task(campaign, person.area_id, _person_target(campaign, person), person.id)
        task.assignees = [person]
        db.session.add(task)
        tasks.append(task)
    db.session.flush()
    return task_progress.settle(tasks)


def add_people(campaign: Campaign, people: list[User]) -> list[Task]:
    """A campaign of a force: a task of their own for each of `people` who has none in it yet
    (someone who joined the force or the area after the fan-out); returns the new tasks."""
    have = set(
        db.session.scalars(
            select(Task.person_key).where(
                Task.campaign_id == campaign.id, Task.person_key.in_([p.id for p in people])
            )
        )
    )
    tasks = []
    for person in people:
        if person.id in have:
            continue
        task = _campaign_task(campaign, person.area_id, _person_target(campaign, person), person.id)
        task.assignees = [person]
        db.session.add(task)
        tasks.append(task)
    db.session.flush()
    for task in tasks:
        events.task_assigned(task, task.assignees)
    return task_progress.settle(tasks)


def _person_target(campaign: Campaign, person: User) -> int:
    """A count campaign's target as is; otherwise the target of the grids the person works."""
    key = COUNT_TARGET_KEY.get(campaign.kind)
    if key:
        return int(campaign.targets.get(key) or 0)
    grid_ids = [g.id for g in effective_grids(person)]
    if not grid_ids:
        return 0
    return sum(task_progress.targets_for_grids(campaign.kind, campaign.targets, grid_ids).values())


def visible_campaigns(actor: User):
    """A select() of campaigns over the actor's area, inside it or above it (managers and leaders)."""
    require(actor, "read", "campaign")
    scope = scope_area(actor)
    query = select(Campaign)
    if scope is not None:
        ancestors = [int(part) for part in scope.path.strip("/").split("/")]
        inside = select(Area.id).where(subtree_clause(Area.path, scope.path))
        query = query.where(or_(Campaign.area_id.in_(inside), Campaign.area_id.in_(ancestors)))
    return query


def list_campaigns(actor: User, active_on: date | None = None):
    """Visible campaigns, newest first; `active_on` keeps those running on that day."""
    query = visible_campaigns(actor)
    if active_on is not None:
        query = query.where(Campaign.starts_on <= active_on, Campaign.ends_on >= active_on)
    return query.options(selectinload(Campaign.area)).order_by(
        Campaign.starts_on.desc(), Campaign.id.desc()
    )


def summarise(actor: User, campaigns: list[Campaign]) -> list[Campaign]:
    """Set `campaign.summary` (tasks, done, cancelled, overdue within the actor's area) in one query."""
    ids = [c.id for c in campaigns]
    unfinished = Task.status.not_in(FINAL_STATUSES)
    query = (
        visible_tasks(actor)
        .with_only_columns(
            Task.campaign_id,
            func.count(),
            func.sum(case((Task.status == "done", 1), else_=0)),
            func.sum(case((Task.status == "cancelled", 1), else_=0)),
            func.sum(case((unfinished & (Task.due_at < utcnow()), 1), else_=0)),
        )
        .where(Task.campaign_id.in_(ids))
        .group_by(Task.campaign_id)
    )
    rows = {r[0]: r[1:] for r in db.session.execute(query).all()}
    for campaign in campaigns:
        total, done, cancelled, overdue = rows.get(campaign.id, (0, 0, 0, 0))
        campaign.summary = {
            "tasks": total,
            "done": int(done or 0),
            "cancelled": int(cancelled or 0),
            "overdue": int(overdue or 0),
        }
    return campaigns


def visible_campaign(actor: User, campaign_id: int) -> Campaign:
    """A campaign the actor sees (404 otherwise), without its tasks."""
    campaign = db.session.scalar(visible_campaigns(actor).where(Campaign.id == campaign_id))
    if campaign is None:
        raise NotFound(_l("campaign not found"))
    return campaign


def get_campaign(actor: User, campaign_id: int) -> Campaign:
    """A visible campaign with the tasks inside the actor's area (and their progress)."""
    return with_tasks(actor, visible_campaign(actor, campaign_id))


def with_tasks(actor: User, campaign: Campaign) -> Campaign:
    """Set `campaign.scoped_tasks`: its tasks the actor may see, with progress."""
    query = (
        visible_tasks(actor)
        .where(Task.campaign_id == campaign.id)
        .options(selectinload(Task.assignees), selectinload(Task.sites), selectinload(Task.area))
        .join(Area, Area.id == Task.area_id)
        .order_by(Area.path)
    )
    campaign.scoped_tasks = task_progress.attach_progress(db.session.scalars(query).all())
    return campaign


def add_months(day: date, months: int, month_end: bool) -> date:
    """`day` moved by whole months; the last day of a month stays the last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, last if month_end else min(day.day, last))


def _next_period(campaign: Campaign, on: date) -> tuple[date, date]:
    """The first monthly repeat of the campaign's period that has not ended by `on`."""
    is_end = lambda d: d.day == calendar.monthrange(d.year, d.month)[1]  # noqa: E731
    months = 1
    while add_months(campaign.ends_on, months, is_end(campaign.ends_on)) < on:
        months += 1
    return (
        add_months(campaign.starts_on, months, False),
        add_months(campaign.ends_on, months, is_end(campaign.ends_on)),
    )


def roll_campaigns(on: date | None = None) -> list[Campaign]:
    """Create the next month of every repeating campaign that ended before `on` (default: today);
    running it twice creates nothing more (`previous_id` is unique)."""
    on = on or today()
    successor = aliased(Campaign)
    due = db.session.scalars(
        select(Campaign)
        .where(
            Campaign.repeat_monthly == True,
            Campaign.ends_on < on,
            ~exists().where(successor.previous_id == Campaign.id),
        )
        .options(selectinload(Campaign.tasks).selectinload(Task.assignees))
        .order_by(Campaign.id)
    ).all()
    created = []
    for previous in due:
        starts_on, ends_on = _next_period(previous, on)
        campaign = Campaign(
            title=previous.title,
            kind=previous.kind,
            area_id=previous.area_id,
            area=previous.area,
            starts_on=starts_on,
            ends_on=ends_on,
            targets=dict(previous.targets),
            repeat_monthly=True,
            force=previous.force,
            photo_required=previous.photo_required,
            previous_id=previous.id,
            created_by_id=previous.created_by_id,
        )
        try:
            with db.session.begin_nested():
                db.session.add(campaign)
                fan_out(campaign, previous)
        except IntegrityError:  # another run rolled it at the same moment
            log.info("campaign %s already rolled", previous.id)
            continue
        except DomainError as error:  # e.g. its area has no grids any more
            log.warning("campaign %s not rolled: %s", previous.id, error.message)
            continue
        record_event(
            None, "campaign.roll", campaign, previous_id=previous.id, tasks=len(campaign.tasks)
        )
        created.append(campaign)
    return created
