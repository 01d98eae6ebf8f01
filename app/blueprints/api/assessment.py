"""The monthly assessment (考核): scores per street or community, as JSON or the XLSX sheet."""

from flask import Response
from flask.views import MethodView
from flask_login import current_user

from app.blueprints.api import protected_blueprint
from app.guard import authorize
from app.replica import reads_from_replica
from app.schemas.assessment import AssessmentQuerySchema, AssessmentSchema, AssessmentWeightsSchema
from app.services import assessment

URL = "/assessment"
blp = protected_blueprint("api_assessment", __name__, "The monthly assessment (考核)")


@blp.route("")
@authorize("read", "assessment")
@blp.arguments(AssessmentQuerySchema, location="query")
@blp.response(200, AssessmentSchema)
@blp.alt_response(
    200,
    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    description="format=xlsx",
)
@reads_from_replica
def get_assessment(args):
    """Scores of the streets or communities of your area for a month (YYYY-MM), ranked."""
    result = assessment.assess(current_user, args["month"], args["level"])
    if args["format"] == "xlsx":
        name = f"assessment-{result['month']}-{result['level']}.xlsx"
        return Response(
            assessment.as_xlsx(result),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return result


@blp.route("/weights")
class Weights(MethodView):
    @authorize("read", "assessment")
    @blp.response(200, AssessmentWeightsSchema)
    def get(self):
        """Each indicator's weight (1 unless the district set another)."""
        return assessment.weights()

    @authorize("update", "assessment")
    @blp.arguments(AssessmentWeightsSchema)
    @blp.response(200, AssessmentWeightsSchema)
    def put(self, data):
        """Set weights (0..100; those not named keep theirs)."""
        return assessment.set_weights(current_user, data)
