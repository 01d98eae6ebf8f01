"""Household input and output: an address label and tags, nothing that names a person."""

from marshmallow import Schema, fields, post_load, validate

from app.models import HOUSEHOLD_TAGS
from app.schemas.common import Id, PageArgs, QueryId, Text
from app.services.households import LABEL_MAX, UNREACHABLE_REASONS

Tag = Text(validate=validate.OneOf(HOUSEHOLD_TAGS))


class HouseholdSchema(Schema):
    id = fields.Int(dump_only=True)
    area_id = Id(required=True)
    area_name = fields.Function(lambda h: h.area.name, dump_only=True)
    label = Text(
        required=True,
        strip=True,
        validate=validate.Length(min=1, max=LABEL_MAX),
        metadata={"description": "building-unit-room, e.g. 12-2-301"},
    )
    tags = fields.List(Tag, load_default=list, validate=validate.Length(max=len(HOUSEHOLD_TAGS)))
    unreachable = fields.Bool()
    unreachable_reason = Text(allow_none=True, validate=validate.OneOf(UNREACHABLE_REASONS))
    created_at = fields.DateTime(dump_only=True)


class HouseholdPatchSchema(Schema):
    """What a coordinator may change: the label, the tags, and whether it can be reached."""

    label = Text(strip=True, validate=validate.Length(min=1, max=LABEL_MAX))
    tags = fields.List(Tag, validate=validate.Length(max=len(HOUSEHOLD_TAGS)))
    unreachable = fields.Bool()
    unreachable_reason = Text(allow_none=True, validate=validate.OneOf(UNREACHABLE_REASONS))


class HouseholdReachabilitySchema(HouseholdPatchSchema):
    """The households page's row form: one `reason` (blank: reachable again) for both fields."""

    unreachable_reason = Text(
        allow_none=True, data_key="reason", validate=validate.OneOf(UNREACHABLE_REASONS)
    )

    @post_load
    def _reachable_unless_a_reason(self, data, **kwargs):
        if "unreachable_reason" in data:
            data["unreachable"] = data["unreachable_reason"] is not None
        return data


class HouseholdQuerySchema(PageArgs):
    area_id = QueryId(metadata={"description": "any area: its whole subtree"})
    tag = Text(validate=validate.OneOf(HOUSEHOLD_TAGS))
    unreachable = fields.Bool()
    q = Text(
        strip=True,
        validate=validate.Length(min=1, max=LABEL_MAX),
        metadata={"description": "label prefix, e.g. a building number"},
    )


class ImportFileSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class ImportErrorSchema(Schema):
    row = fields.Int()
    message = fields.Str()


class ImportReportSchema(Schema):
    created = fields.Int()
    errors = fields.List(fields.Nested(ImportErrorSchema))
    error_count = fields.Int(
        metadata={"description": "every bad row's error; `errors` lists the first 1,000"}
    )
