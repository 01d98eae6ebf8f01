"""Health checks, the home page per role, and the language switch."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from app.blueprints.main import views  # noqa: E402,F401
