"""Figures of the must-checks (四必查) for the dashboard and the daily report."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import Area, MustCheck
from app.services.access import subtree_clause


def count_open(area: Area | None) -> int:
    """Open checks in an area (None: the district)."""
    query = select(func.count(MustCheck.id)).where(MustCheck.status == "open")
    if area is not None:
        query = query.join(Area, Area.id == MustCheck.area_id).where(
            subtree_clause(Area.path, area.path)
        )
    return db.session.scalar(query)
