"""Check-in input, output, list filters and review decisions."""

from __future__ import annotations

from datetime import UTC, datetime

from marshmallow import Schema, ValidationError, fields, post_load, validate

from app.i18n import N_
from app.models import CHECKIN_STATUSES, FORCES
from app.models.base import INT32_MAX
from app.schemas.common import PageArgs, Text
from app.schemas.evidence import MAX_COUNT, MAX_NOTE, PhotoIds, SiteCondition
from app.services.checkin_rules import reason_text
from app.services.checkins import DECISIONS

# Times outside these years are typing errors or broken clocks; refusing them keeps date arithmetic safe.
EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
PLAUSIBLE_TIME = validate.Range(
    min=EARLIEST, max=LATEST, error=N_("must lie between 2000 and 2100")
)


class JsonFloat(fields.Float):
    """A JSON number only: "29.9" as a string is refused, as are NaN and infinities."""

    def __init__(self, **kwargs):
        super().__init__(allow_nan=False, **kwargs)

    def _validated(self, value):
        if isinstance(value, str):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


class JsonInt(fields.Integer):
    """A JSON integer only (no strings, no 2.5)."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)


class DateOrTime(fields.Field):
    """A date (2024-11-05, a whole day in the district's time zone) or a time with a zone offset."""

    default_error_messages = {
        "invalid": N_("Not a date (YYYY-MM-DD) nor a time with a zone offset."),
        "range": N_("Must lie between 2000 and 2100."),
    }

    def _deserialize(self, value, attr, data, **kwargs):
        for field in (fields.Date(), fields.AwareDateTime()):
            try:
                parsed = field.deserialize(value)
            except ValidationError:
                continue
            year = parsed.year
            if not EARLIEST.year <= year < LATEST.year:
                raise self.make_error("range")
            return parsed
        raise self.make_error("invalid")


class CheckInCreateSchema(Schema):
    """What the phone posts after scanning a code."""

    token = Text(required=True, validate=validate.Length(min=1, max=200))
    lat = JsonFloat(required=True, validate=validate.Range(min=-90, max=90))
    lng = JsonFloat(required=True, validate=validate.Range(min=-180, max=180))
    accuracy_m = JsonFloat(allow_none=True, validate=validate.Range(min=0, max=1_000_000))
    client_id = fields.UUID(required=True)
    captured_at = fields.AwareDateTime(required=True, validate=PLAUSIBLE_TIME)
    task_id = JsonInt(allow_none=True, validate=validate.Range(min=1, max=INT32_MAX))
    people_reached = JsonInt(allow_none=True, validate=validate.Range(min=0, max=MAX_COUNT))
    materials_count = JsonInt(allow_none=True, validate=validate.Range(min=0, max=MAX_COUNT))
    note = Text(allow_none=True, validate=validate.Length(max=MAX_NOTE))
    site_condition = SiteCondition(allow_none=True)
    photo_ids = PhotoIds(load_default=list)


class CheckInSiteSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    kind = fields.Str()
    area_id = fields.Int()
    area_name = fields.Function(lambda s: s.area.name)
    radius_m = fields.Int()


class CheckInSchema(Schema):
    """A stored check-in: the contract's id, status, distance_m, reason and site, and the rest."""

    id = fields.Int()
    status = fields.Str()
    distance_m = fields.Function(lambda c: round(c.distance_m, 1))
    reason = fields.Str(allow_none=True)
    reason_text = fields.Function(lambda c: reason_text(c.reason))
    site = fields.Nested(CheckInSiteSchema)
    client_id = fields.Str()
    user_id = fields.Int()
    user_name = fields.Function(lambda c: c.user.display_name or c.user.username)
    task_id = fields.Int(allow_none=True)
    lat = fields.Float()
    lng = fields.Float()
    accuracy_m = fields.Float(allow_none=True)
    captured_at = fields.AwareDateTime()
    received_at = fields.AwareDateTime()
    people_reached = fields.Int(allow_none=True)
    materials_count = fields.Int(allow_none=True)
    note = fields.Str(allow_none=True)
    site_condition = fields.Str(allow_none=True)
    photo_ids = fields.List(fields.Int())
    reviewed_by_id = fields.Int(allow_none=True)
    reviewed_at = fields.AwareDateTime(allow_none=True)
    review_note = fields.Str(allow_none=True)


class CheckInQuerySchema(PageArgs):
    area_id = fields.Int(validate=validate.Range(min=1, max=INT32_MAX))
    user_id = fields.Int(validate=validate.Range(min=1, max=INT32_MAX))
    site_id = fields.Int(validate=validate.Range(min=1, max=INT32_MAX))
    status = fields.Str(validate=validate.OneOf(CHECKIN_STATUSES))
    force = fields.Str(validate=validate.OneOf(FORCES))
    from_ = DateOrTime(data_key="from")
    to = DateOrTime()

    @post_load
    def _rename_from(self, data, **kwargs):
        if "from_" in data:
            data["from"] = data.pop("from_")
        return data


class CheckInReviewSchema(Schema):
    decision = fields.Str(required=True, validate=validate.OneOf(DECISIONS))
    reason = Text(load_default="", validate=validate.Length(max=500))
