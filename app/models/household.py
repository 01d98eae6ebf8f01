"""Households reached door to door: an address label and tags, never names or ID numbers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.area import Area
from app.models.base import UTCDateTime, utcnow

HOUSEHOLD_TAGS = ("elderly", "floating", "student", "enterprise", "finance", "parent", "other")


class Household(db.Model):
    """A household in a grid; `unreachable` (vacant, demolished) removes it from coverage."""

    __tablename__ = "households"
    __table_args__ = (
        UniqueConstraint("area_id", "label"),
        # Coverage counts reachable households per grid from this index alone.
        Index("ix_households_area_unreachable", "area_id", "unreachable"),
        # ...and finds the few unreachable ones (whose visits do not count) from this one.
        Index("ix_households_unreachable_id", "unreachable", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    label: Mapped[str] = mapped_column(String(120))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    unreachable: Mapped[bool] = mapped_column(Boolean, default=False)
    unreachable_reason: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    area: Mapped[Area] = relationship()
