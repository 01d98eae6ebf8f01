"""Households (入户 targets): one by one, or imported from CSV or XLSX."""

from functools import wraps

from flask import request
from flask.views import MethodView
from flask_login import current_user

from app.blueprints.api import protected_blueprint
from app.schemas.common import list_schema, paginate
from app.schemas.household import (
    HouseholdPatchSchema,
    HouseholdQuerySchema,
    HouseholdSchema,
    ImportFileSchema,
    ImportReportSchema,
)
from app.services import household_import
from app.services import households as household_service

URL = "/households"
blp = protected_blueprint("api_households", __name__, "Households reached door to door (入户)")


def managers_first(view):
    """Role and area are checked before the body is validated (403 even for a bad body)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        body = request.get_json(silent=True) if request.is_json else None
        area_id = body.get("area_id") if isinstance(body, dict) else None
        household_service.authorize_create(current_user, area_id)
        return view(*args, **kwargs)

    return wrapper


def change_allowed_first(view):
    """The household is found and the caller may change it before the body is validated."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        household_service.authorize_update(current_user, kwargs["household_id"])
        return view(*args, **kwargs)

    return wrapper


@blp.route("")
class Households(MethodView):
    @blp.arguments(HouseholdQuerySchema, location="query")
    @blp.response(200, list_schema(HouseholdSchema))
    def get(self, args):
        """Households in the caller's scope (a worker: those of their grids)."""
        query = household_service.list_households(
            current_user, args.get("area_id"), args.get("tag"), args.get("unreachable"), args.get("q"))
        return paginate(query, args)

    @managers_first
    @blp.arguments(HouseholdSchema)
    @blp.response(201, HouseholdSchema)
    def post(self, data):
        """Add a household to a grid; its label is unique in the grid."""
        return household_service.create_household(current_user, data)


@blp.route("/<int:household_id>")
class HouseholdById(MethodView):
    @blp.response(200, HouseholdSchema)
    def get(self, household_id):
        """One household."""
        return household_service.get_household(current_user, household_id)

    @change_allowed_first
    @blp.arguments(HouseholdPatchSchema)
    @blp.response(200, HouseholdSchema)
    def patch(self, data, household_id):
        """Change the label or tags, or mark it unreachable (vacant, demolished)."""
        household = household_service.get_household(current_user, household_id)
        return household_service.update_household(current_user, household, data)


@blp.route("/import", methods=["POST"])
@managers_first
@blp.arguments(ImportFileSchema, location="files")
@blp.response(201, ImportReportSchema)
@blp.alt_response(422, schema=ImportReportSchema, description="Bad rows; nothing was written")
def import_households(files):
    """Import a CSV or XLSX file (columns grid, label, tags; or 网格, 地址, 标签): all rows or none."""
    report = household_import.import_households(current_user, files["file"].read())
    status = 422 if not report.ok else (201 if report.created else 200)
    return report.as_dict(), status
