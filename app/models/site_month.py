"""Each site's accepted check-ins summed by local month, kept with the check-ins themselves."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import Connection, Date, ForeignKey, PrimaryKeyConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import add_to_sums, local_month

FIGURES = ("checkins", "people_reached", "materials")


class SiteMonth(db.Model):
    """A site's accepted check-ins of one local month: how many, people reached, leaflets.

    Coverage reads whole months from here (one row per site visited that month, against four or
    so check-ins each) and only a period's partial months from the check-ins. Sums, so months
    add up, and the writers add to them: check-in events (app/models/checkin.py), the check-in's
    own INSERT and the bulk loaders call count_checkins; `flask recount-months` repairs them."""

    __tablename__ = "site_months"
    __table_args__ = (
        # Month first: PostgreSQL reads a district's month from it in site order; SQLite finds a
        # site's month with one seek (month IN (...) AND site_id = ?), and holds the rows in it
        # (WITHOUT ROWID).
        PrimaryKeyConstraint("month", "site_id"),
        {"sqlite_with_rowid": False},
    )

    # A site can go only once its check-ins have: what is left of its months counts nothing.
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)  # its first day, local time
    checkins: Mapped[int] = mapped_column(default=0, server_default="0")
    people_reached: Mapped[int] = mapped_column(default=0, server_default="0")
    materials: Mapped[int] = mapped_column(default=0, server_default="0")


def count_checkins(
    connection: Connection, rows: Iterable[Mapping[str, Any]], sign: int = 1
) -> None:
    """Add (sign=-1: take away) check-ins, as mappings of their columns, to their sites' months;
    only accepted ones count. In the caller's transaction; one statement at most."""
    sums: dict[tuple[int, date], Counter] = {}
    for row in rows:
        if row["status"] != "accepted":
            continue
        key = (row["site_id"], local_month(row["captured_at"]))
        figures = sums.setdefault(key, Counter())
        figures["checkins"] += sign
        figures["people_reached"] += sign * (row["people_reached"] or 0)
        figures["materials"] += sign * (row["materials_count"] or 0)
    params = [
        {"site_id": site_id, "month": month, **{k: figures[k] for k in FIGURES}}
        for (site_id, month), figures in sorted(sums.items())  # one order: no deadlock
    ]
    add_to_sums(connection, SiteMonth.__table__, ("month", "site_id"), params)
