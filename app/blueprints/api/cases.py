"""Fraud cases (发案): entered or imported per community."""

from flask.views import MethodView
from flask_login import current_user

from app.blueprints.api import protected_blueprint
from app.blueprints.api.jobs import import_answer, import_call
from app.guard import authorize
from app.schemas.case import (
    BackcheckSchema,
    CaseImportFileSchema,
    CaseImportReportSchema,
    CaseQuerySchema,
    CaseSchema,
)
from app.schemas.common import list_schema, paginate
from app.services import backchecks, imports
from app.services import cases as case_service

URL = "/cases"
blp = protected_blueprint("api_cases", __name__, "Fraud cases (发案) and their back-checks (倒查)")


@blp.route("")
class Cases(MethodView):
    @authorize("read", "case")
    @blp.arguments(CaseQuerySchema, location="query")
    @blp.response(200, list_schema(CaseSchema))
    def get(self, args):
        """Cases in the caller's area, newest first."""
        return paginate(case_service.list_cases(current_user, args), args)

    @authorize("create", "case", areas=("area_id",))
    @blp.arguments(CaseSchema)
    @blp.response(201, CaseSchema)
    @blp.alt_response(
        200, schema=CaseSchema, description="The same client_id again: the first record"
    )
    def post(self, data):
        """Record a case in a community."""
        case, created = case_service.create_case(current_user, data)
        return case, 201 if created else 200


@blp.route("/<int:case_id>")
@authorize("read", "case")
@blp.response(200, CaseSchema)
def get_case(case_id):
    """One case."""
    return case_service.get_case(current_user, case_id)


@blp.route("/<int:case_id>/backcheck")
@authorize("read", "case")
@blp.response(200, BackcheckSchema)
def get_backcheck(case_id):
    """The back-check (倒查) of a case: the 30 days before it in its household, grid and community."""
    return backchecks.for_case(current_user, case_id)


@blp.route("/import", methods=["POST"])
@authorize("import", "case")
@import_call(blp, CaseImportReportSchema, "CaseImportReport", files_schema=CaseImportFileSchema)
def import_cases(files):
    """Import a CSV or XLSX file (community, occurred_on, fraud_type, loss_amount, …; or Chinese headers)."""
    return import_answer(imports.start_import(current_user, "cases", files["file"].read()))
