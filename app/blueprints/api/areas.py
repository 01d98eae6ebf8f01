"""Areas: streets, communities, grids."""

from flask import request
from flask.views import MethodView
from flask_login import current_user

from app.blueprints.api import protected_blueprint, report_or_error
from app.guard import authorize
from app.schemas.area import AreaListItemSchema, AreaQuerySchema, AreaSchema
from app.schemas.boundary import BoundaryImportQuerySchema, BoundaryReportSchema
from app.schemas.common import list_schema, paginate
from app.services import areas as area_service
from app.services import boundaries

URL = "/areas"
blp = protected_blueprint("api_areas", __name__, "Streets, communities and grids")


@blp.route("")
class Areas(MethodView):
    @authorize("read", "area")
    @blp.arguments(AreaQuerySchema, location="query")
    @blp.response(200, list_schema(AreaListItemSchema))
    def get(self, args):
        """Areas in the caller's scope."""
        return paginate(
            area_service.list_areas(current_user, args.get("parent_id"), args.get("level")), args
        )

    @authorize("create", "area", areas=("parent_id",))
    @blp.arguments(AreaSchema)
    @blp.response(201, AreaSchema)
    def post(self, data):
        """Add a street, community or grid."""
        return area_service.create_area(current_user, data)


@blp.route("/<int:area_id>")
class AreaById(MethodView):
    @authorize("read", "area")
    @blp.response(200, AreaSchema)
    def get(self, area_id):
        """One area."""
        return area_service.get_area(current_user, area_id)

    @authorize("update", "area", load=area_service.get_area, areas=("parent_id",))
    @blp.arguments(AreaSchema(partial=True))
    @blp.response(200, AreaSchema)
    def patch(self, data, area_id):
        """Change an area; a new parent_id moves its whole subtree."""
        area = area_service.get_area(current_user, area_id)
        return area_service.update_area(current_user, area, data)


@blp.route("/boundaries", methods=["POST"])
@authorize("import", "boundary")
@blp.arguments(BoundaryImportQuerySchema, location="query")
@blp.response(200, BoundaryReportSchema)
@blp.alt_response(
    422,
    schema=report_or_error("BoundaryReport"),
    description="Unusable features (nothing was written), or not a FeatureCollection",
)
@blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE")
def import_boundaries(args):
    """Boundaries from a GeoJSON FeatureCollection (the body, or file field `file`): all or none.

    Each feature names its area by `properties.code`, or `name` with an optional `parent`.
    """
    upload = request.files.get("file")
    collection = boundaries.read_collection(upload.read() if upload else request.get_data())
    report = boundaries.import_boundaries(
        current_user, collection, args["coord_system"], args["dry_run"]
    )
    return report.as_dict(preview=args["dry_run"]), 200 if report.ok else 422
