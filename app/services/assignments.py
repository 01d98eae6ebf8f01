"""Assigning people to tasks in bulk: the campaign's grid × people table, a force to every task of
a kind, and moving someone's tasks when they leave. Every rule of tasks.resolve_assignees holds:
people of the coordinator's area, active field workers whose area contains the task's grid."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.errors import Forbidden, Invalid
from app.extensions import db
from app.models import Area, Campaign, Task, User
from app.models.task import task_assignees
from app.policy import field_workers, require
from app.services import campaigns as campaign_service
from app.services.access import (
    filter_by_scope,
    is_id,
    require_area_in_scope,
    subtree_clause,
    within_scope,
)
from app.services.audit import record_event
from app.services.localtime import today
from app.services.notifications import events
from app.services.task_progress import FINAL_STATUSES
from app.services.tasks import may_work_in, visible_tasks

# Past these the table would pass a screen (18 grids × 23 people made it 5,000 px tall): the
# people list for assignment (assignment_list) does the work instead.
MATRIX_MAX_TASKS = 12
MATRIX_MAX_PEOPLE = 12


def people_for(actor: User, grids: list[Area], force: str | None = None) -> list[User]:
    """Active field workers of the actor's area who may work in at least one of `grids`."""
    around = {int(part) for grid in grids for part in grid.path.strip("/").split("/")}
    query = (
        filter_by_scope(select(User), actor, User.area_id)
        .where(field_workers(User.role), User.active == True, User.area_id.in_(around))
        .options(selectinload(User.area))
        .order_by(User.force, User.display_name, User.id)
    )
    if force:
        query = query.where(User.force == force)
    return list(db.session.scalars(query))


def assignment_table(actor: User, campaign: Campaign, force: str | None = None) -> dict[str, Any]:
    """Rows: the campaign's tasks the actor sees; columns: the people who may work in them;
    cells: assigned, and whether the person may be assigned there at all."""
    tasks = [t for t in campaign.scoped_tasks if t.status != "cancelled"]
    if campaign.force:  # one task per person: nothing to tick, each task has its person
        return {"people": [], "rows": [], "per_person": True, "too_big": False}
    people = people_for(actor, [t.area for t in tasks], force)
    if len(tasks) > MATRIX_MAX_TASKS or len(people) > MATRIX_MAX_PEOPLE:
        # Past a screen: the people list, bulk assignment by force and area, hand-over.
        return {
            "people": people,
            "rows": [],
            "per_person": False,
            "too_big": True,
            "tasks": len(tasks),
        }
    rows = [
        {
            "task": t,
            "cells": [
                {"user": p, "assigned": p.id in t.assignee_ids, "eligible": may_work_in(p, t.area)}
                for p in people
            ],
        }
        for t in tasks
    ]
    return {"people": people, "rows": rows, "per_person": False, "too_big": False}


def set_assignments(actor: User, wanted: dict[int, list[int]], shown: list[int]) -> int:
    """Set each task's assignees among the `shown` people to `wanted[task_id]`; others stay. Returns tasks changed."""
    require(actor, "assign", "task")
    tasks = db.session.scalars(
        visible_tasks(actor)
        .where(Task.id.in_(list(wanted)))
        .options(selectinload(Task.assignees), selectinload(Task.area))
    ).all()
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(shown)))}
    if any(u.area is None or not within_scope(actor, u.area) for u in people.values()):
        raise Forbidden(
            _l("person outside your area"), {"assignee_ids": _l("not one of your people")}
        )
    changes = {}
    for task in tasks:
        require(actor, "update", "task", task)
        keep = [u for u in task.assignees if u.id not in people]
        chosen = [people[i] for i in wanted[task.id] if i in people]
        if any(not may_work_in(u, task.area) for u in chosen):
            raise Invalid(
                _l("assignee cannot work in this grid"),
                {"assignee_ids": _l("cannot work in %(grid)s", grid=task.area.name)},
            )
        if {u.id for u in keep + chosen} != set(task.assignee_ids):
            before = sorted(task.assignee_ids)
            task.assignees = keep + chosen
            events.task_assigned(task, [u for u in chosen if u.id not in before])
            changes[f"task {task.id} assignee_ids"] = {
                "old": before,
                "new": sorted(task.assignee_ids),
            }
    db.session.flush()
    record_event(
        actor,
        "task.assign_table",
        None,
        task_ids=sorted(wanted),
        fields=sorted(changes),
        changes=changes,
    )
    return len(changes)


def _tasks_under(actor: User, area: Area, kind: str | None, campaign_id: int | None):
    query = (
        filter_by_scope(select(Task), actor, Task.area_id)
        .join(Area, Area.id == Task.area_id)
        .where(subtree_clause(Area.path, area.path), Task.status.not_in(FINAL_STATUSES))
        .options(selectinload(Task.assignees), selectinload(Task.area))
        .order_by(Task.id)
    )
    if kind:
        query = query.where(Task.kind == kind)
    if campaign_id is not None:
        query = query.where(Task.campaign_id == campaign_id)
    return db.session.scalars(query).all()


def check_people(actor: User, raw: dict, _obj=None) -> None:
    """Before the body is validated (the policy has let the actor assign): the people it names."""
    for field in ("from_user_id", "to_user_id"):
        if is_id(raw.get(field)):
            _person(actor, raw[field], field)


def bulk_assign(actor: User, data: dict[str, Any]) -> dict[str, int]:
    """Give every unfinished task under an area (of a kind or campaign) the people of a force there."""
    require(actor, "assign", "task")
    area = require_area_in_scope(actor, data["area_id"])
    if not data.get("kind") and data.get("campaign_id") is None:
        raise Invalid(_l("say which tasks"), {"kind": _l("give kind or campaign_id")})
    people = db.session.scalars(
        select(User)
        .join(Area, Area.id == User.area_id)
        .where(
            field_workers(User.role),
            User.active == True,
            User.force == data["force"],
            subtree_clause(Area.path, area.path),
        )
        .options(selectinload(User.area))
        .order_by(User.id)
    ).all()
    campaign_id = data.get("campaign_id")
    if campaign_id is not None:
        campaign = campaign_service.visible_campaign(actor, campaign_id)
        if campaign.force:
            return _own_tasks(actor, area, campaign, people, data)
    added, changes = 0, {}
    for task in _tasks_under(actor, area, data.get("kind"), campaign_id):
        if task.person_key:
            continue  # one person's own task in a campaign of a force: never anyone else's
        eligible = [p for p in people if may_work_in(p, task.area)]
        before = {u.id for u in task.assignees}
        keep = [] if data.get("mode") == "replace" else list(task.assignees)
        task.assignees = keep + [p for p in eligible if p.id not in {u.id for u in keep}]
        after = {u.id for u in task.assignees}
        events.task_assigned(task, [u for u in task.assignees if u.id not in before])
        added += len(after - before)
        if after != before:
            changes[f"task {task.id} assignee_ids"] = {"old": sorted(before), "new": sorted(after)}
    db.session.flush()
    record_event(
        actor,
        "task.bulk_assign",
        area,
        force=data["force"],
        kind=data.get("kind"),
        campaign_id=data.get("campaign_id"),
        tasks=len(changes),
        added=added,
        fields=sorted(changes),
        changes=changes,
    )
    return {"tasks": len(changes), "added": added, "people": len(people)}


def _own_tasks(
    actor: User, area: Area, campaign: Campaign, people: list[User], data: dict[str, Any]
) -> dict[str, int]:
    """A campaign of a force: each of the people (of that force, inside the campaign's area) gets
    a task of their own, as its fan-out gave them; nobody joins someone else's."""
    if data["force"] != campaign.force:
        raise Invalid(
            _l("this campaign is for one force only"),
            {"force": _l("the campaign is for another force")},
        )
    if campaign.ends_on < today():
        raise Invalid(_l("the campaign is over"), {"campaign_id": _l("ended")})
    if data.get("mode") == "replace":
        raise Invalid(
            _l("each person of this campaign has a task of their own"),
            {"mode": _l("replace does not apply to a campaign of a force")},
        )
    inside = [p for p in people if p.area.is_within(campaign.area)]
    new = campaign_service.add_people(campaign, inside)
    record_event(
        actor,
        "task.bulk_assign",
        area,
        force=data["force"],
        kind=data.get("kind"),
        campaign_id=campaign.id,
        tasks=len(new),
        added=len(new),
        user_ids=sorted(t.person_key for t in new),
    )
    return {"tasks": len(new), "added": len(new), "people": len(people)}


def reassign(actor: User, data: dict[str, Any]) -> dict[str, Any]:
    """Move someone's unfinished tasks to another person (or just off them, when they left)."""
    require(actor, "assign", "task")
    leaving = _person(actor, data["from_user_id"], "from_user_id")
    successor = _person(actor, data["to_user_id"], "to_user_id") if data.get("to_user_id") else None
    query = (
        filter_by_scope(visible_tasks(actor), actor, Task.area_id)
        .where(
            Task.id.in_(
                select(task_assignees.c.task_id).where(task_assignees.c.user_id == leaving.id)
            ),
            Task.status.not_in(FINAL_STATUSES),
        )
        .options(selectinload(Task.assignees), selectinload(Task.area))
    )
    moved, skipped = [], []
    for task in db.session.scalars(query):
        task.assignees = [u for u in task.assignees if u.id != leaving.id]
        if successor is not None and may_work_in(successor, task.area):
            if successor not in task.assignees:
                task.assignees.append(successor)
                events.task_assigned(task, [successor])
        elif successor is not None:
            skipped.append(task.id)
        moved.append(task.id)
    db.session.flush()
    record_event(
        actor,
        "task.reassign",
        leaving,
        to_user_id=successor.id if successor else None,
        task_ids=moved,
        skipped=skipped,
    )
    return {"tasks": len(moved), "skipped": skipped}


def person_in_scope(actor: User, user_id: int) -> User:
    """A person of the actor's area (403 otherwise), e.g. someone who leaves."""
    return _person(actor, user_id, "from_user_id")


def successors(actor: User, leaving: User, limit: int = 500) -> list[User]:
    """Who may take over from `leaving`: active field workers of the actor's area under the
    community (or, above grids, the area) `leaving` belongs to."""
    area = leaving.area
    if area.level == "grid" and area.parent is not None:
        area = area.parent
    query = (
        filter_by_scope(select(User), actor, User.area_id)
        .join(Area, Area.id == User.area_id)
        .where(
            field_workers(User.role),
            User.active == True,
            User.id != leaving.id,
            subtree_clause(Area.path, area.path),
        )
        .order_by(User.display_name, User.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def _person(actor: User, user_id: int, field: str) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.area is None or not within_scope(actor, user.area):
        raise Forbidden(_l("person outside your area"), {field: _l("not one of your people")})
    return user
