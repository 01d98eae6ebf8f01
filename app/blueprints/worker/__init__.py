"""The grid worker's phone pages: the page a scanned site code opens (/c/TOKEN)."""

from flask import Blueprint

bp = Blueprint("worker", __name__)

from app.blueprints.worker import rectifications, tasks, views, visits  # noqa: E402,F401
