"""Notifications (the outbox): what needs telling, to whom, and its delivery through a channel.

A notification is written in the same transaction as the change it tells of (a new warning, a task
assigned, a check-in rejected), so nothing is told of a change that rolled back. Each recipient
reads it in the app (unread until they mark it read); each delivery row is one message to send
through one channel — the configured one for all recipients, or a person's own address — and is
claimed, sent and marked by `flask --app app send-notifications`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.user import User

NOTIFICATION_KINDS = (
    "warning_new",
    "warning_reminder",
    "warning_due_soon",
    "warning_escalated",
    "warning_to_police",
    "task_assigned",
    "checkin_rejected",
    "daily_report",
)
# "default": the channel the settings name when the row is sent (NOTIFY_WEBHOOK_URL and _FORMAT).
CHANNELS = ("default", "log", "webhook", "wecom", "dingtalk", "sms")
DELIVERY_STATUSES = ("pending", "sending", "sent", "failed")


class Notification(db.Model):
    """One thing to tell; `text` never carries a resident's phone number."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    # A page inside the app the recipient opens from the list (a path, never an outside URL).
    link: Mapped[str | None] = mapped_column(String(200))
    warning_id: Mapped[int | None] = mapped_column(
        ForeignKey("warnings.id", ondelete="CASCADE"), index=True
    )
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Reminders and escalations found from the clock by several senders at once are written once.
    dedupe_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    recipients: Mapped[list[NotificationRecipient]] = relationship(
        back_populates="notification", cascade="all, delete-orphan"
    )


class NotificationRecipient(db.Model):
    """A person told; `read_at` stays empty until they mark it read (the badge counts these)."""

    __tablename__ = "notification_recipients"
    __table_args__ = (
        # The badge on every phone page: a person's unread ones.
        Index("ix_notification_recipients_user_read", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    notification: Mapped[Notification] = relationship(back_populates="recipients")
    user: Mapped[User] = relationship()


class NotificationDelivery(db.Model):
    """One message to send through one channel; the outbox row the sender claims."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        # Senders look for pending rows that are due, oldest due first.
        Index("ix_notification_deliveries_status_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    # A person's own address (a phone for SMS, a robot URL); None: the configured channel's.
    address: Mapped[str | None] = mapped_column(String(500))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when a sender takes the row; a row left `sending` past NOTIFY_CLAIM_SECONDS lost its
    # sender (killed mid-send) and is taken again.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(300))

    notification: Mapped[Notification] = relationship()
