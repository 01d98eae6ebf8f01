"""Health, readiness, home and language."""

from flask import jsonify, make_response, redirect, render_template, request
from flask_login import current_user

from app.blueprints.main import bp
from app.guard import authorize
from app.i18n import LANG_COOKIE
from app.redirects import safe_next
from app.services.home import home_for
from app.services.readiness import database_state


@bp.get("/healthz")
def healthz():
    """Alive; touches no database."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """Ready when the database answers and is at the latest migration."""
    state = database_state()
    if state.get("schema") != "current":
        return jsonify(status="unavailable", **state), 503
    return jsonify(status="ok", **state)


@bp.get("/")
@authorize("use", "pages")
def home():
    """Each role's start page."""
    return render_template(f"main/home_{current_user.role}.html", **home_for(current_user))


@bp.get("/lang/<code>")
def set_language(code: str):
    """Switch between zh and en; remembered in a cookie."""
    response = make_response(redirect(safe_next(request.args.get("next"))))
    if code in ("zh", "en"):
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax")
    return response
