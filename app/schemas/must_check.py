"""The four must-checks (四必查): the answer, the list filters, the conclusion."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.models import MUST_CHECK_KINDS, MUST_CHECK_STATUSES
from app.schemas.case import BackcheckSchema
from app.schemas.common import PageArgs, QueryId, Text
from app.schemas.evidence import MAX_NOTE


class MustCheckSchema(Schema):
    id = fields.Int()
    kind = fields.Str(
        metadata={"description": "defrauded, large_loss, community_repeat, place_repeat"}
    )
    area_id = fields.Int(metadata={"description": "the community"})
    area_name = fields.Function(lambda c: c.area.name)
    case_id = fields.Int(allow_none=True)
    warning_id = fields.Int(allow_none=True)
    trigger_on = fields.Date()
    detail = fields.Str(allow_none=True, metadata={"description": "the loss, the count, the place"})
    status = fields.Str()
    opened_at = fields.AwareDateTime()
    conclusion = fields.Str(allow_none=True)
    responsible = fields.Str(allow_none=True)
    follow_up = fields.Str(allow_none=True)
    concluded_by_id = fields.Int(allow_none=True)
    concluded_at = fields.AwareDateTime(allow_none=True)


class MustCheckDetailSchema(MustCheckSchema):
    evidence = fields.Nested(
        BackcheckSchema,
        metadata={"description": "the back-check evidence (as GET /cases/ID/backcheck answers)"},
    )


class MustCheckQuerySchema(PageArgs):
    status = fields.Str(validate=validate.OneOf(MUST_CHECK_STATUSES))
    kind = fields.Str(validate=validate.OneOf(MUST_CHECK_KINDS))
    area_id = QueryId()


class MustCheckConcludeSchema(Schema):
    conclusion = Text(strip=True, required=True, validate=validate.Length(min=1, max=MAX_NOTE))
    responsible = Text(strip=True, required=True, validate=validate.Length(min=1, max=MAX_NOTE))
    follow_up = Text(strip=True, required=True, validate=validate.Length(min=1, max=MAX_NOTE))
