"""Households (入户 targets): one by one, or imported from CSV or XLSX."""

from flask.views import MethodView
from flask_login import current_user

from app.blueprints.api import protected_blueprint
from app.blueprints.api.jobs import import_answer, import_call
from app.guard import authorize
from app.schemas.common import list_schema, paginate
from app.schemas.household import (
    HouseholdPatchSchema,
    HouseholdQuerySchema,
    HouseholdSchema,
    ImportReportSchema,
)
from app.services import households as household_service
from app.services import imports

URL = "/households"
blp = protected_blueprint("api_households", __name__, "Households reached door to door (入户)")


@blp.route("")
class Households(MethodView):
    @authorize("read", "household")
    @blp.arguments(HouseholdQuerySchema, location="query")
    @blp.response(200, list_schema(HouseholdSchema))
    def get(self, args):
        """Households in the caller's scope (a worker: those of their grids)."""
        query = household_service.list_households(
            current_user,
            args.get("area_id"),
            args.get("tag"),
            args.get("unreachable"),
            args.get("q"),
        )
        return paginate(query, args)

    @authorize("create", "household", areas=("area_id",))
    @blp.arguments(HouseholdSchema)
    @blp.response(201, HouseholdSchema)
    def post(self, data):
        """Add a household to a grid; its label is unique in the grid."""
        return household_service.create_household(current_user, data)


@blp.route("/<int:household_id>")
class HouseholdById(MethodView):
    @authorize("read", "household")
    @blp.response(200, HouseholdSchema)
    def get(self, household_id):
        """One household."""
        return household_service.get_household(current_user, household_id)

    @authorize("update", "household", load=household_service.get_household)
    @blp.arguments(HouseholdPatchSchema)
    @blp.response(200, HouseholdSchema)
    def patch(self, data, household_id):
        """Change the label or tags, or mark it unreachable (vacant, demolished)."""
        household = household_service.get_household(current_user, household_id)
        return household_service.update_household(current_user, household, data)


@blp.route("/import", methods=["POST"])
@authorize("import", "household")
@import_call(blp, ImportReportSchema, "ImportReport")
def import_households(files):
    """Import a CSV or XLSX file (columns grid, label, tags; or 网格, 地址, 标签): all rows or none."""
    return import_answer(imports.start_import(current_user, "households", files["file"].read()))
