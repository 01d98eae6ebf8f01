"""The people list for assignment: active field workers of the caller's area, filtered by force,
area, activity this month, load (open tasks) and a text search, paged; and "assign all shown":
everyone the filters match (not just the page) onto a task, a campaign or a grid.

Assigning all shown is bounded (ASSIGN_ALL_MAX people at once), all-or-nothing (one person who
cannot go where asked refuses the whole, naming how many and who), and idempotent (someone already
there is counted as such and nothing is written for them), so a retry changes nothing."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import selectinload

from app.errors import Forbidden, Invalid, NotFound
from app.extensions import db
from app.models import Area, Campaign, CheckIn, Task, User, Visit
from app.models.task import TaskReport, task_assignees
from app.policy import can, field_workers, require
from app.services import campaigns as campaign_service
from app.services.access import (
    effective_grids,
    filter_by_scope,
    is_id,
    require_area_in_scope,
    subtree_clause,
)
from app.services.audit import record_event
from app.services.localtime import start_of_day, today
from app.services.notifications import events
from app.services.phones import normalize_phone
from app.services.task_progress import FINAL_STATUSES
from app.services.tasks import may_work_in, visible_tasks
from app.services.warnings.handling import mask_phone

# Load bands by open tasks: none, 1 to LIGHT_MAX ("light"), more ("heavy").
LOADS = ("none", "light", "heavy")
LIGHT_MAX = 3
# People assigned by one "assign all shown"; past it the filters must be narrowed.
ASSIGN_ALL_MAX = 1000
# Digits a search needs before it looks at phone numbers (fewer would match nearly everyone).
PHONE_SEARCH_MIN = 4
TARGETS = ("task_id", "campaign_id", "grid_id")
NAMES_IN_REFUSAL = 5


def _month_start():
    return start_of_day(today().replace(day=1))


def _active_since(since):
    """People with a check-in, a visit or an activity report since `since`."""
    return or_(
        exists().where(CheckIn.user_id == User.id, CheckIn.captured_at >= since),
        exists().where(Visit.user_id == User.id, Visit.captured_at >= since),
        exists().where(TaskReport.user_id == User.id, TaskReport.held_at >= since),
    )


def _open_counts():
    """(user_id, n): each person's assigned tasks still open or in progress."""
    return (
        select(task_assignees.c.user_id, func.count().label("n"))
        .join(Task, Task.id == task_assignees.c.task_id)
        .where(Task.status.not_in(FINAL_STATUSES))
        .group_by(task_assignees.c.user_id)
        .subquery("open_counts")
    )


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _search(query, text: str):
    """Name or username containing `text`; a phone number containing its digits (4 or more)."""
    pattern = _like(text.strip())
    clauses = [
        User.display_name.ilike(pattern, escape="\\"),
        User.username.ilike(pattern, escape="\\"),
    ]
    digits = normalize_phone(text)
    if digits.lstrip("+").isdigit() and len(digits.lstrip("+")) >= PHONE_SEARCH_MIN:
        clauses.append(User.phone.like(_like(digits.lstrip("+")), escape="\\"))
    return query.where(or_(*clauses))


def people_query(actor: User, filters: dict[str, Any]):
    """A select() of the active field workers of the actor's area matching `filters` (force,
    area_id, active, load, q), by name."""
    require(actor, "list", "user")
    query = filter_by_scope(select(User), actor, User.area_id).where(
        field_workers(User.role), User.active == True, User.pending == False
    )
    if filters.get("area_id") is not None:
        area = require_area_in_scope(actor, filters["area_id"])
        query = query.where(
            User.area_id.in_(select(Area.id).where(subtree_clause(Area.path, area.path)))
        )
    if filters.get("force"):
        query = query.where(User.force == filters["force"])
    if filters.get("active") is not None:
        active = _active_since(_month_start())
        query = query.where(active if filters["active"] else ~active)
    if filters.get("load"):
        counts = _open_counts()
        n = func.coalesce(counts.c.n, 0)
        band = {"none": n == 0, "light": and_(n >= 1, n <= LIGHT_MAX), "heavy": n > LIGHT_MAX}
        query = query.outerjoin(counts, counts.c.user_id == User.id).where(band[filters["load"]])
    if (filters.get("q") or "").strip():
        query = _search(query, filters["q"])
    return query.options(selectinload(User.area)).order_by(User.display_name, User.id)


def describe(actor: User, people: list[User]) -> list[User]:
    """Set on each person of a page: `open_tasks`, `active_this_month`, `masked_phone` (never the
    full number: the list is for assigning, not calling), and `may_read` (their person page)."""
    ids = [p.id for p in people]
    counts = _open_counts()
    rows = select(counts.c.user_id, counts.c.n).where(counts.c.user_id.in_(ids))
    open_tasks = dict(db.session.execute(rows).all())
    active = set(
        db.session.scalars(select(User.id).where(User.id.in_(ids), _active_since(_month_start())))
    )
    for person in people:
        person.open_tasks = int(open_tasks.get(person.id, 0))
        person.active_this_month = person.id in active
        person.masked_phone = mask_phone(person.phone)
        person.may_read = can(actor, "read", "person", person)
    return people


def assign_all(actor: User, data: dict[str, Any]) -> dict[str, Any]:
    """Everyone matching the filters onto one target (`task_id`, `campaign_id` or `grid_id`):
    all or nobody, at most ASSIGN_ALL_MAX; those already there are left as they are."""
    require(actor, "assign", "task")
    chosen = [key for key in TARGETS if data.get(key) is not None]
    if len(chosen) != 1:
        message = _l("choose one task, campaign or grid")
        raise Invalid(message, dict.fromkeys(TARGETS, message))
    query = people_query(actor, data)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    if total > ASSIGN_ALL_MAX:
        raise Invalid(
            _l(
                "%(n)s people match; at most %(max)s are assigned at once: narrow the filters",
                n=total,
                max=ASSIGN_ALL_MAX,
            ),
            {"_schema": _l("more than %(max)s people match", max=ASSIGN_ALL_MAX)},
        )
    people = list(db.session.scalars(query.options(selectinload(User.grids))))
    if not people:
        raise Invalid(_l("nobody matches these filters"), {"_schema": _l("nobody matches")})
    target = chosen[0]
    assign = {"task_id": _onto_task, "campaign_id": _onto_campaign, "grid_id": _onto_grid}[target]
    result = assign(actor, data[target], people)
    db.session.flush()
    record_event(
        actor,
        "people.assign_all",
        None,
        **{target: data[target]},
        filters={k: data.get(k) for k in ("force", "area_id", "active", "load", "q")},
        matched=len(people),
        added=result["added"],
        user_ids=result.pop("user_ids"),
    )
    return {"matched": len(people), **result}


def _refuse(people: list[User], message, field: str) -> None:
    """All or nothing: name how many cannot go, and the first few of them."""
    if not people:
        return
    names = "、".join(p.display_name for p in people[:NAMES_IN_REFUSAL])
    more = "…" if len(people) > NAMES_IN_REFUSAL else ""
    detail = _l("%(n)s people (%(names)s%(more)s)", n=len(people), names=names, more=more)
    raise Invalid(message, {field: [message, detail]})


def _onto_task(actor: User, task_id: int, people: list[User]) -> dict[str, Any]:
    task = db.session.scalar(
        visible_tasks(actor)
        .where(Task.id == task_id)
        .options(selectinload(Task.assignees), selectinload(Task.area))
    )
    if task is None:
        raise NotFound(_l("task not found"), {"task_id": _l("no such task")})
    require(actor, "update", "task", task)
    if task.status in FINAL_STATUSES:
        raise Invalid(_l("the task is finished"), {"task_id": _l("done or cancelled")})
    if task.person_key:
        raise Invalid(
            _l("this task belongs to one person"), {"task_id": _l("one person's own task")}
        )
    _refuse(
        [p for p in people if not may_work_in(p, task.area)],
        _l("cannot work in %(grid)s", grid=task.area.name),
        "task_id",
    )
    new = _add_to(task, people)
    return {
        "added": len(new),
        "already": len(people) - len(new),
        "tasks": 1 if new else 0,
        "user_ids": sorted(p.id for p in new),
    }


def _add_to(task: Task, people: list[User]) -> list[User]:
    have = set(task.assignee_ids)
    new = [p for p in people if p.id not in have]
    if new:
        task.assignees = list(task.assignees) + new
        events.task_assigned(task, new)
    return new


def _onto_campaign(actor: User, campaign_id: int, people: list[User]) -> dict[str, Any]:
    campaign = campaign_service.get_campaign(actor, campaign_id)
    if campaign.ends_on < today():
        raise Invalid(_l("the campaign is over"), {"campaign_id": _l("ended")})
    if campaign.force:
        return _per_person(campaign, people)
    tasks = {t.area_id: t for t in campaign.scoped_tasks if t.status not in FINAL_STATUSES}
    plan = {p.id: [tasks[g.id] for g in effective_grids(p) if g.id in tasks] for p in people}
    _refuse(
        [p for p in people if not plan[p.id]],
        _l("work no grid of this campaign: give them a grid first, or choose a task"),
        "campaign_id",
    )
    added, touched, new_ids = 0, set(), set()
    for person in people:
        for task in plan[person.id]:
            if _add_to(task, [person]):
                added += 1
                touched.add(task.id)
                new_ids.add(person.id)
    return {
        "added": added,
        "already": len(people) - len(new_ids),
        "tasks": len(touched),
        "user_ids": sorted(new_ids),
    }


def _per_person(campaign: Campaign, people: list[User]) -> dict[str, Any]:
    """A campaign of a force: a task of their own for each who has none yet."""
    _refuse(
        [p for p in people if p.force != campaign.force],
        _l("this campaign is for one force only"),
        "campaign_id",
    )
    _refuse(
        [p for p in people if not p.area.is_within(campaign.area)],
        _l("outside the campaign's area"),
        "campaign_id",
    )
    new = campaign_service.add_people(campaign, people)
    return {
        "added": len(new),
        "already": len(people) - len(new),
        "tasks": len(new),
        "user_ids": sorted(t.person_key for t in new),
    }


def _onto_grid(actor: User, grid_id: int, people: list[User]) -> dict[str, Any]:
    """The grid joins the grids each person works (their tasks of that grid follow)."""
    grid = require_area_in_scope(actor, grid_id, "grid_id")
    if grid.level != "grid":
        raise Invalid(_l("not a grid"), {"grid_id": _l("not a grid")})
    _refuse(
        [p for p in people if not can(actor, "update", "user", p)],
        _l("you may not change these people"),
        "grid_id",
    )
    _refuse(
        [p for p in people if not grid.is_within(p.area)],
        _l("%(grid)s is outside their area", grid=grid.name),
        "grid_id",
    )
    new = [p for p in people if grid.id not in {g.id for g in effective_grids(p)}]
    for person in new:
        person.grids = effective_grids(person) + [grid]
    return {
        "added": len(new),
        "already": len(people) - len(new),
        "tasks": 0,
        "user_ids": sorted(p.id for p in new),
    }


def check_target(actor: User, raw: dict, _obj=None) -> None:
    """Before the body is validated: a task or campaign it names must be one the actor sees. As
    for areas (access.require_area_in_scope), someone confined to an area gets 403 for an unknown
    id too; a district-wide caller sees every one, and the service answers 404 for a missing one."""
    if actor.area_id is None:
        return
    task_id, campaign_id = _raw_id(raw.get("task_id")), _raw_id(raw.get("campaign_id"))
    if is_id(task_id) and db.session.scalar(visible_tasks(actor).where(Task.id == task_id)) is None:
        raise Forbidden(_l("task outside your area"), {"task_id": _l("not one of your tasks")})
    if is_id(campaign_id):
        try:
            campaign_service.visible_campaign(actor, campaign_id)
        except NotFound:
            raise Forbidden(
                _l("campaign outside your area"), {"campaign_id": _l("not one of your campaigns")}
            ) from None


def _raw_id(value):
    """An id as a JSON body or a posted form gives it (digits from a form count)."""
    if isinstance(value, str) and value.isdigit() and len(value) < 12:
        return int(value)
    return value
