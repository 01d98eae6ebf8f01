"""Each household's visits summed by local month, kept with the visits themselves."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import Connection, Date, ForeignKey, Index, bindparam, select
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import add_to_sums, local_month
from app.models.household import Household

FIGURES = ("visits", "app_installs", "materials", "reached")


class HouseholdMonth(db.Model):
    """A household's visits of one local month: how many, app installs, leaflets, and how many
    reached it; `area_id` is the household's grid (moved with it, as its visits are).

    Coverage reads whole months from here, grid by grid (the index below), and only a period's
    partial months from the visits. Kept by the visit events (app/models/visit.py) and the bulk
    loaders (count_visits); `flask recount-months` repairs them."""

    __tablename__ = "household_months"
    __table_args__ = (
        # A month's households grid by grid, with every figure: coverage reads only this.
        Index(
            "ix_household_months_coverage",
            "month",
            "area_id",
            "reached",
            "household_id",
            "visits",
            "app_installs",
            "materials",
        ),
        {"sqlite_with_rowid": False},
    )

    # A household can go only once its visits have: what is left of its months counts nothing.
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[date] = mapped_column(Date, primary_key=True)  # its first day, local time
    area_id: Mapped[int] = mapped_column()
    visits: Mapped[int] = mapped_column(default=0, server_default="0")
    app_installs: Mapped[int] = mapped_column(default=0, server_default="0")
    materials: Mapped[int] = mapped_column(default=0, server_default="0")
    reached: Mapped[int] = mapped_column(default=0, server_default="0")


# The household's grid as the row is created (a visit's own area_id may still be an expression).
_GRID = select(Household.area_id).where(Household.id == bindparam("of_household")).scalar_subquery()


def count_visits(connection: Connection, rows: Iterable[Mapping[str, Any]], sign: int = 1) -> None:
    """Add (sign=-1: take away) visits, as mappings of their columns, to their households'
    months, in the caller's transaction; one statement at most."""
    sums: dict[tuple[int, date], Counter] = {}
    for row in rows:
        key = (row["household_id"], local_month(row["captured_at"]))
        figures = sums.setdefault(key, Counter())
        figures["visits"] += sign
        figures["app_installs"] += sign if row["app_installed"] else 0
        figures["materials"] += sign * (row["materials_count"] or 0)
        figures["reached"] += sign if row["outcome"] == "reached" else 0
    params = [
        {"household_id": h, "of_household": h, "month": month, **{k: f[k] for k in FIGURES}}
        for (h, month), f in sorted(sums.items())  # one order: no deadlock
    ]
    keys = ("household_id", "month")
    add_to_sums(connection, HouseholdMonth.__table__, keys, params, fixed={"area_id": _GRID})
