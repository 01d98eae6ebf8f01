"""A person's notifications and their own channel."""

from marshmallow import Schema, fields, validate

from app.schemas.common import Id, PageArgs, Text
from app.services.localtime import to_local
from app.services.notifications.outbox import PERSONAL_CHANNELS


def _local(value):
    return to_local(value).isoformat() if value is not None else None


class NotificationSchema(Schema):
    """One notification as its recipient reads it (a NotificationRecipient row)."""

    id = fields.Function(lambda row: row.notification.id)
    kind = fields.Function(lambda row: row.notification.kind)
    title = fields.Function(lambda row: row.notification.title)
    text = fields.Function(lambda row: row.notification.text)
    link = fields.Function(lambda row: row.notification.link)
    warning_id = fields.Function(lambda row: row.notification.warning_id)
    deadline_at = fields.Function(lambda row: _local(row.notification.deadline_at))
    created_at = fields.Function(lambda row: _local(row.notification.created_at))
    read_at = fields.Function(lambda row: _local(row.read_at))


class NotificationQuerySchema(PageArgs):
    pass


class MarkReadSchema(Schema):
    id = Id(
        load_default=None,
        metadata={"description": "the notification to mark read; none marks all of mine"},
    )


class MarkedSchema(Schema):
    marked = fields.Int(metadata={"description": "how many were unread and are read now"})
    unread = fields.Int(metadata={"description": "how many are still unread"})


class NotifyChannelSchema(Schema):
    """The person's own channel: none clears it (the deployment's channel still reaches them)."""

    channel = fields.Str(
        allow_none=True,
        load_default=None,
        validate=validate.OneOf(("", *PERSONAL_CHANNELS)),
        metadata={"description": "sms, wecom, dingtalk or (admins) webhook; empty clears it"},
    )
    address = Text(
        allow_none=True,
        load_default=None,
        strip=True,
        validate=validate.Length(max=500),
        metadata={
            "description": "a mobile number (sms; empty: one's own phone), or the robot's URL "
            "(https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…, "
            "https://oapi.dingtalk.com/robot/send?access_token=…); shown back masked"
        },
    )
    channels = fields.List(
        fields.Str(), dump_only=True, metadata={"description": "the channels one may choose"}
    )
