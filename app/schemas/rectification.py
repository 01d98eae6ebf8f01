"""Rectification items: the answer, the list filters, assigning and closing."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.models import RECTIFICATION_STATUSES
from app.schemas.common import Id, PageArgs, QueryId, Text
from app.schemas.evidence import MAX_NOTE


class RectificationSchema(Schema):
    id = fields.Int()
    site_id = fields.Int()
    site_name = fields.Function(lambda r: r.site.name)
    area_id = fields.Function(lambda r: r.site.area_id)
    checkin_id = fields.Int(allow_none=True)
    condition = fields.Str()
    status = fields.Str()
    opened_at = fields.AwareDateTime()
    photo_ids = fields.List(fields.Int(), metadata={"description": "the finding check-in's photos"})
    assignee_id = fields.Int(allow_none=True)
    assigned_at = fields.AwareDateTime(allow_none=True)
    closed_by_id = fields.Int(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    closing_photo_id = fields.Int(allow_none=True)
    note = fields.Str(allow_none=True)


class RectificationQuerySchema(PageArgs):
    status = fields.Str(validate=validate.OneOf(("open", *RECTIFICATION_STATUSES)))
    site_id = QueryId()


class RectificationAssignSchema(Schema):
    assignee_id = Id(required=True)


class RectificationCloseSchema(Schema):
    photo_id = Id(
        required=True, metadata={"description": "a photo of the site put right (POST /photos)"}
    )
    note = Text(allow_none=True, validate=validate.Length(max=MAX_NOTE))
