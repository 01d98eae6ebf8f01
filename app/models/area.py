"""The area tree: street → community → grid."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

LEVELS = ("street", "community", "grid")
PARENT_LEVEL = {"street": None, "community": "street", "grid": "community"}


class Area(db.Model):
    """A street, community or grid; `path` ("/3/17/42/") makes subtree queries one indexed LIKE."""

    __tablename__ = "areas"
    __table_args__ = (
        UniqueConstraint("parent_id", "name"),
        CheckConstraint("level IN ('street', 'community', 'grid')", name="level"),
        Index("ix_areas_path", "path"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    level: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    code: Mapped[str | None] = mapped_column(String(40), unique=True)
    path: Mapped[str] = mapped_column(String(255), default="")
    household_count: Mapped[int | None]
    # Of a grid: its household rows, and how many of them are reachable. Every writer of
    # households keeps them in its own transaction (app/models/household.py), so that coverage
    # reads a grid's households without a pass over them; `flask recount-households` rebuilds them.
    household_rows: Mapped[int] = mapped_column(default=0, server_default="0")
    reachable_households: Mapped[int] = mapped_column(default=0, server_default="0")
    # Of a grid: its active sites, and how many of them ask for no visit a month
    # (visits_per_month 0: they meet their rounds without one). Every site writer keeps them
    # (app/models/site.py), so that coverage reads a grid's sites without a pass over them;
    # `flask recount-sites` rebuilds them.
    active_sites: Mapped[int] = mapped_column(default=0, server_default="0")
    unasked_sites: Mapped[int] = mapped_column(default=0, server_default="0")
    population: Mapped[int | None]
    center_lat: Mapped[float | None]
    center_lng: Mapped[float | None]
    boundary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Keys of the shipped anti-fraud tips shown to the public at this area's sites (None: the
    # nearest area above that chose, else the default set).
    public_tips: Mapped[list[str] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Area | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Area]] = relationship(back_populates="parent", order_by="Area.name")

    def is_within(self, other: Area) -> bool:
        """True when this area is `other` or lies under it."""
        return self.path.startswith(other.path)

    def __repr__(self) -> str:
        return f"<Area {self.id} {self.level} {self.name}>"
