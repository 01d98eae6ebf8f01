"""Risk warning input and output: `phone` leaves masked unless the caller is police or an admin."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.geo import COORD_SYSTEMS
from app.i18n import N_
from app.models import WARNING_LEVELS, WARNING_RESULTS
from app.models.warning import REPORTED_TO
from app.schemas.case import in_cents
from app.schemas.common import Day, Id, Latitude, Longitude, PageArgs, QueryId, Text, name_field
from app.schemas.task import LocalDateTime
from app.services.localtime import to_local
from app.services.warnings.handling import STOP_LOSS_STEPS, WARNING_STATUSES

PHONE_INPUT = validate.Regexp(r"^\+?[0-9 \-()]{5,24}$", error=N_("digits only"))


def _stop_loss(warning) -> list[str] | None:
    return (
        [str(step) for step in STOP_LOSS_STEPS] if warning.result == "already_defrauded" else None
    )


class WarningSchema(Schema):
    id = fields.Int(dump_only=True)
    level = fields.Str(required=True, validate=validate.OneOf(WARNING_LEVELS))
    area_id = Id(required=True, metadata={"description": "a grid"})
    area_name = fields.Function(lambda w: w.area.name, dump_only=True)
    subject_label = name_field(
        required=True, max=80, metadata={"description": "a label, not a full name"}
    )
    phone = Text(
        allow_none=True,
        load_default=None,
        validate=PHONE_INPUT,
        metadata={"description": "answered as 138****1234 except to police and admins"},
    )
    household_id = Id(
        allow_none=True, load_default=None, metadata={"description": "a household of the grid"}
    )
    address = Text(
        allow_none=True,
        load_default=None,
        strip=True,
        validate=validate.Length(max=200),
        metadata={"description": "where to find the person, when no household is known"},
    )
    status = fields.Str(dump_only=True)
    created_at = LocalDateTime(dump_only=True)
    deadline_at = LocalDateTime(
        dump_only=True, metadata={"description": "created_at + the level's hours"}
    )
    seconds_left = fields.Int(dump_only=True, metadata={"description": "negative once overdue"})
    overdue = fields.Bool(dump_only=True)
    escalation = fields.Str(
        dump_only=True,
        allow_none=True,
        metadata={"description": "grid, community or street: who answers for it now"},
    )
    result = fields.Str(dump_only=True)
    note = fields.Str(dump_only=True)
    handled_at = LocalDateTime(dump_only=True)
    handled_by_id = fields.Int(dump_only=True)
    handled_lat = fields.Float(dump_only=True)
    handled_lng = fields.Float(dump_only=True)
    unreachable_count = fields.Int(
        dump_only=True,
        metadata={"description": "无法见面 so far; the second hands it to the police"},
    )
    handed_to_police_at = LocalDateTime(dump_only=True)
    loss_amount = fields.Decimal(dump_only=True, as_string=True)
    stopped_amount = fields.Decimal(
        dump_only=True, as_string=True, metadata={"description": "止损金额, yuan"}
    )
    paid_to = fields.Str(dump_only=True)
    defrauded_at = LocalDateTime(dump_only=True)
    fraud_channel = fields.Str(dump_only=True)
    reported_to = fields.Str(dump_only=True)
    stop_loss = fields.Function(
        _stop_loss,
        dump_only=True,
        metadata={"description": "urgent steps, when the person was already defrauded"},
    )

    def get_attribute(self, obj, attr, default):
        if (
            attr == "phone"
        ):  # the prepared (masked or full) number, never the stored one by accident
            return getattr(obj, "phone_shown", None)
        return super().get_attribute(obj, attr, default)


class WarningQuerySchema(PageArgs):
    status = fields.Str(validate=validate.OneOf(WARNING_STATUSES))
    overdue = fields.Bool()
    level = fields.Str(validate=validate.OneOf(WARNING_LEVELS))
    area_id = QueryId(metadata={"description": "any area: its whole subtree"})


def _amount(description: str):
    return fields.Decimal(
        allow_none=True,
        as_string=True,
        allow_nan=False,
        validate=in_cents,
        metadata={
            "description": description,
            "type": "string",
            "pattern": r"^[0-9]{1,12}(\.[0-9]{1,2})?$",
        },
    )


class OutcomeSchema(Schema):
    result = fields.Str(required=True, validate=validate.OneOf(WARNING_RESULTS))
    note = Text(allow_none=True, validate=validate.Length(max=2000))
    # 已被骗 (快采): kept with `already_defrauded` only.
    loss_amount = _amount("yuan lost")
    stopped_amount = _amount("yuan stopped or recovered (止损金额)")
    paid_to = Text(
        allow_none=True,
        strip=True,
        validate=validate.Length(max=80),
        metadata={"description": "the payee account or number the victim paid"},
    )
    defrauded_at = LocalDateTime(allow_none=True)
    fraud_channel = Text(allow_none=True, strip=True, validate=validate.Length(max=40))
    reported_to = fields.Str(allow_none=True, validate=validate.OneOf(REPORTED_TO))
    lat = Latitude(allow_none=True)
    lng = Longitude(allow_none=True)
    coord_system = fields.Str(load_default="wgs84", validate=validate.OneOf(COORD_SYSTEMS))
    client_id = fields.UUID(
        load_only=True,
        load_default=None,
        metadata={
            "description": "made by the client for each attempt; a retried 无法见面 with it "
            "is not counted again"
        },
    )


class CorrectionSchema(OutcomeSchema):
    reason = Text(required=True, strip=True, validate=validate.Length(min=1, max=500))

    class Meta:
        exclude = ("lat", "lng", "coord_system", "client_id")


class RevealedPhoneSchema(Schema):
    id = fields.Int()
    phone = fields.Str(allow_none=True)


class BoardQuerySchema(Schema):
    date = Day(metadata={"description": "the local day (default: today, Asia/Shanghai)"})


class LevelFiguresSchema(Schema):
    open = fields.Int()
    overdue = fields.Int()


class DayFiguresSchema(Schema):
    created = fields.Int(metadata={"description": "warnings entered that day"})
    handled = fields.Int()
    in_time = fields.Int(metadata={"description": "handled within the deadline"})
    decided = fields.Int(metadata={"description": "handled, or past the deadline"})
    open = fields.Int(metadata={"description": "still open now"})
    dissuaded = fields.Int()
    defrauded = fields.Int()
    share_in_time = fields.Float(
        allow_none=True, metadata={"description": "in_time / decided; none while 0"}
    )


class BoardFiguresSchema(Schema):
    area_id = fields.Int()
    name = fields.Str()
    open = fields.Int()
    overdue = fields.Int()
    carried = fields.Int(
        metadata={"description": "open warnings entered before the day (日日清零 wants 0)"}
    )
    by_level = fields.Dict(keys=fields.Str(), values=fields.Nested(LevelFiguresSchema))
    today = fields.Nested(DayFiguresSchema)
    yesterday = fields.Nested(DayFiguresSchema)


class BoardRowSchema(Schema):
    id = fields.Function(lambda row: row["warning"].id)
    level = fields.Function(lambda row: row["warning"].level)
    subject_label = fields.Function(lambda row: row["warning"].subject_label)
    phone = fields.Str(metadata={"description": "always masked on the board"})
    grid_id = fields.Function(lambda row: row["grid"].id)
    grid_name = fields.Function(lambda row: row["grid"].name)
    status = fields.Function(lambda row: row["warning"].status)
    deadline_at = fields.Function(lambda row: to_local(row["warning"].deadline_at).isoformat())
    escalation = fields.Str(allow_none=True)
    owner_area_id = fields.Function(lambda row: row["owner"].id)
    owner_name = fields.Function(lambda row: row["owner"].name)


class ZeroingSchema(Schema):
    hour = fields.Int(metadata={"description": "WARNING_ZEROING_HOUR, local"})
    due_at = fields.Function(lambda z: to_local(z["due_at"]).isoformat())
    carried = fields.Int(metadata={"description": "open warnings entered before the day"})
    cleared = fields.Bool(metadata={"description": "none is carried"})
    late = fields.Bool(metadata={"description": "some are carried and the zeroing hour has passed"})


class BoardSchema(Schema):
    day = fields.Date()
    zeroing = fields.Nested(ZeroingSchema, metadata={"description": "日日清零 for the day"})
    totals = fields.Nested(BoardFiguresSchema)
    streets = fields.List(fields.Nested(BoardFiguresSchema))
    escalated = fields.List(
        fields.Nested(BoardRowSchema), metadata={"description": "open and overdue"}
    )
    review = fields.List(
        fields.Nested(BoardRowSchema),
        metadata={"description": "回头看: yesterday's warnings not handled within the deadline"},
    )
    escalated_total = fields.Int(
        metadata={"description": "how many are overdue (`escalated` lists the first 200)"}
    )
    review_total = fields.Int(
        metadata={"description": "how many `review` would list (it lists the first 200)"}
    )
