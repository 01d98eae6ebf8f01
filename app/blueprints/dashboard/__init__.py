"""The leaders' dashboard: coverage, rankings, charts, the map, cards, cases and the daily report.

Leaders read only; coordinators and admins may read it too. Every figure is scoped to the
caller's area (a street leader sees only their street)."""

from flask import Blueprint
from flask_login import current_user, login_required

from app.services.access import READERS, ensure_role

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


@bp.before_request
@login_required
def only_readers():
    """Leaders, coordinators and admins."""
    ensure_role(current_user, *READERS)


from app.blueprints.dashboard import casework, views  # noqa: E402,F401
