"""The outbox: a notification, its recipients and its deliveries, written in the caller's
transaction (flushed, never committed), so nothing is told of a change that rolled back and
nothing is lost when a sender dies before sending."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Notification, NotificationDelivery, NotificationRecipient, User
from app.models.base import utcnow

PERSONAL_CHANNELS = ("webhook", "wecom", "dingtalk", "sms")


def _personal_address(user: User, config) -> tuple[str, str] | None:
    """(channel, address) of a person's own channel, when it can be used."""
    channel = user.notify_channel
    if channel == "sms":
        address = user.notify_address or user.phone
        return ("sms", address) if address and config.get("NOTIFY_SMS_URL") else None
    if channel in PERSONAL_CHANNELS and user.notify_address:
        return channel, user.notify_address
    return None


def notify(
    kind: str,
    recipients: Iterable[User],
    title: str,
    text: str,
    *,
    warning=None,
    link: str | None = None,
    dedupe_key: str | None = None,
    now: datetime | None = None,
) -> Notification | None:
    """Write a notification to the active recipients (each once) and its deliveries: one through
    the configured channel for all of them, one per person with a channel of their own."""
    people = list({u.id: u for u in recipients if u.active}.values())
    if not people:
        return None
    now = now or utcnow()
    config = current_app.config
    notification = Notification(
        kind=kind,
        title=title[:120],
        text=text,
        link=link,
        warning_id=warning.id if warning is not None else None,
        deadline_at=warning.deadline_at if warning is not None else None,
        dedupe_key=dedupe_key,
        created_at=now,
        recipients=[NotificationRecipient(user_id=u.id) for u in people],
    )
    db.session.add(notification)
    # The configured channel is resolved when sending, so a change of settings reaches what waits.
    deliveries = [NotificationDelivery(channel="default", due_at=now)]
    for user in people:
        own = _personal_address(user, config)
        if own:
            deliveries.append(
                NotificationDelivery(channel=own[0], address=own[1], user_id=user.id, due_at=now)
            )
    for delivery in deliveries:
        delivery.notification = notification
    db.session.add_all(deliveries)
    db.session.flush()
    return notification


def notify_once(kind: str, recipients: Iterable[User], title: str, text: str, **kwargs):
    """notify() under a dedupe key: when another sender wrote the same one first, nothing."""
    try:
        with db.session.begin_nested():
            return notify(kind, recipients, title, text, **kwargs)
    except IntegrityError:
        return None
