"""Retention: old check-in and visit positions coarsened, old warnings' phone numbers erased,
finished background jobs (and the reports they keep) deleted, old photos deleted with their files.

Each step works on one batch of rows that still need it, in id order after `after_id`, and
answers the ids it changed, so the caller can commit between batches (short transactions on
big tables) and go on after the last id; a second run finds nothing left to do.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Float, Numeric, cast, delete, func, or_, select, tuple_, update

from app.extensions import db
from app.models import (
    CheckIn,
    IdempotencyKey,
    Job,
    Notification,
    NotificationDelivery,
    NotificationRecipient,
    RiskWarning,
    Visit,
)
from app.models.base import utcnow
from app.services.photos import delete_expired_photos

# 3 decimals of a degree: about 110 m of latitude, enough for "which street", not "which door".
COARSE_DECIMALS = 3


def _coarse(column):
    """`column` rounded to COARSE_DECIMALS in SQL (PostgreSQL rounds numeric, not double precision)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.round(cast(column, Numeric), COARSE_DECIMALS), Float)
    return func.round(column, COARSE_DECIMALS)


def _coarsen(model, before: datetime, limit: int, after_id: int) -> list[int]:
    """Round the positions of up to `limit` rows captured before `before` that are still precise."""
    ids = db.session.scalars(
        select(model.id)
        .where(
            model.id > after_id,
            model.captured_at < before,
            or_(model.lat != _coarse(model.lat), model.lng != _coarse(model.lng)),
        )
        .order_by(model.id)
        .limit(limit)
    ).all()
    if ids:
        db.session.execute(
            update(model)
            # captured_at too: on PostgreSQL it limits the update to the partitions before `before`
            .where(model.id.in_(ids), model.captured_at < before)
            .values(lat=_coarse(model.lat), lng=_coarse(model.lng))
            .execution_options(synchronize_session=False)
        )
    return ids


def coarsen_checkin_positions(before: datetime, limit: int, after_id: int = 0) -> list[int]:
    """One batch of old check-ins whose position is coarsened."""
    return _coarsen(CheckIn, before, limit, after_id)


def coarsen_visit_positions(before: datetime, limit: int, after_id: int = 0) -> list[int]:
    """One batch of old visits whose position is coarsened."""
    return _coarsen(Visit, before, limit, after_id)


def erase_warning_phones(before: datetime, limit: int, after_id: int = 0) -> list[int]:
    """One batch of warnings handled (or, still open, created) before `before` whose phone is erased."""
    ids = db.session.scalars(
        select(RiskWarning.id)
        .where(
            RiskWarning.id > after_id,
            RiskWarning.phone.is_not(None),
            func.coalesce(RiskWarning.handled_at, RiskWarning.created_at) < before,
        )
        .order_by(RiskWarning.id)
        .limit(limit)
    ).all()
    if ids:
        db.session.execute(
            update(RiskWarning)
            .where(RiskWarning.id.in_(ids))
            .values(phone=None)
            .execution_options(synchronize_session=False)
        )
    return ids


def delete_finished_jobs(before: datetime, limit: int, after_id: int = 0) -> list[int]:
    """One batch of jobs that finished (done or failed) before `before`, deleted with their reports."""
    ids = db.session.scalars(
        select(Job.id)
        .where(Job.id > after_id, Job.status.in_(("done", "failed")), Job.finished_at < before)
        .order_by(Job.id)
        .limit(limit)
    ).all()
    if ids:
        db.session.execute(
            delete(Job).where(Job.id.in_(ids)).execution_options(synchronize_session=False)
        )
    return ids


def delete_old_idempotency_keys(before: datetime, limit: int, after_id: int = 0) -> list[int]:
    """One batch of client_id keys (check-ins', visits') made before `before`, deleted; the ids
    of the records they named. `after_id` is not needed: the next batch finds the keys left."""
    keys = db.session.execute(
        select(IdempotencyKey.kind, IdempotencyKey.client_id, IdempotencyKey.record_id)
        .where(IdempotencyKey.created_at < before)
        .limit(limit)
    ).all()
    if keys:
        db.session.execute(
            delete(IdempotencyKey)
            .where(
                tuple_(IdempotencyKey.kind, IdempotencyKey.client_id).in_(
                    [(kind, client_id) for kind, client_id, _ in keys]
                )
            )
            .execution_options(synchronize_session=False)
        )
    return [record_id for _, _, record_id in keys]


def delete_old_notifications(before: datetime, limit: int, after_id: int = 0) -> list[int]:
    """One batch of notifications made before `before`, deleted with their recipients and
    deliveries (sent or not: past this age a notice is no longer news)."""
    ids = db.session.scalars(
        select(Notification.id)
        .where(Notification.id > after_id, Notification.created_at < before)
        .order_by(Notification.id)
        .limit(limit)
    ).all()
    if ids:
        for model in (NotificationDelivery, NotificationRecipient):
            db.session.execute(
                delete(model)
                .where(model.notification_id.in_(ids))
                .execution_options(synchronize_session=False)
            )
        db.session.execute(
            delete(Notification)
            .where(Notification.id.in_(ids))
            .execution_options(synchronize_session=False)
        )
    return ids


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the month's last day when shorter)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    following = datetime(year + (month == 12), month % 12 + 1, 1)
    last_day = (following - timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def purge_plan(
    position_days: int,
    phone_days: int,
    job_days: int = 30,
    now: datetime | None = None,
    photo_months: int | None = None,
    notification_days: int | None = None,
    idempotency_days: int | None = None,
) -> list[tuple[str, Callable[..., list[int]], datetime]]:
    """(what, one-batch step, cutoff) for each kind of expired data."""
    now = now or utcnow()
    positions = now - timedelta(days=position_days)
    return (
        [
            ("check-in positions coarsened", coarsen_checkin_positions, positions),
            ("visit positions coarsened", coarsen_visit_positions, positions),
            (
                "warning phone numbers erased",
                erase_warning_phones,
                now - timedelta(days=phone_days),
            ),
            ("finished jobs deleted", delete_finished_jobs, now - timedelta(days=job_days)),
        ]
        + (
            [("photos deleted", delete_expired_photos, months_before(now, photo_months))]
            if photo_months is not None
            else []
        )
        + (
            [
                (
                    "notifications deleted",
                    delete_old_notifications,
                    now - timedelta(days=notification_days),
                )
            ]
            if notification_days is not None
            else []
        )
        + (
            [
                (
                    "client_id keys deleted",
                    delete_old_idempotency_keys,
                    now - timedelta(days=idempotency_days),
                )
            ]
            if idempotency_days is not None
            else []
        )
    )
