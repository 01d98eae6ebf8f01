"""Rectification items (整改): a site found damaged, covered, missing or with its screen off,
opened by the check-in that saw it, assigned by the site's coordinator, closed with a photo."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.checkin import CheckIn
from app.models.photo import Photo
from app.models.site import Site
from app.models.user import User

RECTIFICATION_STATUSES = ("open", "assigned", "closed")
# The statuses of an item not yet closed: a site has at most one such item.
_NOT_CLOSED = text("status IN ('open', 'assigned')")


class Rectification(db.Model):
    """One item per problem found; a site has at most one item that is not closed (later
    sightings open nothing; the unique partial index settles two sightings at the same moment)."""

    __tablename__ = "rectifications"
    __table_args__ = (
        # The coordinator's list and the dashboard ask "open items of these sites, oldest first".
        Index("ix_rectifications_status_site", "status", "site_id", "opened_at"),
        Index(
            "uq_rectifications_site_not_closed",
            "site_id",
            unique=True,
            sqlite_where=_NOT_CLOSED,
            postgresql_where=_NOT_CLOSED,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    checkin_id: Mapped[int | None] = mapped_column(
        ForeignKey("checkins.id", ondelete="SET NULL"), index=True
    )
    condition: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="open")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closing_photo_id: Mapped[int | None] = mapped_column(
        ForeignKey("photos.id", ondelete="SET NULL")
    )
    note: Mapped[str | None] = mapped_column(Text)

    site: Mapped[Site] = relationship()
    checkin: Mapped[CheckIn | None] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    closing_photo: Mapped[Photo | None] = relationship()

    @property
    def area(self):
        """The site's grid: the area scope of the item."""
        return self.site.area

    @property
    def photo_ids(self) -> list[int]:
        """The photos of the check-in that found the problem."""
        return self.checkin.photo_ids if self.checkin is not None else []
