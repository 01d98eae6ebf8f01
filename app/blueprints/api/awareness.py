"""Awareness (知晓率): the share of counted quiz answers that pass, by area and period."""

from flask_login import current_user

from app.blueprints.api import protected_blueprint
from app.guard import authorize
from app.replica import reads_from_replica
from app.schemas.quiz import AwarenessQuerySchema, AwarenessSchema
from app.services import awareness as awareness_service

URL = "/awareness"
blp = protected_blueprint("api_awareness", __name__, "Awareness rates (知晓率) by area and period")


@blp.route("", methods=["GET"])
@authorize("read", "awareness", areas=("area_id",))
@blp.arguments(AwarenessQuerySchema, location="query")
@blp.response(200, AwarenessSchema)
@reads_from_replica
def get_awareness(args):
    """Responses, passes and the rate of an area (yours by default) and of each child area."""
    return awareness_service.for_area(
        current_user, args["area_id"], args["date_from"], args["date_to"]
    )
