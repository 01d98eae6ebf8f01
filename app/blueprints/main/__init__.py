"""Health checks, the home page per role, and the language switch."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from app.blueprints.main import notifications, views  # noqa: E402,F401
