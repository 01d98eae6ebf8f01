"""Publicity sites (宣传点位) where a printed QR code proves a visit."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Boolean, Connection, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from app.extensions import db
from app.models.area import Area, add_to_counters
from app.models.base import UTCDateTime, keep_sums, utcnow

SITE_KINDS = (
    "banner",
    "board",
    "screen",
    "poster",
    "cinema",
    "clinic",
    "bank",
    "hotel",
    "internet_cafe",
    "school",
    "company",
    "service_window",
    "other",
)


class Site(db.Model):
    """A site in a grid; lat/lng are always WGS-84 once stored."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    # active_history: the grid's counters (below) need the value a change replaces.
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True, active_history=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(24))
    lat: Mapped[float]
    lng: Mapped[float]
    radius_m: Mapped[int] = mapped_column(default=100)
    address: Mapped[str] = mapped_column(String(255), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True, active_history=True)
    qr_version: Mapped[int] = mapped_column(default=1)
    visits_per_month: Mapped[int] = mapped_column(default=1, active_history=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    area: Mapped[Area] = relationship()
    # Whether a check-in here by the person scanning its code has tasks to look at (theirs here,
    # or the grid's to settle): loaded with the site by that scan's look-up only
    # (app/services/checkins.py), None otherwise (not asked).
    checkin_tasks: Mapped[bool | None] = query_expression()


def count_sites(connection: Connection, rows: Iterable[dict], sign: int = 1) -> None:
    """Add (or with sign=-1 take away) sites, as {area_id, active, visits_per_month}, to their
    grids' active_sites and unasked_sites, in the caller's transaction.

    Writers that insert sites in bulk (the import, the demo) call it with what they inserted; the
    events below cover everything written through the ORM. The counters move by increments, so
    two transactions writing to one grid at once both count."""
    active: Counter[int] = Counter()
    unasked: Counter[int] = Counter()
    for row in rows:
        if row["active"]:
            active[row["area_id"]] += sign
            unasked[row["area_id"]] += sign if row["visits_per_month"] <= 0 else 0
    deltas = {grid_id: (n, unasked[grid_id]) for grid_id, n in active.items()}
    add_to_counters(connection, ("active_sites", "unasked_sites"), deltas)


# A site created, moved to another grid, (de)activated, asked for other visits, or deleted
# through the ORM moves its grids' counters.
keep_sums(Site, ("area_id", "active", "visits_per_month"), count_sites)
