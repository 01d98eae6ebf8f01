"""Health, readiness, home and language."""

from flask import current_app, jsonify, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from app.blueprints.main import bp
from app.extensions import db
from app.guard import authorize
from app.i18n import LANG_COOKIE
from app.redirects import safe_next
from app.replica import replica_state
from app.services.home import home_for
from app.services.readiness import database_state

HEALTHY = b'{"status":"ok"}\n'


@bp.get("/healthz")
def healthz():
    """Alive; touches no database, the session or the limiter (see tests/web/test_health.py)."""
    return current_app.response_class(HEALTHY, mimetype="application/json")


@bp.get("/manifest.webmanifest")
def manifest():
    """The web app manifest: GridReach installs to a phone's home screen and opens like an app."""
    config = current_app.config
    body = {
        "name": config["PRODUCT_NAME"],
        "short_name": config["PRODUCT_NAME"],
        "lang": "zh-CN",
        "start_url": url_for("main.home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#c8102e",
        "icons": [
            {
                "src": url_for("static", filename=f"icons/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
            }
            for size in (192, 512)
        ],
    }
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/readyz")
def readyz():
    """Ready when the database answers and is at the latest migration; with a replica, also its
    state and lag (a replica that is down leaves the host ready, `degraded`: only the dashboards
    and reports fail)."""
    state = database_state()
    if state.get("schema") != "current":
        return jsonify(status="unavailable", **state), 503
    state |= replica_state(db.engines)
    return jsonify(status="degraded" if state.get("replica") == "down" else "ok", **state)


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
