"""Risk warnings (预警指令) pushed by the bureau, handled face to face within a deadline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.area import Area
from app.models.base import UTCDateTime, utcnow
from app.models.user import User

WARNING_LEVELS = ("high", "medium", "low")
WARNING_RESULTS = ("dissuaded", "unreachable", "already_defrauded")


class RiskWarning(db.Model):
    """A warning about a person likely to be defrauded; `phone` is masked on the way out."""

    __tablename__ = "warnings"

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[str] = mapped_column(String(8), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    subject_label: Mapped[str] = mapped_column(String(80))
    phone: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    result: Mapped[str | None] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(Text)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_lat: Mapped[float | None]
    handled_lng: Mapped[float | None]

    area: Mapped[Area] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    handled_by: Mapped[User | None] = relationship(foreign_keys=[handled_by_id])
