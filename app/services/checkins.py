"""Check-ins at publicity sites: a scanned code resolved to a site, recorded exactly once,
judged by the rules in checkin_rules, listed within scope and reviewed by coordinators."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

from app import qr
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.models import Area, CheckIn, Site, Task, User
from app.models.base import utcnow
from app.models.task import task_assignees, task_sites
from app.models.user import user_grids
from app.services import checkin_rules as rules
from app.services.access import (
    can_manage_site,
    ensure_role,
    filter_by_scope,
    require_area_in_scope,
    subtree_clause,
    within_scope,
)
from app.services.audit import record_event

OPEN_TASK_STATUSES = ("open", "in_progress")
LINKABLE_TASK_STATUSES = ("open", "in_progress", "done")
CHECKIN_ROLES = ("admin", "coordinator", "worker")  # leaders read; they do not check in
DECISIONS = ("approve", "reject")


def resolve_site_token(actor: User, token: str) -> Site:
    """The active site a scanned code names, if the code is current and the site in the actor's area."""
    site_id, version = qr.load_site_token(token)
    site = db.session.get(Site, site_id)
    if site is None:
        raise qr.BadSiteToken("This code's site no longer exists.")
    if not within_scope(actor, site.area):
        raise Forbidden("This site is outside your area.", {"token": "site outside your area"})
    if not site.active:
        raise NotFound("This site is no longer in use.", {"token": "site no longer in use"})
    if version != site.qr_version:
        message = "This code was replaced by a newer one; scan the code now posted at the site."
        raise NotFound(message, {"token": "code replaced by a newer one"})
    return site


def authorize_checkin(actor: User, token: str | None) -> None:
    """Authorization before validation: the actor's role, and the area of the site a token names."""
    ensure_role(actor, *CHECKIN_ROLES)
    try:
        site_id, _version = qr.load_site_token(token)
    except qr.BadSiteToken:
        return  # judged with the rest of the input
    site = db.session.get(Site, site_id)
    if site is not None and not within_scope(actor, site.area):
        raise Forbidden("This site is outside your area.", {"token": "site outside your area"})


def _tasks_of_actor_at_site(actor: User, site: Site):
    """A select() of tasks assigned to the actor or their grids that concern the site."""
    mine = or_(
        Task.id.in_(select(task_assignees.c.task_id).where(task_assignees.c.user_id == actor.id)),
        Task.area_id.in_(select(user_grids.c.area_id).where(user_grids.c.user_id == actor.id)),
    )
    here = or_(
        Task.id.in_(select(task_sites.c.task_id).where(task_sites.c.site_id == site.id)),
        Task.area_id == site.area_id,
    )
    return select(Task).where(mine, here)


def open_tasks_at_site(actor: User, site: Site) -> list[Task]:
    """The actor's open or in-progress tasks at the site, soonest due first."""
    query = _tasks_of_actor_at_site(actor, site).where(Task.status.in_(OPEN_TASK_STATUSES))
    return list(db.session.scalars(query.order_by(Task.due_at, Task.id)))


def _task_for(actor: User, site: Site, task_id: int | None) -> Task | None:
    """The named task (which must be the actor's, at this site), else the one open task here."""
    if task_id is None:
        tasks = open_tasks_at_site(actor, site)
        return tasks[0] if len(tasks) == 1 else None
    query = _tasks_of_actor_at_site(actor, site).where(
        Task.id == task_id, Task.status.in_(LINKABLE_TASK_STATUSES))
    task = db.session.scalar(query)
    if task is None:
        raise Invalid("task_id is not one of your tasks at this site",
                      {"task_id": "not one of your tasks at this site"})
    return task


def _previous_fix(user_id: int, captured_at) -> rules.Fix | None:
    row = db.session.execute(
        select(CheckIn.lat, CheckIn.lng, CheckIn.captured_at)
        .where(CheckIn.user_id == user_id, CheckIn.captured_at <= captured_at)
        .order_by(CheckIn.captured_at.desc(), CheckIn.id.desc()).limit(1)
    ).first()
    return rules.Fix(*row) if row else None


def _recent_at_site(user_id: int, site_id: int, captured_at) -> int:
    return db.session.scalar(
        select(db.func.count()).select_from(CheckIn).where(
            CheckIn.site_id == site_id, CheckIn.user_id == user_id,
            CheckIn.captured_at >= captured_at - rules.REPEAT_WINDOW, CheckIn.captured_at <= captured_at)
    )


def _judged(actor: User, site: Site, data: dict[str, Any]) -> CheckIn:
    """A new CheckIn with the verdict of the rules."""
    received_at = utcnow()
    fix = rules.Fix(data["lat"], data["lng"], data["captured_at"])
    verdict = rules.judge(fix, data.get("accuracy_m"), (site.lat, site.lng), site.radius_m, received_at,
                          _previous_fix(actor.id, fix.captured_at),
                          _recent_at_site(actor.id, site.id, fix.captured_at))
    return CheckIn(
        client_id=data["client_id"], user_id=actor.id, site_id=site.id, lat=fix.lat, lng=fix.lng,
        accuracy_m=data.get("accuracy_m"), distance_m=verdict.distance_m, captured_at=fix.captured_at,
        received_at=received_at, status=verdict.status, reason=verdict.reason,
        people_reached=data.get("people_reached"), materials_count=data.get("materials_count"),
        note=data.get("note"),
    )


def _by_client_id(actor: User, client_id: str) -> CheckIn | None:
    """The check-in an earlier send of the same client_id made; another person's is a conflict."""
    checkin = db.session.scalar(select(CheckIn).where(CheckIn.client_id == client_id))
    if checkin is not None and checkin.user_id != actor.id:
        raise Conflict("client_id was already used", {"client_id": "already used by another check-in"})
    return checkin


def _open_transaction() -> None:
    """pysqlite starts no transaction before a SAVEPOINT, and releasing a SAVEPOINT that opened the
    transaction commits it; BEGIN first so the check-in and the task change commit together."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite" and not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN")


def _insert_once(checkin: CheckIn) -> CheckIn | None:
    """Insert inside a SAVEPOINT; when a concurrent send won the unique client_id, None."""
    _open_transaction()
    try:
        with db.session.begin_nested():
            db.session.add(checkin)
    except IntegrityError:
        if db.session.scalar(select(CheckIn.id).where(CheckIn.client_id == checkin.client_id)) is None:
            raise  # some other constraint broke
        return None
    return checkin


def _advance(task: Task | None) -> None:
    """Accepted evidence starts the task; progress itself is counted from the evidence."""
    if task is not None and task.status == "open":
        task.status = "in_progress"


def record_checkin(actor: User, data: dict[str, Any]) -> tuple[CheckIn, bool]:
    """Judge and store a check-in; a repeat of its client_id answers the first record (created False)."""
    ensure_role(actor, *CHECKIN_ROLES)
    client_id = str(data["client_id"])
    earlier = _by_client_id(actor, client_id)
    if earlier is not None:
        return earlier, False
    site = resolve_site_token(actor, data["token"])
    task = _task_for(actor, site, data.get("task_id"))
    checkin = _judged(actor, site, {**data, "client_id": client_id})
    checkin.task_id = task.id if task is not None else None
    if _insert_once(checkin) is None:
        return _by_client_id(actor, client_id), False
    if checkin.status == "accepted":
        _advance(task)
    db.session.flush()
    return checkin, True



def get_checkin(actor: User, checkin_id: int) -> CheckIn:
    """A check-in the actor may see: in their area; a worker sees only their own."""
    checkin = db.session.get(CheckIn, checkin_id)
    if checkin is None or not within_scope(actor, checkin.site.area) \
            or (actor.role == "worker" and checkin.user_id != actor.id):
        raise NotFound("check-in not found")
    return checkin


def _bound(value: date | datetime, end: bool) -> datetime:
    """A time as given; a date as the start of that day (or of the next, for an end) in the district."""
    if isinstance(value, datetime):
        return value
    day = value + timedelta(days=1) if end else value
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(current_app.config["TIMEZONE"]))


def _in_period(query, start: date | datetime | None, end: date | datetime | None):
    """Captured from `start` to `end`, both inclusive (an end date means the whole day)."""
    if start is not None:
        query = query.where(CheckIn.captured_at >= _bound(start, end=False))
    if isinstance(end, datetime):
        query = query.where(CheckIn.captured_at <= end)
    elif end is not None:
        query = query.where(CheckIn.captured_at < _bound(end, end=True))
    return query


def list_checkins(actor: User, filters: dict[str, Any]):
    """A select() of check-ins within the actor's area, newest capture first, narrowed by filters:
    area_id (a subtree), user_id, site_id, status, force, from and to."""
    query = filter_by_scope(select(CheckIn).join(CheckIn.site), actor, Site.area_id)
    if actor.role == "worker":
        query = query.where(CheckIn.user_id == actor.id)
    if filters.get("area_id") is not None:
        area = require_area_in_scope(actor, filters["area_id"])
        query = query.where(Site.area_id.in_(select(Area.id).where(subtree_clause(Area.path, area.path))))
    for key, column in (("user_id", CheckIn.user_id), ("site_id", CheckIn.site_id), ("status", CheckIn.status)):
        if filters.get(key) is not None:
            query = query.where(column == filters[key])
    if filters.get("force"):
        query = query.where(CheckIn.user_id.in_(select(User.id).where(User.force == filters["force"])))
    query = _in_period(query, filters.get("from"), filters.get("to"))
    details = (contains_eager(CheckIn.site).selectinload(Site.area), selectinload(CheckIn.user))
    return query.options(*details).order_by(CheckIn.captured_at.desc(), CheckIn.id.desc())


def review_checkin(actor: User, checkin: CheckIn, decision: str, reason: str | None = None) -> CheckIn:
    """Approve (it then counts) or reject a flagged check-in; never one's own; audited."""
    if not can_manage_site(actor, checkin.site):
        raise Forbidden("you may not review check-ins at this site")
    if checkin.user_id == actor.id:
        raise Forbidden("you may not review your own check-in")
    if decision not in DECISIONS:
        raise Invalid("decision must be approve or reject", {"decision": "approve or reject"})
    reason = (reason or "").strip()
    if decision == "reject" and not reason:
        raise Invalid("a rejection needs a reason", {"reason": "required to reject"})
    if checkin.status != "flagged":
        raise Conflict("only flagged check-ins are reviewed", {"decision": "check-in is not flagged"})
    checkin.status = "accepted" if decision == "approve" else "rejected"
    checkin.reviewed_by_id, checkin.reviewed_at, checkin.review_note = actor.id, utcnow(), reason or None
    if decision == "approve":
        _advance(checkin.task)
    db.session.flush()
    record_event(actor, f"checkin.{decision}", checkin, flags=checkin.reason, reason=reason)
    return checkin
