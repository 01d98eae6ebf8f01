"""Admin pages: the audit log."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.errors import Forbidden

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def only_admins():
    """The audit log names every person and address: admins only."""
    if current_user.role != "admin":
        raise Forbidden(_l("admins only"))


from app.blueprints.admin import audit  # noqa: E402,F401
