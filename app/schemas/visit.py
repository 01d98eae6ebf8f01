"""Visit input and output."""

from datetime import UTC, datetime

from marshmallow import Schema, fields, validate

from app.geo import COORD_SYSTEMS
from app.i18n import N_
from app.models import VISIT_OUTCOMES
from app.schemas.common import Count, Id, Latitude, Longitude, PageArgs, QueryId

# Times outside these years are typing errors or broken clocks (and would overflow in UTC).
PLAUSIBLE_TIME = validate.Range(
    min=datetime(2000, 1, 1, tzinfo=UTC),
    max=datetime(2100, 1, 1, tzinfo=UTC),
    error=N_("must lie between 2000 and 2100"),
)


class VisitSchema(Schema):
    id = fields.Int(dump_only=True)
    client_id = fields.UUID(
        required=True, metadata={"description": "made on the phone; retries reuse it"}
    )
    household_id = Id(required=True)
    household_label = fields.Function(lambda v: v.household.label, dump_only=True)
    area_id = fields.Function(lambda v: v.household.area_id, dump_only=True)
    user_id = fields.Int(dump_only=True)
    task_id = Id(allow_none=True, load_default=None)
    outcome = fields.Str(required=True, validate=validate.OneOf(VISIT_OUTCOMES))
    lat = Latitude(required=True)
    lng = Longitude(required=True)
    accuracy_m = fields.Float(
        allow_none=True,
        load_default=None,
        allow_nan=False,
        validate=validate.Range(min=0, max=100_000),
    )
    coord_system = fields.Str(
        load_only=True, load_default="wgs84", validate=validate.OneOf(COORD_SYSTEMS)
    )
    captured_at = fields.AwareDateTime(
        required=True,
        validate=PLAUSIBLE_TIME,
        metadata={"description": "ISO 8601 with a zone offset"},
    )
    received_at = fields.DateTime(dump_only=True)
    app_installed = fields.Bool(
        load_default=False, metadata={"description": "国家反诈中心APP installed"}
    )
    materials_count = Count(maximum=10_000, allow_none=True, load_default=None)
    flag_reason = fields.Str(
        dump_only=True, metadata={"description": "e.g. outside_grid; still counted"}
    )
    # Added afterwards with PATCH /visits/ID.
    people_reached = fields.Int(dump_only=True, allow_none=True)
    note = fields.Str(dump_only=True, allow_none=True)
    site_condition = fields.Str(dump_only=True, allow_none=True)
    photo_ids = fields.List(fields.Int(), dump_only=True)


class VisitQuerySchema(PageArgs):
    area_id = QueryId()
    household_id = QueryId()
    task_id = QueryId()
    flagged = fields.Bool()
