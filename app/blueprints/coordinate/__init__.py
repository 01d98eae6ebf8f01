"""Coordinator pages: the area tree, sites, people (and the work features add theirs here)."""

from flask import Blueprint

from app.guard import guard_blueprint

bp = Blueprint("coordinate", __name__, url_prefix="/coordinate")
# Coordinators and admins keep the map; leaders read the dashboard instead (a view may say more).
guard_blueprint(bp, "use", "coordination")


from app.blueprints.coordinate import (  # noqa: E402,F401
    areas,
    assignment_list,
    campaigns,
    checkins,
    checks,
    households,
    invites,
    posters,
    quizzes,
    rectifications,
    sites,
    users,
    warnings,
)
