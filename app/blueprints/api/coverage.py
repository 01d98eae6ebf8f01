"""Coverage of an area and its children over a period."""

from functools import wraps

from flask import request
from flask_login import current_user

from app.blueprints.api import protected_blueprint
from app.schemas.coverage import CoverageQuerySchema, CoverageSchema
from app.services import coverage as coverage_service

URL = "/coverage"
blp = protected_blueprint("api_coverage", __name__, "Coverage rates (覆盖率) by area and period")


def reader_first(view):
    """Role and the named area are checked before the query string is validated."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        coverage_service.authorize_reader(current_user, request.args.get("area_id"))
        return view(*args, **kwargs)

    return wrapper


@blp.route("", methods=["GET"])
@reader_first
@blp.arguments(CoverageQuerySchema, location="query")
@blp.response(200, CoverageSchema)
def get_coverage(args):
    """Coverage of an area (yours by default; the district for district-wide users) and its children."""
    return coverage_service.for_area(current_user, args["area_id"], args["date_from"], args["date_to"])
