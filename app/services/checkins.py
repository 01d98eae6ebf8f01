"""Check-ins at publicity sites: a scanned code resolved to a site, recorded exactly once,
judged by the rules in checkin_rules, listed within scope and reviewed by coordinators."""

from __future__ import annotations

from contextlib import contextmanager, nullcontext
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, case, exists, inspect, or_, select
from sqlalchemy.orm import (
    contains_eager,
    defer,
    joinedload,
    make_transient_to_detached,
    selectinload,
    with_expression,
)
from sqlalchemy.orm.attributes import instance_dict, set_committed_value
from sqlalchemy.orm.util import identity_key

from app import qr
from app.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from app.extensions import db
from app.models import Area, CheckIn, Site, Task, User
from app.models.base import one_of, utcnow
from app.models.site_month import count_checkins
from app.models.task import task_assignees, task_sites
from app.policy import is_field_worker, require
from app.services import checkin_rules as rules
from app.services import evidence, idempotency, rectifications, task_progress
from app.services.access import (
    filter_by_scope,
    grids_of,
    require_area_in_scope,
    subtree_clause,
    within_scope,
)
from app.services.audit import record_event
from app.services.notifications import events

OPEN_TASK_STATUSES = ("open", "in_progress")
LINKABLE_TASK_STATUSES = ("open", "in_progress", "done")
DECISIONS = ("approve", "reject")


def resolve_site_token(actor: User, token: str) -> Site:
    """The active site a scanned code names, if the code is current and the site in the actor's area."""
    site_id, version = qr.load_site_token(token)
    site = _load_site(site_id)
    if site is None:
        raise qr.BadSiteToken(_l("This code's site no longer exists."))
    if not within_scope(actor, site.area):
        raise Forbidden(
            _l("This site is outside your area."), {"token": _l("site outside your area")}
        )
    if not site.active:
        raise NotFound(_l("This site is no longer in use."), {"token": _l("site no longer in use")})
    if version != site.qr_version:
        message = _l("This code was replaced by a newer one; scan the code now posted at the site.")
        raise NotFound(message, {"token": _l("code replaced by a newer one")})
    return site


# Built once (Session.get builds its statement anew on every call, which costs a check-in
# about as much as running it); two plain entities, as joined eager loading costs more to set up.
_SITE_WITH_GRID = (
    select(Site, Area).join(Area, Area.id == Site.area_id).where(Site.id == bindparam("id"))
)


def _load_site(site_id: int, actor: User | None = None) -> Site | None:
    """A site with its grid, in one query (none when the session holds it already); with the
    actor, whether they would have tasks to look at in checking in there (Site.checkin_tasks)."""
    held = db.session.identity_map.get(identity_key(Site, site_id))
    if held is not None and not inspect(held).expired:
        return held
    if actor is None:
        found = db.session.execute(_SITE_WITH_GRID, {"id": site_id}).first()
    else:
        found = db.session.execute(_SITE_FOR_CHECKIN, {"id": site_id, "user_id": actor.id}).first()
    if found is None:
        return None
    site, grid = found
    if "area" in inspect(site).unloaded:  # held by the site, as if loaded with it
        set_committed_value(site, "area", grid)
    return site


def check_token_site(actor: User, raw: dict, _obj=None) -> Site | None:
    """Before validation (the policy has let the actor check in): the area of the site a token names.
    Returns that site; a caller that keeps it referenced saves reloading it (the identity map is weak)."""
    token = raw.get("token") if isinstance(raw.get("token"), str) else None
    _ = (
        actor.area
    )  # held by the actor for the request: every scope check then finds it without a query
    try:
        site_id, _version = qr.load_site_token(token)
    except qr.BadSiteToken:
        return None  # judged with the rest of the input
    site = _load_site(site_id, actor)
    if site is not None and not within_scope(actor, site.area):
        raise Forbidden(
            _l("This site is outside your area."), {"token": _l("site outside your area")}
        )
    return site


# Statements built once with bind parameters (the fixed lists too: see one_of): a check-in runs
# them on every request.
_MINE = or_(
    Task.id.in_(
        select(task_assignees.c.task_id).where(task_assignees.c.user_id == bindparam("user_id"))
    ),
    Task.area_id.in_(grids_of(bindparam("user_id"))),
)


def _at_site(site_id, grid_id):
    """Tasks linked to the site, or in its grid (bind parameters, or the columns of a site row)."""
    return or_(
        Task.id.in_(
            select(task_sites.c.task_id)
            .where(task_sites.c.site_id == site_id)
            .correlate_except(task_sites)  # a site row's column is the enclosing statement's
        ),
        Task.area_id == grid_id,
    )


def _grid_site_tasks(grid_id):
    """What settling asks for an accepted check-in linked to no task (task_progress.tasks_counting)."""
    return and_(
        Task.area_id == grid_id,
        one_of(Task.kind, task_progress.SITE_KINDS),
        one_of(Task.status, task_progress.FINAL_STATUSES, negate=True),
    )


_OPEN = one_of(Task.status, OPEN_TASK_STATUSES)
_HERE = _at_site(bindparam("site_id"), bindparam("grid_id"))
_OPEN_TASKS_HERE = select(Task).where(_MINE, _HERE, _OPEN).order_by(Task.due_at, Task.id)
_MINE_HERE = and_(_MINE, _HERE, _OPEN)
_GRID_SITE_TASKS = _grid_site_tasks(bindparam("grid_id"))
# One look for both: the actor's open tasks here (the one to link), and the grid's unfinished
# site tasks (the ones to settle when none is linked).
_TASKS_HERE = (
    select(
        Task,
        case((_MINE_HERE, True), else_=False).label("mine_here"),
        case((_GRID_SITE_TASKS, True), else_=False).label("grid_site"),
    )
    .where(or_(_MINE_HERE, _GRID_SITE_TASKS))
    .order_by(Task.id)
)
# The site a scanned code names, for a check-in by :user_id: and whether _TASKS_HERE would find
# anything, asked in the same statement (nearly always no: then it is not sent).
_SITE_FOR_CHECKIN = _SITE_WITH_GRID.options(
    # what a check-in never reads of them (the grid's outline above all: a polygon to parse)
    defer(Site.address),
    defer(Site.created_at),
    defer(Area.boundary),
    defer(Area.public_tips),
    defer(Area.created_at),
    with_expression(
        Site.checkin_tasks,
        exists().where(
            or_(
                and_(_MINE, _at_site(Site.id, Site.area_id), _OPEN),
                _grid_site_tasks(Site.area_id),
            )
        ),
    ),
)
_NAMED_TASK_HERE = select(Task).where(
    _MINE, _HERE, Task.id == bindparam("task_id"), one_of(Task.status, LINKABLE_TASK_STATUSES)
)
_RECENT_AT_SITE = (
    select(db.func.count())
    .select_from(CheckIn)
    .where(
        CheckIn.site_id == bindparam("site_id"),
        CheckIn.user_id == bindparam("user_id"),
        CheckIn.captured_at >= bindparam("since"),
        CheckIn.captured_at <= bindparam("at"),
    )
    .scalar_subquery()
)
_HISTORY_ANY = (
    select(CheckIn.lat, CheckIn.lng, CheckIn.captured_at, _RECENT_AT_SITE)
    .where(CheckIn.user_id == bindparam("user_id"), CheckIn.captured_at <= bindparam("at"))
    .order_by(CheckIn.captured_at.desc(), CheckIn.id.desc())
    .limit(1)
)
# The previous fix is nearly always recent: looked for within HISTORY_WINDOW first, so that on
# PostgreSQL's monthly partitions the query reads this month's (and perhaps last month's), not
# every month's; only a worker with no check-in in the window asks the unbounded question.
HISTORY_WINDOW = timedelta(days=7)
_HISTORY = _HISTORY_ANY.where(CheckIn.captured_at >= bindparam("floor"))
_COLUMNS = [column for column in CheckIn.__table__.columns if column.key != "id"]
_INSERT = CheckIn.__table__.insert()
_DELETE = CheckIn.__table__.delete().where(CheckIn.id == bindparam("id"))


def _stored_at_once():
    """PostgreSQL's one statement storing a check-in given as bind parameters named as its
    columns: claim its client_id with a new id, and insert the row FROM the claim (nothing when
    the key is held). One round trip instead of two, and no row to delete after a lost claim."""
    claim = idempotency.claiming_new_id("checkin", CheckIn.__tablename__)
    row = select(claim.c.record_id, *(bindparam(c.key, type_=c.type) for c in _COLUMNS))
    table = CheckIn.__table__
    return table.insert().from_select(["id", *(c.key for c in _COLUMNS)], row).returning(table.c.id)


_STORE_AT_ONCE = _stored_at_once()


def _here(actor: User, site: Site, **more) -> dict:
    return {"user_id": actor.id, "site_id": site.id, "grid_id": site.area_id, **more}


def open_tasks_at_site(actor: User, site: Site) -> list[Task]:
    """The actor's open or in-progress tasks at the site (assigned to them or their grids, and
    linked to the site or in its grid), soonest due first."""
    return list(db.session.scalars(_OPEN_TASKS_HERE, _here(actor, site)))


def _task_for(actor: User, site: Site, task_id: int | None) -> tuple[Task | None, list[Task]]:
    """The named task (which must be the actor's, at this site), else the one open task here;
    and, when none is named, the grid's unfinished site tasks (settled if no task is linked).
    The rows themselves: what is settled is not loaded again."""
    if task_id is None:
        if site.checkin_tasks is False:  # asked with the site: none of either
            return None, []
        rows = db.session.execute(_TASKS_HERE, _here(actor, site)).all()
        mine = [task for task, mine_here, _grid in rows if mine_here]
        return (mine[0] if len(mine) == 1 else None), [task for task, _, grid in rows if grid]
    task = db.session.scalar(_NAMED_TASK_HERE, _here(actor, site, task_id=task_id))
    if task is None:
        raise Invalid(
            _l("task_id is not one of your tasks at this site"),
            {"task_id": _l("not one of your tasks at this site")},
        )
    return task, []


def _history(user_id: int, site_id: int, captured_at) -> tuple[rules.Fix | None, int]:
    """The worker's previous fix, and their check-ins at the site in the repeat window, in one query."""
    params = {
        "user_id": user_id,
        "site_id": site_id,
        "at": captured_at,
        "since": captured_at - rules.REPEAT_WINDOW,
        "floor": captured_at - HISTORY_WINDOW,
    }
    connection = db.session.connection()  # column-only statements: no ORM work needed
    row = connection.execute(_HISTORY, params).first()
    if row is None:  # none in the window (so none at the site within the repeat window either)
        row = connection.execute(_HISTORY_ANY, params).first()
    # No earlier check-in at all means none at this site either.
    return (rules.Fix(row[0], row[1], row[2]), row[3]) if row else (None, 0)


def _judged(actor: User, site: Site, data: dict[str, Any]) -> CheckIn:
    """A new CheckIn with the verdict of the rules (its person and site by id: _insert_once
    gives it them as objects once it is stored)."""
    received_at = utcnow()
    fix = rules.Fix(data["lat"], data["lng"], data["captured_at"])
    previous, recent = _history(actor.id, site.id, fix.captured_at)
    verdict = rules.judge(
        fix,
        data.get("accuracy_m"),
        (site.lat, site.lng),
        site.radius_m,
        received_at,
        previous,
        recent,
    )
    return CheckIn(
        client_id=data["client_id"],
        user_id=actor.id,
        site_id=site.id,
        lat=fix.lat,
        lng=fix.lng,
        accuracy_m=data.get("accuracy_m"),
        distance_m=verdict.distance_m,
        captured_at=fix.captured_at,
        received_at=received_at,
        status=verdict.status,
        reason=verdict.reason,
        people_reached=data.get("people_reached"),
        materials_count=data.get("materials_count"),
        note=data.get("note"),
        site_condition=data.get("site_condition"),
        reviewed_by_id=None,
        reviewed_at=None,
        review_note=None,
    )


def _by_client_id(actor: User, client_id: str) -> CheckIn | None:
    """The check-in an earlier send of the same client_id made; another person's is a conflict."""
    row = idempotency.earlier("checkin", client_id)
    if row is None:
        return None
    if row.user_id != actor.id:
        raise Conflict(
            _l("client_id was already used"), {"client_id": _l("already used by another check-in")}
        )
    return db.session.get(CheckIn, row.record_id)


def _insert_once(
    checkin: CheckIn,
    actor: User,
    site: Site,
    photos=(),
    task: Task | None = None,
    grid_tasks: list[Task] | None = None,
) -> CheckIn | None:
    """Insert the check-in and claim its client_id (and settle the tasks it counts for); None
    when another send of the same client_id holds the key (a concurrent one's row then being
    visible), nothing of this one being left stored (see _store).

    Plain INSERTs rather than a unit-of-work flush (the hot path of the busiest call); the row
    then joins the session as persistent, and only then is given its person and site (as loaded
    values: adding it has nothing to cascade to). The claim cannot fail (ON CONFLICT DO NOTHING), so
    PostgreSQL needs no SAVEPOINT around it. On SQLite a SAVEPOINT is kept as the write
    transaction itself: it opens it (the driver begins none before it) and its RELEASE commits,
    so the database is locked for this insert alone, not for the rest of the request (see
    _write_transaction)."""
    held = instance_dict(checkin)  # every column is set (_judged), the id aside
    values = {column.key: held[column.key] for column in _COLUMNS}
    connection = db.session.connection()
    with _write_transaction(connection) if connection.dialect.name == "sqlite" else nullcontext():
        checkin.id = _store(connection, values)
        if checkin.id is None:
            return None
        evidence.attach_photos(list(photos), checkin)  # first: a task may need a photo
        if checkin.status == "accepted":
            _settle_for(checkin, task, grid_tasks)
        rectifications.open_for(checkin)
        # Its site's monthly sums, when it counts; last, as that row stays locked until COMMIT
        # (a check-in at the same site meanwhile waits for it).
        count_checkins(connection, [values])
    make_transient_to_detached(checkin)
    db.session.add(checkin)
    set_committed_value(checkin, "user", actor)
    set_committed_value(checkin, "site", site)
    if not photos:  # a new check-in without photos has none: the answer need not ask
        set_committed_value(checkin, "photos", [])
    return checkin


@contextmanager
def _write_transaction(connection):
    """SQLite: the check-in's write transaction, opened by a SAVEPOINT (the driver begins none
    before it) and committed by its RELEASE; rolled back to it on an error. Sent as plain SQL on
    the session's connection, as the session's own savepoints and the connection's cost more than
    the statements (each is compiled anew: its name is numbered). What the ORM writes inside
    (tasks settled, a rectification opened) is flushed there by its writer."""
    connection.exec_driver_sql("SAVEPOINT checkin_store")
    try:
        yield
    except BaseException:
        connection.exec_driver_sql("ROLLBACK TO SAVEPOINT checkin_store")
        connection.exec_driver_sql("RELEASE SAVEPOINT checkin_store")
        raise
    connection.exec_driver_sql("RELEASE SAVEPOINT checkin_store")


def _store(connection, values: dict) -> int | None:
    """Insert a check-in (a mapping of its columns) and claim its client_id: its new id, or None
    when another send holds the key (then nothing is left stored). PostgreSQL in one statement;
    SQLite (in the caller's SAVEPOINT, no round trips to save) inserts, claims, and deletes the
    row again when the claim finds the key taken."""
    if connection.dialect.name == "postgresql":
        params = {**values, "claimed_at": values["received_at"]}
        return connection.execute(_STORE_AT_ONCE, params).scalar()
    new_id = connection.execute(_INSERT, values).inserted_primary_key[0]
    if not idempotency.take("checkin", values["client_id"], values["user_id"], new_id, connection):
        connection.execute(_DELETE, {"id": new_id})
        return None
    return new_id


def _settle_for(
    checkin: CheckIn, task: Task | None = None, grid_tasks: list[Task] | None = None
) -> None:
    """Settle the tasks an accepted check-in counts for: the one it names (`task` when the caller
    holds it already), else its grid's site tasks (`grid_tasks` when the caller loaded them)."""
    if task is not None and task.id == checkin.task_id:
        if task.status not in task_progress.FINAL_STATUSES:
            task_progress.settle([task])
        return
    if grid_tasks is not None and checkin.task_id is None:
        unfinished = [t for t in grid_tasks if t.status not in task_progress.FINAL_STATUSES]
        if unfinished:
            task_progress.settle(unfinished)
        return
    task_progress.settle_tasks(
        task_progress.tasks_counting(
            checkin.task_id, [checkin.site.area_id], task_progress.SITE_KINDS, grid_too=False
        )
    )


def record_checkin(actor: User, data: dict[str, Any]) -> tuple[CheckIn, bool]:
    """Judge and store a check-in; a repeat of its client_id answers the first record (created False).

    The client_id is not looked up first: nearly every send is new, and its claim, made where the
    row is stored (_store), is what decides. A repeat's store finds the key taken and leaves
    nothing, and the first record is answered; a repeat that would now be refused (the code
    rotated since, its photos attached to the first) answers the first too."""
    require(actor, "check_in", "site")
    client_id = str(data["client_id"])
    try:
        site = resolve_site_token(actor, data["token"])
        task, grid_tasks = _task_for(actor, site, data.get("task_id"))
        photos = evidence.linkable_photos(actor, data.get("photo_ids") or [], None)
    except DomainError:
        earlier = _by_client_id(actor, client_id)
        if earlier is not None:
            return earlier, False
        raise
    checkin = _judged(actor, site, {**data, "client_id": client_id})
    checkin.task_id = task.id if task is not None else None
    if _insert_once(checkin, actor, site, photos, task, grid_tasks) is None:
        return _by_client_id(actor, client_id), False
    return checkin, True


def amend_checkin(actor: User, checkin: CheckIn, data: dict[str, Any]) -> CheckIn:
    """The author adds details within a day: counts, note and condition replace, photos are added;
    position and time never change. Counts that change, or a photo (which a task may require),
    settle the tasks the check-in counts for."""
    require(actor, "amend", "checkin", checkin)
    evidence.require_amendable(checkin, data)
    photos = evidence.linkable_photos(actor, data.get("photo_ids") or [], checkin)
    changed = evidence.apply_details(checkin, data)
    db.session.flush()
    evidence.attach_photos(photos, checkin)
    # A photo may make it count for a task that requires one.
    if (changed & set(evidence.COUNTS) or photos) and checkin.status == "accepted":
        _settle_for(checkin)
    if "site_condition" in changed:
        rectifications.open_for(checkin)
    if changed or photos:
        record_event(actor, "checkin.amend", checkin, fields=sorted(changed), photos=len(photos))
    return checkin


def review_checkins(
    actor: User, checkins: list[CheckIn], decision: str, reason: str | None = None
) -> list[CheckIn]:
    """Approve or reject several flagged check-ins with one reason: all of them or, when any one
    may not be (one's own, no longer flagged), none."""
    if not checkins:
        raise Invalid(_l("choose at least one check-in"), {"checkin_ids": [_l("none chosen")]})
    with db.session.begin_nested():
        return [review_checkin(actor, checkin, decision, reason) for checkin in checkins]


def earlier_same_day(checkins: list[CheckIn]) -> dict[int, list[CheckIn]]:
    """For each check-in, the same worker's earlier check-ins of that local day, in one query."""
    if not checkins:
        return {}
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    days = {c.id: c.captured_at.astimezone(zone).date() for c in checkins}
    start = datetime.combine(min(days.values()), time.min, tzinfo=zone)
    end = datetime.combine(max(days.values()) + timedelta(days=1), time.min, tzinfo=zone)
    found = db.session.scalars(
        select(CheckIn)
        .where(
            CheckIn.user_id.in_({c.user_id for c in checkins}),
            CheckIn.captured_at >= start,
            CheckIn.captured_at < end,
        )
        .options(joinedload(CheckIn.site))
        .order_by(CheckIn.captured_at)
    ).all()
    return {
        c.id: [
            other
            for other in found
            if other.user_id == c.user_id
            and other.captured_at < c.captured_at
            and other.captured_at.astimezone(zone).date() == days[c.id]
        ]
        for c in checkins
    }


def get_checkin(actor: User, checkin_id: int) -> CheckIn:
    """A check-in the actor may see: in their area; a worker sees only their own."""
    checkin = db.session.get(CheckIn, checkin_id)
    if (
        checkin is None
        or not within_scope(actor, checkin.site.area)
        or (is_field_worker(actor) and checkin.user_id != actor.id)
    ):
        raise NotFound(_l("check-in not found"))
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
    if is_field_worker(actor):
        query = query.where(CheckIn.user_id == actor.id)
    if filters.get("area_id") is not None:
        area = require_area_in_scope(actor, filters["area_id"])
        query = query.where(
            Site.area_id.in_(select(Area.id).where(subtree_clause(Area.path, area.path)))
        )
    for key, column in (
        ("user_id", CheckIn.user_id),
        ("site_id", CheckIn.site_id),
        ("status", CheckIn.status),
    ):
        if filters.get(key) is not None:
            query = query.where(column == filters[key])
    if filters.get("force"):
        query = query.where(
            CheckIn.user_id.in_(select(User.id).where(User.force == filters["force"]))
        )
    query = _in_period(query, filters.get("from"), filters.get("to"))
    details = (
        contains_eager(CheckIn.site).selectinload(Site.area),
        selectinload(CheckIn.user),
        selectinload(CheckIn.photos),
    )
    return query.options(*details).order_by(CheckIn.captured_at.desc(), CheckIn.id.desc())


def review_checkin(
    actor: User, checkin: CheckIn, decision: str, reason: str | None = None
) -> CheckIn:
    """Approve (it then counts) or reject a flagged check-in; never one's own; audited."""
    require(actor, "review", "checkin", checkin)
    if checkin.user_id == actor.id:
        raise Forbidden(_l("you may not review your own check-in"))
    if decision not in DECISIONS:
        raise Invalid(
            _l("decision must be approve or reject"), {"decision": _l("approve or reject")}
        )
    reason = (reason or "").strip()
    if decision == "reject" and not reason:
        raise Invalid(_l("a rejection needs a reason"), {"reason": _l("required to reject")})
    if checkin.status != "flagged":
        raise Conflict(
            _l("only flagged check-ins are reviewed"), {"decision": _l("check-in is not flagged")}
        )
    checkin.status = "accepted" if decision == "approve" else "rejected"
    checkin.reviewed_by_id, checkin.reviewed_at, checkin.review_note = (
        actor.id,
        utcnow(),
        reason or None,
    )
    db.session.flush()
    if decision == "approve":
        _settle_for(checkin)
    record_event(actor, f"checkin.{decision}", checkin, flags=checkin.reason, reason=reason)
    if decision == "reject":
        events.checkin_rejected(checkin, reason)
    return checkin
