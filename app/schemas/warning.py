"""Risk warning input and output: `phone` leaves masked unless the caller is police or an admin."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.geo import COORD_SYSTEMS
from app.models import WARNING_LEVELS, WARNING_RESULTS
from app.schemas.common import Id, Latitude, Longitude, PageArgs, QueryId, Text, name_field
from app.schemas.task import LocalDateTime
from app.services.warnings import STOP_LOSS_STEPS, WARNING_STATUSES

PHONE_INPUT = validate.Regexp(r"^\+?[0-9 \-()]{5,24}$", error="digits only")


def _stop_loss(warning) -> list[str] | None:
    return [str(step) for step in STOP_LOSS_STEPS] if warning.result == "already_defrauded" else None


class WarningSchema(Schema):
    id = fields.Int(dump_only=True)
    level = fields.Str(required=True, validate=validate.OneOf(WARNING_LEVELS))
    area_id = Id(required=True, metadata={"description": "a grid"})
    area_name = fields.Function(lambda w: w.area.name, dump_only=True)
    subject_label = name_field(required=True, max=80, metadata={"description": "a label, not a full name"})
    phone = Text(allow_none=True, load_default=None, validate=PHONE_INPUT,
                 metadata={"description": "answered as 138****1234 except to police and admins"})
    status = fields.Str(dump_only=True)
    created_at = LocalDateTime(dump_only=True)
    deadline_at = LocalDateTime(dump_only=True, metadata={"description": "created_at + the level's hours"})
    seconds_left = fields.Int(dump_only=True, metadata={"description": "negative once overdue"})
    overdue = fields.Bool(dump_only=True)
    escalation = fields.Str(dump_only=True, allow_none=True,
                            metadata={"description": "grid, community or street: who answers for it now"})
    result = fields.Str(dump_only=True)
    note = fields.Str(dump_only=True)
    handled_at = LocalDateTime(dump_only=True)
    handled_by_id = fields.Int(dump_only=True)
    handled_lat = fields.Float(dump_only=True)
    handled_lng = fields.Float(dump_only=True)
    stop_loss = fields.Function(_stop_loss, dump_only=True,
                                metadata={"description": "urgent steps, when the person was already defrauded"})

    def get_attribute(self, obj, attr, default):
        if attr == "phone":  # the prepared (masked or full) number, never the stored one by accident
            return getattr(obj, "phone_shown", None)
        return super().get_attribute(obj, attr, default)


class WarningQuerySchema(PageArgs):
    status = fields.Str(validate=validate.OneOf(WARNING_STATUSES))
    overdue = fields.Bool()
    level = fields.Str(validate=validate.OneOf(WARNING_LEVELS))
    area_id = QueryId(metadata={"description": "any area: its whole subtree"})


class OutcomeSchema(Schema):
    result = fields.Str(required=True, validate=validate.OneOf(WARNING_RESULTS))
    note = Text(allow_none=True, validate=validate.Length(max=2000))
    lat = Latitude(allow_none=True)
    lng = Longitude(allow_none=True)
    coord_system = fields.Str(load_default="wgs84", validate=validate.OneOf(COORD_SYSTEMS))


class RevealedPhoneSchema(Schema):
    id = fields.Int()
    phone = fields.Str(allow_none=True)
