"""Health checks, the home page per role, and the language switch."""

from flask import Blueprint

from app.kit.static_urls import add_static_version

bp = Blueprint("main", __name__)
bp.app_url_defaults(add_static_version)  # every static URL of every page carries its version

from app.blueprints.main import notifications, views  # noqa: E402,F401
