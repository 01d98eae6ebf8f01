"""The in-app side of notifications: a person's unread count (the badge), their list, marking read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import contains_eager

from app.extensions import db
from app.models import Notification, NotificationRecipient, User
from app.models.base import utcnow
from app.policy import require


def unread_count(user: User) -> int:
    """How many of the person's notifications are unread."""
    return db.session.scalar(
        select(func.count(NotificationRecipient.id)).where(
            NotificationRecipient.user_id == user.id, NotificationRecipient.read_at.is_(None)
        )
    )


def list_for(user: User):
    """A select() of the person's NotificationRecipient rows (each with its notification), unread
    first, newest first."""
    require(user, "read", "notification")
    unread_first = NotificationRecipient.read_at.is_not(None)
    return (
        select(NotificationRecipient)
        .join(Notification, NotificationRecipient.notification_id == Notification.id)
        .where(NotificationRecipient.user_id == user.id)
        .options(contains_eager(NotificationRecipient.notification))
        .order_by(unread_first, Notification.created_at.desc(), Notification.id.desc())
    )


def mark_read(user: User, notification_id: int | None = None, now: datetime | None = None) -> int:
    """Mark one (or, with none given, every) unread notification of the person read; how many."""
    require(user, "update", "notification")
    mine = (NotificationRecipient.user_id == user.id) & NotificationRecipient.read_at.is_(None)
    if notification_id is not None:
        mine &= NotificationRecipient.notification_id == notification_id
    changed = db.session.execute(
        update(NotificationRecipient).where(mine).values(read_at=now or utcnow())
    ).rowcount
    db.session.flush()
    return changed
