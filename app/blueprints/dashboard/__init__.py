"""The leaders' dashboard: coverage, rankings, charts, the map, cards, cases and the daily report.

Leaders read only; coordinators and admins may read it too. Every figure is scoped to the
caller's area (a street leader sees only their street)."""

from flask import Blueprint

from app.guard import guard_blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
guard_blueprint(bp, "read", "dashboard")


from app.blueprints.dashboard import assessment, casework, ledgers, people, views  # noqa: E402,F401
