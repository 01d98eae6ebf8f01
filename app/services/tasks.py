"""Tasks per grid: who sees them, who is assigned, reported counts, and the states they go through.

Scoping: managers (admin, coordinator) and leaders see the tasks of grids inside their area; a
worker sees the tasks assigned to them or to one of their grids. Only managers create and change
tasks, inside their area, and assign people of their own area whose area contains the task's grid.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.labels import TASK_STATUS_LABELS
from app.models import PLANNED_KINDS, Area, Site, Task, User
from app.models.base import utcnow
from app.models.task import TaskReport, task_assignees
from app.policy import field_workers, is_field_worker, require
from app.services import evidence, task_progress
from app.services.access import (
    filter_by_scope,
    grid_people,
    grids_of,
    is_id,
    require_area_in_scope,
    subtree_clause,
    within_scope,
)
from app.services.audit import changes, record_event, snapshot
from app.services.localtime import start_of_day, today
from app.services.notifications import events
from app.services.task_progress import FINAL_STATUSES, REPORTED_KINDS, SITE_KINDS

# A phone's clock may run a little ahead of the server's.
REPORT_CLOCK_SLACK = timedelta(minutes=10)
# Which status a coordinator may set from which.
MANUAL_STATUS = {
    "open": ("in_progress", "done", "cancelled"),
    "in_progress": ("open", "done", "cancelled"),
    "done": ("open", "in_progress"),
    "cancelled": ("open",),
}


def mine_clause(user: User):
    """Tasks assigned to `user` or to one of their grids."""
    assigned = select(task_assignees.c.task_id).where(task_assignees.c.user_id == user.id)
    # A task of one person (a rider's share of a campaign) is theirs alone, not their grid's.
    of_grid = and_(Task.person_key == 0, Task.area_id.in_(grids_of(user.id)))
    return or_(Task.id.in_(assigned), of_grid)


def visible_tasks(actor: User):
    """A select() of the tasks `actor` may see."""
    if is_field_worker(actor):
        return select(Task).where(mine_clause(actor))
    return filter_by_scope(select(Task), actor, Task.area_id)


def list_tasks(actor: User, args: dict[str, Any]):
    """The visible tasks filtered by `mine`, `status`, `area_id`, `kind`, `campaign_id`, `overdue`."""
    query = visible_tasks(actor)
    if args.get("mine"):
        query = query.where(mine_clause(actor))
    if args.get("area_id") is not None:
        area = (
            require_area_in_scope(actor, args["area_id"])
            if not is_field_worker(actor)
            else _area(args["area_id"])
        )
        query = query.where(
            Task.area_id.in_(select(Area.id).where(subtree_clause(Area.path, area.path)))
        )
    for key in ("kind", "campaign_id"):
        if args.get(key) is not None:
            query = query.where(getattr(Task, key) == args[key])
    if args.get("status"):
        query = query.where(Task.status == args["status"])
    if args.get("overdue"):
        query = query.where(Task.status.not_in(FINAL_STATUSES), Task.due_at < utcnow())
    return query.options(
        selectinload(Task.assignees), selectinload(Task.sites), selectinload(Task.area)
    ).order_by(Task.due_at, Task.id)


def _area(area_id: int) -> Area:
    area = db.session.get(Area, area_id)
    if area is None:
        raise NotFound(_l("area_id not found"), {"area_id": _l("no such area")})
    return area


def find_task(actor: User, task_id: int) -> Task:
    """A task the actor may see; 404 otherwise."""
    task = db.session.scalar(visible_tasks(actor).where(Task.id == task_id))
    if task is None:
        raise NotFound(_l("task not found"))
    return task


def get_task(actor: User, task_id: int) -> Task:
    """A task the actor may see, with its progress; 404 otherwise."""
    return task_progress.attach_progress([find_task(actor, task_id)])[0]


def _refuse_foreign_people(actor: User, raw_ids) -> None:
    if isinstance(raw_ids, list):
        ids = [i for i in raw_ids if is_id(i)]
        users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
        for user_id in ids:
            user = users.get(user_id)
            if user is None or user.area is None or not within_scope(actor, user.area):
                raise Forbidden(
                    _l("assignee outside your area"),
                    {"assignee_ids": _l("%(id)s is not one of your people", id=user_id)},
                )


def check_people(actor: User, raw: dict, _task=None) -> None:
    """Before the body is validated (the policy has let the actor change tasks): the people it names."""
    _refuse_foreign_people(actor, raw.get("assignee_ids"))


def grid_workers(grid_ids: list[int]) -> dict[int, list[User]]:
    """Each grid's own active grid workers (those who work it, see access.grids_of), in one query."""
    people = grid_people()
    rows = db.session.execute(
        select(people.c.area_id, User)
        .join(User, User.id == people.c.user_id)
        .where(
            people.c.area_id.in_(grid_ids),
            User.active == True,
            field_workers(User.role),
            User.force == "grid_worker",
        )
        .order_by(User.id)
    ).all()
    found: dict[int, list[User]] = {g: [] for g in grid_ids}
    for grid_id, user in rows:
        found[grid_id].append(user)
    return found


def may_work_in(user: User, grid: Area) -> bool:
    """An active field worker whose area contains the grid."""
    return (
        user.active
        and is_field_worker(user)
        and user.area is not None
        and grid.is_within(user.area)
    )


def resolve_assignees(actor: User, grid: Area, user_ids: list[int]) -> list[User]:
    """Load assignees named in input: people of the actor's area (403) who work in the grid (422)."""
    wanted = list(dict.fromkeys(user_ids))
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(wanted)))}
    _refuse_foreign_people(actor, wanted)
    for user in users.values():
        if not may_work_in(user, grid):
            raise Invalid(
                _l("assignee cannot work in this grid"),
                {
                    "assignee_ids": _l(
                        "%(id)s is not an active worker of this grid's area", id=user.id
                    )
                },
            )
    return [users[i] for i in wanted]


def _resolve_sites(grid: Area, site_ids: list[int]) -> list[Site]:
    wanted = list(dict.fromkeys(site_ids))
    sites = db.session.scalars(
        select(Site).where(Site.id.in_(wanted), Site.area_id == grid.id)
    ).all()
    if len(sites) != len(wanted):
        missing = sorted(set(wanted) - {s.id for s in sites})
        raise Invalid(
            _l("site outside the task's grid"),
            {"site_ids": _l("not sites of this grid: %(ids)s", ids=", ".join(map(str, missing)))},
        )
    return sorted(sites, key=lambda s: s.id)


def _default_target(kind: str, grid: Area, targets: dict, sites: list[Site]) -> int:
    if kind in SITE_KINDS and sites:
        return len(sites) * int(targets.get("site_visits") or 1)
    if (
        kind in task_progress.COUNT_TARGET_KEY
        and task_progress.COUNT_TARGET_KEY[kind] not in targets
    ):
        raise Invalid(
            _l("target_count is required"), {"target_count": _l("required for this kind of task")}
        )
    return task_progress.targets_for_grids(kind, targets, [grid.id])[grid.id]


def create_task(actor: User, data: dict[str, Any]) -> Task:
    """A task for one grid; assignees default to the grid's own workers, the target to the grid's size."""
    require(actor, "create", "task")
    grid = require_area_in_scope(actor, data["area_id"])
    if grid.level != "grid":
        raise Invalid(_l("a task belongs to a grid"), {"area_id": _l("must be a grid")})
    if data["kind"] not in PLANNED_KINDS:
        raise Invalid(
            _l("return visits are made by the cases"), {"kind": _l("made by a case, not by hand")}
        )
    sites = _resolve_sites(grid, data.get("site_ids") or [])
    if data.get("assignee_ids") is None:
        assignees = grid_workers([grid.id])[grid.id]
    else:
        assignees = resolve_assignees(actor, grid, data["assignee_ids"])
    starts_at = data.get("starts_at") or start_of_day(today())
    if data["due_at"] <= starts_at:
        raise Invalid(
            _l("due_at must come after the start"), {"due_at": _l("must be after starts_at")}
        )
    targets = data.get("targets") or {}
    target = data.get("target_count")
    task = Task(
        title=data["title"],
        kind=data["kind"],
        area_id=grid.id,
        area=grid,
        starts_at=starts_at,
        due_at=data["due_at"],
        targets=targets,
        status="open",
        photo_required=data.get("photo_required", False),
        created_by_id=actor.id,
        target_count=target
        if target is not None
        else _default_target(data["kind"], grid, targets, sites),
    )
    task.assignees, task.sites = assignees, sites
    db.session.add(task)
    db.session.flush()
    record_event(
        actor, "task.create", task, area_id=grid.id, assignee_ids=[u.id for u in assignees]
    )
    events.task_assigned(task, assignees)
    return task_progress.settle([task])[0]  # evidence made before the task counts for it


def update_task(actor: User, task: Task, data: dict[str, Any]) -> Task:
    """Change a task the actor manages: title, period, target, assignees, sites, status."""
    require(actor, "update", "task", task)
    before = snapshot(task, data)
    if "assignee_ids" in data:
        earlier = set(task.assignee_ids)
        task.assignees = resolve_assignees(actor, task.area, data.pop("assignee_ids"))
        events.task_assigned(task, [u for u in task.assignees if u.id not in earlier])
    if "site_ids" in data:
        task.sites = _resolve_sites(task.area, data.pop("site_ids"))
    if "status" in data:
        _set_status(task, data.pop("status"))
    for key, value in data.items():
        setattr(task, key, value)
    if task.starts_at is not None and task.due_at <= task.starts_at:
        raise Invalid(
            _l("due_at must come after the start"), {"due_at": _l("must be after starts_at")}
        )
    db.session.flush()
    record_event(actor, "task.update", task, **changes(before, snapshot(task, before)))
    return task_progress.settle([task])[0]  # its target, sites or period may change what is done


def _set_status(task: Task, status: str) -> None:
    if status != task.status and status not in MANUAL_STATUS[task.status]:
        words = {
            "old": TASK_STATUS_LABELS.get(task.status, task.status),
            "new": TASK_STATUS_LABELS.get(status, status),
        }
        raise Invalid(
            _l("status change not allowed"),
            {"status": _l("cannot go from %(old)s to %(new)s", **words)},
        )
    task.status = status


def report_count(actor: User, task: Task, data: dict[str, Any]) -> tuple[Task, bool]:
    """An assignee reports a count (lectures held, leaflets handed out); a retried client_id is stored once."""
    require(actor, "report", "task", task)
    if task.kind not in REPORTED_KINDS:
        raise Invalid(
            _l("this task counts evidence, not reports"),
            {"count": _l("this kind of task is not reported")},
        )
    if task.status == "cancelled":
        raise Conflict(_l("the task is cancelled"), {"task": _l("cancelled")})
    client_id = data.get("client_id")
    if client_id:
        earlier = db.session.scalar(select(TaskReport).where(TaskReport.client_id == client_id))
        if earlier is not None:
            if earlier.task_id != task.id or earlier.user_id != actor.id:
                raise Conflict(
                    _l("client_id already used"),
                    {"client_id": _l("already used for another report")},
                )
            return task_progress.attach_progress([task])[0], False
    photos = evidence.linkable_photos(actor, data.get("photo_ids") or [], None)
    held_at = data.get("held_at") or data.get("captured_at") or utcnow()
    if held_at > utcnow() + REPORT_CLOCK_SLACK:
        raise Invalid(_l("not in the future"), {"held_at": _l("not in the future")})
    site, area = _report_place(actor, task, data)
    report = TaskReport(
        task_id=task.id,
        user_id=actor.id,
        count=data["count"],
        note=data.get("note"),
        client_id=client_id,
        held_at=held_at,
        site_id=site.id if site else None,
        address=data.get("address") or None,
        area_id=area.id,
        audience=data.get("audience"),
        materials=data.get("materials"),
    )
    db.session.add(report)
    db.session.flush()
    evidence.attach_photos(photos, report)
    record_event(
        actor,
        "task.report",
        task,
        count=report.count,
        report_id=report.id,
        area_id=report.area_id,
        audience=report.audience,
        photos=len(photos),
    )
    return task_progress.settle([task])[0], True


def _street_of(area: Area) -> Area:
    while area.level != "street" and area.parent is not None:
        area = area.parent
    return area


def _report_place(actor: User, task: Task, data: dict[str, Any]) -> tuple[Site | None, Area]:
    """The site (if any) and the area a report counts for: named ones must lie in the reporter's
    area or the task's street (a lecturer may teach at any school of the street); by default the
    site's area, else the task's grid."""
    street = _street_of(task.area)

    def allowed(area: Area | None) -> bool:
        return area is not None and (within_scope(actor, area) or area.is_within(street))

    site = None
    if data.get("site_id") is not None:
        site = db.session.get(Site, data["site_id"])
        if site is None or not allowed(site.area):
            raise Invalid(
                _l("site_id names no site you may report at"), {"site_id": _l("no such site")}
            )
    area = site.area if site is not None else task.area
    if data.get("area_id") is not None:
        area = db.session.get(Area, data["area_id"])
        if not allowed(area):
            raise Invalid(
                _l("area_id names no area you may report for"), {"area_id": _l("no such area")}
            )
    return site, area


def report_sites(task: Task) -> list[Site]:
    """The sites a report form offers: the task's own, then its grid's, by name."""
    grid = db.session.scalars(select(Site).where(Site.area_id == task.area_id).order_by(Site.name))
    return list(dict.fromkeys([*task.sites, *grid]))


def list_reports(actor: User, task: Task) -> list[TaskReport]:
    """The activities reported on a task the actor may see, latest first."""
    return list(
        db.session.scalars(
            select(TaskReport)
            .where(TaskReport.task_id == task.id)
            .order_by(TaskReport.held_at.desc(), TaskReport.id.desc())
        )
    )
