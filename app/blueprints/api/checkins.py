"""Check-ins at publicity sites: record (exactly once), list, review."""

from functools import wraps

from flask.views import MethodView
from flask_login import current_user

from app.blueprints.api import protected_blueprint
from app.guard import authorize
from app.schemas.checkin import (
    CheckInCreateSchema,
    CheckInQuerySchema,
    CheckInReviewSchema,
    CheckInSchema,
)
from app.schemas.common import list_schema, paginate
from app.schemas.evidence import EvidenceDetailsSchema
from app.services import checkins as checkin_service

URL = "/checkins"
blp = protected_blueprint("api_checkins", __name__, "Check-ins at publicity sites (签到)")


def with_checkin(view):
    """Load the check-in named in the URL (404 outside the caller's view) before the body."""

    @wraps(view)
    def wrapper(*args, checkin_id, **kwargs):
        return view(*args, checkin=checkin_service.get_checkin(current_user, checkin_id), **kwargs)

    return wrapper


@blp.route("")
class CheckIns(MethodView):
    @authorize("read", "checkin")
    @blp.arguments(CheckInQuerySchema, location="query")
    @blp.response(200, list_schema(CheckInSchema))
    def get(self, args):
        """Check-ins in the caller's area (a worker sees their own), newest first."""
        return paginate(checkin_service.list_checkins(current_user, args), args)

    @blp.response(201, CheckInSchema)
    @blp.alt_response(
        200, schema=CheckInSchema, description="The same client_id again: the first record"
    )
    @authorize("check_in", "site", then=checkin_service.check_token_site)
    @blp.arguments(CheckInCreateSchema)
    def post(self, data):
        """Check in at the site a scanned code names; 201 when new, 200 for a repeated client_id."""
        # The person rather than the proxy: the busiest call reads them many times.
        actor = current_user._get_current_object()
        checkin, created = checkin_service.record_checkin(actor, data)
        return checkin, 201 if created else 200


@blp.route("/<int:checkin_id>")
class CheckInById(MethodView):
    @authorize("read", "checkin")
    @blp.response(200, CheckInSchema)
    def get(self, checkin_id):
        """One check-in."""
        return checkin_service.get_checkin(current_user, checkin_id)

    @blp.response(200, CheckInSchema)
    @authorize("amend", "checkin", load=checkin_service.get_checkin)
    @with_checkin
    @blp.arguments(EvidenceDetailsSchema)
    def patch(self, data, checkin):
        """The author adds details within 24 hours: counts, note and site_condition replace,
        photo_ids are added; position and time never change."""
        return checkin_service.amend_checkin(current_user, checkin, data)


@blp.route("/<int:checkin_id>/review", methods=["POST"])
@blp.response(200, CheckInSchema)
@authorize("review", "checkin")
@with_checkin
@blp.arguments(CheckInReviewSchema)
def review(data, checkin):
    """Approve or reject a flagged check-in (coordinators; never one's own); audited."""
    return checkin_service.review_checkin(current_user, checkin, data["decision"], data["reason"])
