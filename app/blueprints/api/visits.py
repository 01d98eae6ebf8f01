"""Door-to-door visits: exactly once per client_id."""

from flask.views import MethodView
from flask_login import current_user

from app.blueprints.api import protected_blueprint
from app.guard import authorize
from app.schemas.common import list_schema, paginate
from app.schemas.evidence import EvidenceDetailsSchema
from app.schemas.visit import VisitQuerySchema, VisitSchema
from app.services import visits as visit_service

URL = "/visits"
blp = protected_blueprint("api_visits", __name__, "Door-to-door visits (入户)")


@blp.route("")
class Visits(MethodView):
    @authorize("read", "visit")
    @blp.arguments(VisitQuerySchema, location="query")
    @blp.response(200, list_schema(VisitSchema))
    def get(self, args):
        """A worker's own visits; everyone else's in the caller's area."""
        query = visit_service.list_visits(
            current_user,
            args.get("area_id"),
            args.get("household_id"),
            args.get("task_id"),
            args.get("flagged"),
        )
        return paginate(query, args)

    @authorize("record", "visit", then=visit_service.check_household)
    @blp.arguments(VisitSchema)
    @blp.response(201, VisitSchema)
    @blp.alt_response(
        200, schema=VisitSchema, description="This client_id was stored before: the same visit"
    )
    def post(self, data):
        """Record a visit; the same client_id again answers 200 with the visit stored first."""
        visit, created = visit_service.record_visit(current_user, data)
        return visit, 201 if created else 200


@blp.route("/<int:visit_id>")
class VisitById(MethodView):
    @authorize("read", "visit")
    @blp.response(200, VisitSchema)
    def get(self, visit_id):
        """One visit."""
        return visit_service.get_visit(current_user, visit_id)

    @blp.response(200, VisitSchema)
    @authorize("amend", "visit", load=visit_service.get_visit)
    @blp.arguments(EvidenceDetailsSchema)
    def patch(self, data, visit_id):
        """The author adds details within 24 hours (as for check-ins)."""
        visit = visit_service.get_visit(current_user, visit_id)
        return visit_service.amend_visit(current_user, visit, data)
