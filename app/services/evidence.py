"""What check-ins and visits share as evidence: the details their author may add within a day,
and the photos (uploaded first, with POST /photos) that are linked to them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app.errors import Conflict, Invalid
from app.extensions import db
from app.models import CheckIn, Photo, User, Visit
from app.models.base import utcnow
from app.models.task import TaskReport

# How long after it arrived its author may still add to a record.
AMEND_WINDOW = timedelta(hours=24)
DETAILS = ("people_reached", "materials_count", "note", "site_condition")
COUNTS = ("people_reached", "materials_count")


def require_amendable(record: CheckIn | Visit, data: dict[str, Any]) -> None:
    """Refuse (409, naming each field sent) once the record is older than AMEND_WINDOW."""
    if utcnow() - record.received_at <= AMEND_WINDOW:
        return
    closed = _l("details can be added within 24 hours of the record only")
    raise Conflict(closed, {field: [closed] for field in data} or {"id": [closed]})


def _column(record) -> str:
    """The photo's column that links it to a record of this kind."""
    if isinstance(record, TaskReport):
        return "task_report_id"
    return "visit_id" if isinstance(record, Visit) else "checkin_id"


def linkable_photos(
    actor: User, photo_ids: list[int], record: CheckIn | Visit | TaskReport | None
) -> list[Photo]:
    """The photos named, each uploaded by the actor and belonging to no other record (422 naming
    photo_ids otherwise); photos already on `record` are left out."""
    ids = sorted(set(photo_ids))
    if not ids:
        return []
    photos = db.session.scalars(select(Photo).where(Photo.id.in_(ids))).all()
    mine = {photo.id: photo for photo in photos if photo.user_id == actor.id}
    missing = [i for i in ids if i not in mine]
    if missing:
        raise Invalid(
            _l("photo_ids names photos that are not yours"),
            {
                "photo_ids": [
                    _l("not one of your photos: %(ids)s", ids=", ".join(map(str, missing)))
                ]
            },
        )
    column = _column(record)
    here = record.id if record is not None else None
    taken = [
        p.id
        for p in mine.values()
        if (p.checkin_id or p.visit_id or p.task_report_id)
        and not (here and getattr(p, column) == here)
    ]
    if taken:
        raise Invalid(
            _l("photo_ids names photos of another record"),
            {
                "photo_ids": [
                    _l("already on another record: %(ids)s", ids=", ".join(map(str, taken)))
                ]
            },
        )
    return [p for p in mine.values() if here is None or getattr(p, column) != here]


def attach_photos(photos: list[Photo], record: CheckIn | Visit | TaskReport) -> None:
    """Link the photos to the record; 409 when a concurrent request linked one of them elsewhere
    first (the UPDATE only takes photos that are still free)."""
    if not photos:
        return
    taken = db.session.execute(
        update(Photo)
        .where(
            Photo.id.in_([p.id for p in photos]),
            Photo.checkin_id.is_(None),
            Photo.visit_id.is_(None),
            Photo.task_report_id.is_(None),
        )
        .values({_column(record): record.id})
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != len(photos):
        raise Conflict(
            _l("a photo was linked to another record meanwhile"),
            {"photo_ids": [_l("already on another record")]},
        )
    for photo in photos:
        db.session.expire(photo)
    if record in db.session:
        db.session.expire(record, ["photos"])


def apply_details(record: CheckIn | Visit, data: dict[str, Any]) -> set[str]:
    """Set the detail fields present in `data`; the names of those whose value changed."""
    changed = set()
    for field in DETAILS:
        if field in data and getattr(record, field) != data[field]:
            setattr(record, field, data[field])
            changed.add(field)
    return changed
