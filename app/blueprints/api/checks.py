"""The four must-checks (四必查): listed within scope, read with their evidence, concluded."""

from flask_login import current_user

from app.blueprints.api import protected_blueprint
from app.guard import authorize
from app.schemas.common import list_schema, paginate
from app.schemas.must_check import (
    MustCheckConcludeSchema,
    MustCheckDetailSchema,
    MustCheckQuerySchema,
    MustCheckSchema,
)
from app.services import must_checks as service

URL = "/checks"
blp = protected_blueprint("api_checks", __name__, "Must-checks (四必查)")


@blp.route("")
@authorize("read", "must_check")
@blp.arguments(MustCheckQuerySchema, location="query")
@blp.response(200, list_schema(MustCheckSchema))
def list_checks(args):
    """Checks in the caller's area, open ones first; filters status, kind, area_id."""
    return paginate(service.list_checks(current_user, args), args)


@blp.route("/<int:check_id>")
@authorize("read", "must_check")
@blp.response(200, MustCheckDetailSchema)
def get_check(check_id):
    """One check with the back-check evidence that exists."""
    return service.with_evidence(service.get_check(current_user, check_id))


@blp.route("/<int:check_id>/conclude", methods=["POST"])
@authorize("conclude", "must_check", load=service.get_check)
@blp.arguments(MustCheckConcludeSchema)
@blp.response(200, MustCheckDetailSchema)
def conclude(data, check_id):
    """A coordinator of the community records the conclusion, who was responsible, the follow-up."""
    check = service.get_check(current_user, check_id)
    return service.with_evidence(service.conclude_check(current_user, check, data))
