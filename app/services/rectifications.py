"""Rectification (整改): a check-in that finds a site not intact opens an item for the site's
coordinator with the check-in's photos; the coordinator assigns it; the assignee closes it with
a photo of the site put right. Also each site's last known condition and when it was last seen."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.models import CheckIn, Photo, Rectification, Site, User
from app.models.base import utcnow
from app.policy import can, is_field_worker, require, rule_for
from app.services import evidence
from app.services.access import filter_by_scope, within_scope
from app.services.audit import record_event

OPEN = ("open", "assigned")
# What a check-in that was judged too far away says about a site does not count.
SIGHTING_STATUSES = ("accepted", "flagged")


def has_open_item(site_id: int) -> bool:
    """Whether the site has an item not yet closed."""
    return bool(
        db.session.scalar(
            select(exists().where(Rectification.site_id == site_id, Rectification.status.in_(OPEN)))
        )
    )


def open_for(checkin: CheckIn) -> Rectification | None:
    """Open an item for a check-in that found its site not intact, unless the site has one open
    already (later sightings add nothing but noise); None when nothing was opened. Two sightings at
    once both miss the look-up: the unique partial index lets one insert in, the other opens none."""
    condition = checkin.site_condition
    if condition in (None, "ok") or checkin.status not in SIGHTING_STATUSES:
        return None
    if has_open_item(checkin.site_id):
        return None
    item = Rectification(
        site_id=checkin.site_id, checkin_id=checkin.id, condition=condition, status="open"
    )
    try:
        with db.session.begin_nested():
            db.session.add(item)
            db.session.flush()
    except IntegrityError:  # a sighting at the same moment opened the site's item first
        return None
    return item


def list_rectifications(actor: User, filters: dict[str, Any]):
    """A select() of items in the actor's area (a worker: those assigned to them), oldest first."""
    require(actor, "read", "rectification")
    query = filter_by_scope(select(Rectification).join(Rectification.site), actor, Site.area_id)
    if is_field_worker(actor):
        query = query.where(Rectification.assignee_id == actor.id)
    status = filters.get("status")
    if status == "open":
        query = query.where(Rectification.status.in_(OPEN))
    elif status:
        query = query.where(Rectification.status == status)
    if filters.get("site_id") is not None:
        query = query.where(Rectification.site_id == filters["site_id"])
    details = (
        joinedload(Rectification.site).joinedload(Site.area),
        selectinload(Rectification.checkin).selectinload(CheckIn.photos),
        selectinload(Rectification.assignee),
    )
    return query.options(*details).order_by(Rectification.opened_at, Rectification.id)


def get_rectification(actor: User, rectification_id: int) -> Rectification:
    """An item the actor may see: in their area; a worker only those assigned to them (404 else)."""
    item = db.session.get(Rectification, rectification_id)
    if (
        item is None
        or not within_scope(actor, item.site.area)
        or (is_field_worker(actor) and item.assignee_id != actor.id)
    ):
        raise NotFound(_l("rectification not found"))
    return item


def assign_rectification(actor: User, item: Rectification, assignee_id: int) -> Rectification:
    """The coordinator hands an open item to someone who checks in at the site's grid."""
    require(actor, "assign", "rectification", item)
    if item.status == "closed":
        raise Conflict(_l("the item is closed"), {"assignee_id": [_l("the item is closed")]})
    assignee = db.session.get(User, assignee_id)
    if (
        assignee is None
        or not assignee.active
        or not can(assignee, "check_in", "site")
        or not within_scope(assignee, item.site.area)
        or not within_scope(actor, assignee.area)
    ):
        raise Invalid(
            _l("assignee_id is nobody who works at this site"),
            {"assignee_id": [_l("nobody of your area who checks in at this site")]},
        )
    item.assignee_id, item.assigned_by_id, item.assigned_at = assignee.id, actor.id, utcnow()
    item.status = "assigned"
    db.session.flush()
    record_event(actor, "rectification.assign", item, assignee_id=assignee.id)
    return item


def close_rectification(
    actor: User, item: Rectification, photo_id: int, note: str | None = None
) -> Rectification:
    """The assignee closes the item with a photo of the site put right (their own upload)."""
    require(actor, "close", "rectification", item)
    if item.status == "closed":
        raise Conflict(_l("the item is closed"), {"photo_id": [_l("the item is closed")]})
    [photo] = evidence.linkable_photos(actor, [photo_id], None)
    used = db.session.scalar(select(exists().where(Rectification.closing_photo_id == photo.id)))
    if used:
        raise Invalid(
            _l("photo_id closed another item"), {"photo_id": [_l("already on another record")]}
        )
    item.closing_photo_id, item.note = photo.id, note
    item.closed_by_id, item.closed_at, item.status = actor.id, utcnow(), "closed"
    db.session.flush()
    record_event(actor, "rectification.close", item, photo_id=photo.id)
    return item


def assignable_people(actor: User, item: Rectification, limit: int = 300) -> list[User]:
    """Active people of the actor's area who check in and whose area covers the item's site."""
    roles = rule_for("check_in", "site").roles
    query = filter_by_scope(
        select(User).where(User.active, User.role.in_(roles), User.area_id.is_not(None)),
        actor,
        User.area_id,
    ).order_by(User.display_name, User.id)
    people = db.session.scalars(query.limit(limit)).all()
    return [p for p in people if within_scope(p, item.site.area)]


def rectification_of_photo(photo: Photo) -> Rectification | None:
    return db.session.scalar(
        select(Rectification).where(Rectification.closing_photo_id == photo.id)
    )


def open_summary(actor: User, limit: int = 10) -> dict:
    """How many items are open in the actor's area, the oldest first (with their age in days)."""
    query = list_rectifications(actor, {"status": "open"})
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = db.session.scalars(query.limit(limit)).all() if total else []
    now = utcnow()
    return {
        "total": total,
        "oldest": [(item, (now - item.opened_at).days) for item in items],
        "oldest_days": (now - items[0].opened_at).days if items else None,
    }


def last_known(site_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Per site: the condition the last check-in that recorded one found (and when), and when the
    site was last seen by any check-in within reach; two grouped queries."""
    if not site_ids:
        return {}
    seen = dict(
        db.session.execute(
            select(CheckIn.site_id, func.max(CheckIn.captured_at))
            .where(CheckIn.site_id.in_(site_ids), CheckIn.status.in_(SIGHTING_STATUSES))
            .group_by(CheckIn.site_id)
        ).all()
    )
    latest = (
        select(CheckIn.site_id, func.max(CheckIn.captured_at).label("at"))
        .where(
            CheckIn.site_id.in_(site_ids),
            CheckIn.site_condition.is_not(None),
            CheckIn.status.in_(SIGHTING_STATUSES),
        )
        .group_by(CheckIn.site_id)
        .subquery()
    )
    conditions: dict[int, tuple[str, datetime]] = {
        site_id: (condition, at)
        for site_id, condition, at in db.session.execute(
            select(CheckIn.site_id, CheckIn.site_condition, CheckIn.captured_at).join(
                latest,
                and_(CheckIn.site_id == latest.c.site_id, CheckIn.captured_at == latest.c.at),
            )
        ).all()
    }
    return {
        site_id: {
            "last_seen": seen.get(site_id),
            "condition": conditions.get(site_id, (None, None))[0],
            "condition_at": conditions.get(site_id, (None, None))[1],
        }
        for site_id in site_ids
    }
