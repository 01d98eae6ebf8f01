"""Door-to-door visits (入户): recorded exactly once per client_id, the GPS fix checked against the grid."""

from __future__ import annotations

import uuid
from datetime import UTC
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app import geo
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.models import Area, Household, Site, Task, User, Visit
from app.models.task import task_assignees
from app.policy import can, is_field_worker, require
from app.services import evidence, idempotency, task_progress
from app.services.access import (
    filter_by_scope,
    is_id,
    require_area_in_scope,
    subtree_clause,
    within_scope,
)
from app.services.audit import record_event
from app.services.households import works_in

# Without a boundary, a grid is the circle around its sites' centroid reaching the farthest
# site, plus this margin: households lie between and around the sites.
SITES_MARGIN_M = 500.0
OUTSIDE_GRID = "outside_grid"


def may_visit(actor: User, household: Household) -> bool:
    """Workers visit their grids' households; coordinators and admins those of their area."""
    if is_field_worker(actor):
        return works_in(actor, household.area_id)
    return can(actor, "record", "visit", household)


def check_household(actor: User, body: dict, _obj=None) -> None:
    """Before the body is validated (the policy has let the actor record visits): the household it names."""
    if _replay_of_mine(actor, body.get("client_id")):
        return  # a retry answers the stored visit even if the household left the actor's grids since
    household_id = body.get("household_id")
    household = db.session.get(Household, household_id) if is_id(household_id) else None
    if household is not None and not may_visit(actor, household):
        raise Forbidden(
            _l("this household is not in your grids"), {"household_id": _l("not in your grids")}
        )


def _replay_of_mine(actor: User, client_id: object) -> bool:
    try:
        client_id = str(uuid.UUID(client_id))
    except (TypeError, ValueError, AttributeError):
        return False
    row = idempotency.earlier("visit", client_id)
    return row is not None and row.user_id == actor.id


def _load_household(actor: User, household_id: int) -> Household:
    household = db.session.get(Household, household_id)
    if household is None:
        raise NotFound(_l("household not found"), {"household_id": _l("no such household")})
    if not may_visit(actor, household):
        raise Forbidden(
            _l("this household is not in your grids"), {"household_id": _l("not in your grids")}
        )
    return household


def is_assignee(user: User, task_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    task_assignees.c.task_id == task_id, task_assignees.c.user_id == user.id
                )
            )
        )
    )


def check_task(actor: User, task_id: int, grid_id: int) -> Task:
    """The task a visit counts for: in the household's grid and the actor's (assigned, or in scope)."""
    task = db.session.get(Task, task_id)
    mine = task is not None and (
        is_assignee(actor, task.id) if is_field_worker(actor) else within_scope(actor, task.area)
    )
    if not mine or task.area_id != grid_id:
        raise Invalid(
            _l("task_id is not your task in this grid"),
            {"task_id": _l("not your task in this household's grid")},
        )
    if task.status == "cancelled":
        raise Invalid(_l("the task is cancelled"), {"task_id": _l("cancelled")})
    return task


def grid_flag(grid: Area, lat: float, lng: float) -> str | None:
    """OUTSIDE_GRID when the fix lies outside the grid's boundary, or far from its sites; else None."""
    if grid.boundary:
        try:
            return None if geo.point_in_polygon(lat, lng, grid.boundary) else OUTSIDE_GRID
        except (ValueError, TypeError, IndexError):
            pass  # a malformed boundary: judge by the sites instead
    sites = db.session.execute(
        select(Site.lat, Site.lng).where(Site.area_id == grid.id, Site.active)
    ).all()
    if not sites:
        return None
    c_lat = sum(s.lat for s in sites) / len(sites)
    c_lng = sum(s.lng for s in sites) / len(sites)
    reach = max(geo.distance_m(c_lat, c_lng, s.lat, s.lng) for s in sites) + SITES_MARGIN_M
    return OUTSIDE_GRID if geo.distance_m(c_lat, c_lng, lat, lng) > reach else None


def _existing(actor: User, client_id: str) -> Visit | None:
    """The visit already stored under this client_id; another person's id is a conflict."""
    row = idempotency.earlier("visit", client_id)
    if row is None:
        return None
    if row.user_id != actor.id:
        raise Conflict(
            _l("client_id already used"), {"client_id": _l("already used by another visit")}
        )
    return db.session.get(Visit, row.record_id)


def record_visit(actor: User, data: dict[str, Any]) -> tuple[Visit, bool]:
    """Store a visit, or return the one already stored under its client_id: (visit, created)."""
    require(actor, "record", "visit")
    client_id = str(data["client_id"])
    visit = _existing(actor, client_id)
    if visit is not None:
        return visit, False  # stored before: answered as it was, whatever this retry says
    household = _load_household(actor, data["household_id"])
    task_id = data.get("task_id")
    if task_id is not None:
        check_task(actor, task_id, household.area_id)
    lat, lng = geo.to_wgs84(data["lat"], data["lng"], data.get("coord_system") or "wgs84")
    visit = Visit(
        client_id=client_id,
        household_id=household.id,
        area_id=household.area_id,
        user_id=actor.id,
        task_id=task_id,
        outcome=data["outcome"],
        lat=lat,
        lng=lng,
        accuracy_m=data.get("accuracy_m"),
        captured_at=data["captured_at"].astimezone(UTC),
        app_installed=bool(data.get("app_installed")),
        materials_count=data.get("materials_count"),
        flag_reason=grid_flag(household.area, lat, lng),
    )
    try:
        with (
            db.session.begin_nested()
        ):  # on SQLite its RELEASE commits: the visit and its tasks' statuses at once
            db.session.add(visit)
            db.session.flush()
            idempotency.claim("visit", client_id, actor.id, visit.id)
            task_progress.settle_tasks(
                task_progress.tasks_counting(
                    task_id, [household.area_id], task_progress.HOUSEHOLD_KINDS
                )
            )
    except IntegrityError:
        # Another request claimed the same client_id between our look-up and our insert.
        visit = _existing(actor, client_id)
        if visit is None:
            raise
        return visit, False
    return visit, True


def amend_visit(actor: User, visit: Visit, data: dict[str, Any]) -> Visit:
    """The author adds details within a day (as for check-ins); a changed leaflet count settles
    the tasks the visit counts for."""
    require(actor, "amend", "visit", visit)
    evidence.require_amendable(visit, data)
    photos = evidence.linkable_photos(actor, data.get("photo_ids") or [], visit)
    changed = evidence.apply_details(visit, data)
    db.session.flush()
    evidence.attach_photos(photos, visit)
    if changed & set(evidence.COUNTS) or photos:  # a photo may make it count for its task
        task_progress.settle_tasks(
            task_progress.tasks_counting(
                visit.task_id, [visit.household.area_id], task_progress.HOUSEHOLD_KINDS
            )
        )
    if changed or photos:
        record_event(actor, "visit.amend", visit, fields=sorted(changed), photos=len(photos))
    return visit


def get_visit(actor: User, visit_id: int) -> Visit:
    """A visit the actor may see: their own, or (coordinators, leaders, admins) one in their area."""
    visit = db.session.get(Visit, visit_id) if is_id(visit_id) else None
    if visit is None or not (
        visit.user_id == actor.id
        or (not is_field_worker(actor) and within_scope(actor, visit.household.area))
    ):
        raise NotFound(_l("visit not found"))
    return visit


def list_visits(
    actor: User,
    area_id: int | None = None,
    household_id: int | None = None,
    task_id: int | None = None,
    flagged: bool | None = None,
):
    """A select() of visits: a worker's own, or those in the caller's area; newest first."""
    query = select(Visit).join(Household, Visit.household_id == Household.id)
    if is_field_worker(actor):
        query = query.where(Visit.user_id == actor.id)
    else:
        query = filter_by_scope(query, actor, Household.area_id)
    if area_id is not None:
        area = require_area_in_scope(actor, area_id)
        query = query.where(
            Household.area_id.in_(select(Area.id).where(subtree_clause(Area.path, area.path)))
        )
    if household_id is not None:
        query = query.where(Visit.household_id == household_id)
    if task_id is not None:
        query = query.where(Visit.task_id == task_id)
    if flagged is not None:
        query = query.where(
            Visit.flag_reason.is_not(None) if flagged else Visit.flag_reason.is_(None)
        )
    return query.options(selectinload(Visit.photos)).order_by(
        Visit.captured_at.desc(), Visit.id.desc()
    )
