"""Photos (现场照片): uploaded exactly once per client_id, checked by their content and re-encoded
without metadata, kept in the photo store, shown to those who may see the record they belong to,
and deleted after PHOTO_RETENTION_MONTHS."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta
from itertools import islice

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app import images
from app.errors import Conflict, Invalid, NotFound, TooLarge
from app.extensions import db
from app.models import Photo, User
from app.models.task import TaskReport
from app.photo_store import photo_store
from app.policy import require
from app.services import rectifications
from app.services.checkins import get_checkin
from app.services.tasks import get_task
from app.services.visits import get_visit


def read_upload(stream) -> bytes:
    """An upload's bytes, refused past PHOTO_MAX_BYTES (413 naming the limit) without reading more."""
    limit = current_app.config["PHOTO_MAX_BYTES"]
    data = stream.read(limit + 1)
    if len(data) > limit:
        mb = f"{limit / (1024 * 1024):g}"
        raise TooLarge(
            _l("the photo is larger than %(mb)s MB", mb=mb),
            {"file": [_l("larger than %(mb)s MB", mb=mb)]},
        )
    return data


def _by_client_id(actor: User, client_id: str) -> Photo | None:
    photo = db.session.scalar(select(Photo).where(Photo.client_id == client_id))
    if photo is not None and photo.user_id != actor.id:
        raise Conflict(
            _l("client_id was already used"), {"client_id": [_l("already used by another photo")]}
        )
    return photo


def _new_key() -> str:
    # Random, spread over 256 folders; it names neither the person nor the record.
    return f"{secrets.token_hex(1)}/{uuid.uuid4().hex}.jpg"


def upload_photo(actor: User, client_id: uuid.UUID, data: bytes) -> tuple[Photo, bool]:
    """Store an uploaded image re-encoded; the same client_id again answers the first (created False)."""
    require(actor, "upload", "photo")
    client_id = str(client_id)
    earlier = _by_client_id(actor, client_id)
    if earlier is not None:
        return earlier, False
    try:
        encoded = images.reencode(data)
    except images.NotAnImage:
        raise Invalid(
            _l("the file is not a JPEG, PNG or WebP photo"),
            {"file": [_l("not a JPEG, PNG or WebP photo")]},
        ) from None
    photo = Photo(
        client_id=client_id,
        user_id=actor.id,
        key=_new_key(),
        content_type=encoded.content_type,
        size=len(encoded.data),
        width=encoded.width,
        height=encoded.height,
    )
    store = photo_store()
    store.put(photo.key, encoded.data, encoded.content_type)
    try:
        with db.session.begin_nested():
            db.session.add(photo)
            db.session.flush()
    except IntegrityError:
        store.delete(photo.key)  # a concurrent send of the same client_id stored it first
        earlier = _by_client_id(actor, client_id)
        if earlier is None:
            raise
        return earlier, False
    return photo, True


def get_photo(actor: User, photo_id: int) -> Photo:
    """A photo the actor may see: their own upload, or one on a record they may read (404 else)."""
    require(actor, "read", "photo")
    photo = db.session.get(Photo, photo_id)
    if photo is None:
        raise NotFound(_l("photo not found"))
    if photo.user_id == actor.id:
        return photo
    try:
        if photo.checkin_id is not None:
            get_checkin(actor, photo.checkin_id)
            return photo
        if photo.visit_id is not None:
            get_visit(actor, photo.visit_id)
            return photo
        if photo.task_report_id is not None:
            report = db.session.get(TaskReport, photo.task_report_id)
            get_task(actor, report.task_id)
            return photo
        item = rectifications.rectification_of_photo(photo)
        if item is not None:
            rectifications.get_rectification(actor, item.id)
            return photo
    except NotFound:
        pass
    raise NotFound(_l("photo not found"))


def photo_bytes(photo: Photo) -> bytes:
    return photo_store().get(photo.key)


def delete_expired_photos(before: datetime, limit: int, after_id: int = 0) -> list[int]:
    """One batch of photos uploaded before `before`: their files and rows deleted."""
    rows = db.session.execute(
        select(Photo.id, Photo.key)
        .where(Photo.id > after_id, Photo.created_at < before)
        .order_by(Photo.id)
        .limit(limit)
    ).all()
    if not rows:
        return []
    store = photo_store()
    for row in rows:
        store.delete(row.key)  # first the file: a row left without its file is retried next run
    ids = [row.id for row in rows]
    db.session.execute(
        delete(Photo).where(Photo.id.in_(ids)).execution_options(synchronize_session=False)
    )
    return ids


# An upload writes its file before its row commits: younger files may still be getting theirs.
ORPHAN_GRACE = timedelta(hours=1)


def delete_orphan_files(before: datetime, batch: int = 1000, store=None) -> int:
    """Delete stored files written before `before` that no photo row names (left by a request that
    failed after writing its file); how many. The rows are looked up `batch` keys at a time."""
    store = store or photo_store()
    removed = 0
    keys = store.keys_before(before)
    while chunk := list(islice(keys, batch)):
        known = set(db.session.scalars(select(Photo.key).where(Photo.key.in_(chunk))))
        for key in chunk:
            if key not in known:
                store.delete(key)
                removed += 1
    return removed
