"""Rectification items (整改): listed within scope, assigned by coordinators, closed with a photo."""

from flask_login import current_user

from app.blueprints.api import protected_blueprint
from app.guard import authorize
from app.schemas.common import list_schema, paginate
from app.schemas.rectification import (
    RectificationAssignSchema,
    RectificationCloseSchema,
    RectificationQuerySchema,
    RectificationSchema,
)
from app.services import rectifications as service

URL = "/rectifications"
blp = protected_blueprint("api_rectifications", __name__, "Rectification items (整改)")


@blp.route("")
@authorize("read", "rectification")
@blp.arguments(RectificationQuerySchema, location="query")
@blp.response(200, list_schema(RectificationSchema))
def list_items(args):
    """Items in the caller's area (a worker: assigned to them), oldest first; status=open for the unfinished."""
    return paginate(service.list_rectifications(current_user, args), args)


@blp.route("/<int:rectification_id>")
@authorize("read", "rectification")
@blp.response(200, RectificationSchema)
def get_item(rectification_id):
    """One item."""
    return service.get_rectification(current_user, rectification_id)


@blp.route("/<int:rectification_id>/assign", methods=["POST"])
@authorize("assign", "rectification", load=service.get_rectification)
@blp.arguments(RectificationAssignSchema)
@blp.response(200, RectificationSchema)
def assign(data, rectification_id):
    """Hand the item to a person who checks in at the site."""
    item = service.get_rectification(current_user, rectification_id)
    return service.assign_rectification(current_user, item, data["assignee_id"])


@blp.route("/<int:rectification_id>/close", methods=["POST"])
@authorize("close", "rectification", load=service.get_rectification)
@blp.arguments(RectificationCloseSchema)
@blp.response(200, RectificationSchema)
def close(data, rectification_id):
    """The assignee closes the item with a photo of the site put right."""
    item = service.get_rectification(current_user, rectification_id)
    return service.close_rectification(current_user, item, data["photo_id"], data.get("note"))
