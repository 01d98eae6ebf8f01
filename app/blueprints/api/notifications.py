"""A person's own notifications (the in-app inbox) and their own channel."""

from flask_login import current_user

from app.blueprints.api import protected_blueprint
from app.guard import authorize
from app.schemas.common import list_schema, paginate
from app.schemas.notification import (
    MarkedSchema,
    MarkReadSchema,
    NotificationQuerySchema,
    NotificationSchema,
    NotifyChannelSchema,
)
from app.services.notifications import inbox, preferences

URL = "/notifications"
blp = protected_blueprint("api_notifications", __name__, "My notifications and my channel")


@blp.route("")
@authorize("read", "notification")
@blp.arguments(NotificationQuerySchema, location="query")
@blp.response(200, list_schema(NotificationSchema))
def list_notifications(args):
    """Mine, unread first, newest first; reading the list marks nothing read."""
    return paginate(inbox.list_for(current_user), args)


@blp.route("/read", methods=["POST"])
@authorize("update", "notification")
@blp.arguments(MarkReadSchema)
@blp.response(200, MarkedSchema)
def mark_read(data):
    """Mark one (`id`) or all of mine read; sent again it marks nothing more."""
    marked = inbox.mark_read(current_user, data.get("id"))
    return {"marked": marked, "unread": inbox.unread_count(current_user)}


@blp.route("/channel")
@authorize("read", "self")
@blp.response(200, NotifyChannelSchema)
def get_channel():
    """My own channel, its address masked, and the channels I may choose."""
    return preferences.describe(current_user)


@blp.route("/channel", methods=["PUT"])
@authorize("update", "notify_channel")
@blp.arguments(NotifyChannelSchema)
@blp.response(200, NotifyChannelSchema)
def set_channel(data):
    """Set my own channel (or clear it); a robot URL must be the chat service's own."""
    preferences.set_channel(current_user, data)
    return preferences.describe(current_user)
