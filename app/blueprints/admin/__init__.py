"""Admin pages: the audit log."""

from flask import Blueprint

from app.guard import guard_blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
# The audit log names every person and address: admins only.
guard_blueprint(bp, "read", "audit")


from app.blueprints.admin import audit, settings  # noqa: E402,F401
