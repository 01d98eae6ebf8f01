"""What each role's home page shows."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import Area, Site, User
from app.services.access import filter_by_scope, scope_area


def home_for(user: User) -> dict:
    """Figures for the home page, all within the user's area."""
    counts = {
        "areas": db.session.scalar(filter_by_scope(select(func.count(Area.id)), user, Area.id)),
        "sites": db.session.scalar(filter_by_scope(select(func.count(Site.id)), user, Site.area_id)),
    }
    if user.role != "worker":
        users = select(func.count(User.id))
        if user.area_id is not None:
            users = filter_by_scope(users.where(User.area_id.is_not(None)), user, User.area_id)
        counts["users"] = db.session.scalar(users)
    return {"scope": scope_area(user), "counts": counts, "grids": list(user.grids)}
