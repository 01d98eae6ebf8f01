"""Risk warnings (预警指令): entry, import, the grid's list, outcomes, and audited phone reveals."""

from flask.views import MethodView
from flask_login import current_user

from app.blueprints.api import protected_blueprint
from app.blueprints.api.jobs import import_answer, import_call
from app.guard import authorize
from app.schemas.common import list_schema, paginate
from app.schemas.household import ImportReportSchema
from app.schemas.warning import (
    BoardQuerySchema,
    BoardSchema,
    CorrectionSchema,
    OutcomeSchema,
    RevealedPhoneSchema,
    WarningQuerySchema,
    WarningSchema,
)
from app.services import imports
from app.services.warnings import handling
from app.services.warnings.board import board as zeroing_board

URL = "/warnings"
blp = protected_blueprint("api_warnings", __name__, "Risk warnings (预警指令) and their outcomes")


@blp.route("")
class Warnings(MethodView):
    @authorize("read", "warning")
    @blp.arguments(WarningQuerySchema, location="query")
    @blp.response(200, list_schema(WarningSchema))
    def get(self, args):
        """Warnings the caller sees (a grid worker: their grids'), open first, soonest deadline first."""
        page = paginate(handling.list_warnings(current_user, args), args)
        handling.present(current_user, page["items"])
        return page

    @authorize("create", "warning", areas=("area_id",))
    @blp.arguments(WarningSchema)
    @blp.response(201, WarningSchema)
    def post(self, data):
        """Enter a warning for a grid; the deadline follows from the level."""
        warning = handling.create_warning(current_user, data)
        return handling.present(current_user, [warning])[0]


@blp.route("/board")
@authorize("read", "warning_board")
@blp.arguments(BoardQuerySchema, location="query")
@blp.response(200, BoardSchema)
def board(args):
    """日日清零: open and overdue by level and street, the share handled in time today and yesterday,
    the overdue ones with who answers for them now, and yesterday's review (numbers masked)."""
    return zeroing_board(current_user, args.get("date"))


@blp.route("/<int:warning_id>")
@authorize("read", "warning")
@blp.response(200, WarningSchema)
def get_warning(warning_id):
    """One warning."""
    return handling.present(current_user, [handling.get_warning(current_user, warning_id)])[0]


@blp.route("/<int:warning_id>/outcome", methods=["POST"])
@authorize("handle", "warning", load=handling.get_warning)
@blp.arguments(OutcomeSchema)
@blp.response(200, WarningSchema)
def outcome(data, warning_id):
    """Record the outcome; `already_defrauded` answers with urgent stop-loss steps."""
    warning = handling.get_warning(current_user, warning_id)
    return handling.present(current_user, [handling.record_outcome(current_user, warning, data)])[0]


@blp.route("/<int:warning_id>/correct", methods=["POST"])
@authorize("correct", "warning", load=handling.get_warning)
@blp.arguments(CorrectionSchema)
@blp.response(200, WarningSchema)
def correct(data, warning_id):
    """Correct an outcome recorded by mistake, with a reason (coordinators); audited."""
    warning = handling.get_warning(current_user, warning_id)
    return handling.present(current_user, [handling.correct_outcome(current_user, warning, data)])[
        0
    ]


@blp.route("/<int:warning_id>/reveal-phone", methods=["POST"])
@authorize("reveal", "phone", load=handling.get_warning)
@blp.response(200, RevealedPhoneSchema)
def reveal_phone(warning_id):
    """The full number, for police, admins and a worker of the warning's grid; audited."""
    warning = handling.get_warning(current_user, warning_id)
    return {"id": warning.id, "phone": handling.reveal_phone(current_user, warning)}


@blp.route("/import", methods=["POST"])
@authorize("import", "warning")
@import_call(blp, ImportReportSchema, "ImportReport")
def import_warnings(files):
    """Import a CSV or XLSX list (level, grid, subject_label, phone; or 等级, 网格, 对象, 电话): all or nothing."""
    return import_answer(imports.start_import(current_user, "warnings", files["file"].read()))
