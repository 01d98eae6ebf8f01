"""Photo upload and answer."""

from __future__ import annotations

from marshmallow import Schema, fields


class PhotoUploadSchema(Schema):
    """The form fields of POST /photos besides `file` (read as a file, not through the schema)."""

    client_id = fields.UUID(
        required=True, metadata={"description": "made on the phone; retries reuse it"}
    )


class PhotoFileSchema(Schema):
    file = fields.Raw(
        required=True,
        metadata={"type": "string", "format": "binary", "description": "JPEG, PNG or WebP"},
    )


class PhotoSchema(Schema):
    id = fields.Int()
    client_id = fields.Str()
    width = fields.Int()
    height = fields.Int()
    size = fields.Int()
    created_at = fields.AwareDateTime()
    checkin_id = fields.Int(allow_none=True)
    visit_id = fields.Int(allow_none=True)
