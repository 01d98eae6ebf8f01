"""Coordinator pages: the area tree, sites, people (and the work features add theirs here)."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.errors import Forbidden

bp = Blueprint("coordinate", __name__, url_prefix="/coordinate")


@bp.before_request
@login_required
def only_managers():
    """Coordinators and admins keep the map; leaders read the dashboard instead."""
    if current_user.role not in ("admin", "coordinator"):
        raise Forbidden(_l("coordinators only"))


from app.blueprints.coordinate import (  # noqa: E402,F401
    areas,
    campaigns,
    checkins,
    households,
    posters,
    sites,
    users,
    warnings,
)
