"""The grid worker's phone pages: the page a scanned site code opens (/c/TOKEN)."""

from flask import Blueprint

bp = Blueprint("worker", __name__)

from app.blueprints.worker import rectifications, sites, tasks, views, visits, warnings  # noqa: E402,F401
