"""Coverage of an area and its children over a period."""

from flask_login import current_user

from app.blueprints.api import protected_blueprint
from app.guard import authorize
from app.replica import reads_from_replica
from app.schemas.coverage import CoverageQuerySchema, CoverageSchema
from app.services import coverage as coverage_service

URL = "/coverage"
blp = protected_blueprint("api_coverage", __name__, "Coverage rates (覆盖率) by area and period")


@blp.route("", methods=["GET"])
@authorize("read", "coverage", areas=("area_id",))
@blp.arguments(CoverageQuerySchema, location="query")
@blp.response(200, CoverageSchema)
@reads_from_replica
def get_coverage(args):
    """Coverage of an area (yours by default; the district for district-wide users) and its children."""
    return coverage_service.for_area(
        current_user, args["area_id"], args["date_from"], args["date_to"]
    )
