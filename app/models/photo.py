"""Photos (现场照片) that prove a check-in or a visit: the file lives in the photo store, this row
says whose it is and which record it belongs to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.user import User


class Photo(db.Model):
    """One re-encoded image; `client_id` (made on the phone) makes retried uploads exactly-once.

    A photo belongs to at most one record; until it is linked only its uploader may see it."""

    __tablename__ = "photos"
    __table_args__ = (
        # Retention deletes the oldest photos first, in batches.
        Index("ix_photos_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(36), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The object's key in the photo store (a random name: it tells nothing about the record).
    key: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checkin_id: Mapped[int | None] = mapped_column(
        ForeignKey("checkins.id", ondelete="SET NULL"), index=True
    )
    visit_id: Mapped[int | None] = mapped_column(
        ForeignKey("visits.id", ondelete="SET NULL"), index=True
    )
    # An activity report's photo (a lecture, a stall): shown to those who may read its task.
    task_report_id: Mapped[int | None] = mapped_column(
        ForeignKey("task_reports.id", ondelete="SET NULL"), index=True
    )

    user: Mapped[User] = relationship()
