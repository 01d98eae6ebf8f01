"""The area tree: street → community → grid."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Connection,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    bindparam,
    or_,
    update,
)
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


def add_to_counters(
    connection: Connection, columns: tuple[str, ...], deltas: Mapping[int, tuple[int, ...]]
) -> None:
    """Add to grids' counters (`columns` of areas) what `deltas` holds per grid id (one number per
    column, in their order), in the caller's transaction. By increments, so two transactions
    writing to one grid at once both count; grids in one order, so they never deadlock."""
    params = [
        {"grid": grid, **{f"d_{column}": d for column, d in zip(columns, moved, strict=True)}}
        for grid, moved in sorted(deltas.items())
    ]
    if params:
        areas = Area.__table__
        added = {column: areas.c[column] + bindparam(f"d_{column}") for column in columns}
        connection.execute(
            update(areas).where(areas.c.id == bindparam("grid")).values(added), params
        )


def recount_counters(counts: Mapping[str, Any]) -> int:
    """Set grids' counters to `counts` (column: a scalar subquery correlated with areas) where
    they differ; how many areas changed. Repairs what the writers keep by increments."""
    areas = Area.__table__
    differ = or_(*(areas.c[column] != count for column, count in counts.items()))
    result = db.session.execute(update(areas).where(differ).values(dict(counts)))
    db.session.expire_all()
    return result.rowcount
