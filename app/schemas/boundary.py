"""Area boundaries imported from GeoJSON: the query and the report."""

from marshmallow import Schema, fields, validate

from app.geo import COORD_SYSTEMS


class BoundaryImportQuerySchema(Schema):
    coord_system = fields.Str(load_default="wgs84", validate=validate.OneOf(COORD_SYSTEMS))
    # Check and match without saving; the answer adds `preview` (what matched, in WGS-84).
    dry_run = fields.Bool(load_default=False)


class BoundaryErrorSchema(Schema):
    feature = fields.Int(metadata={"description": "the feature's position in `features`, from 1"})
    message = fields.Str()


class BoundaryPreviewSchema(Schema):
    feature = fields.Int()
    area_id = fields.Int()
    name = fields.Str()
    level = fields.Str()
    boundary = fields.Dict()


class BoundaryReportSchema(Schema):
    updated = fields.Int()
    errors = fields.List(fields.Nested(BoundaryErrorSchema))
    error_count = fields.Int()
    preview = fields.List(fields.Nested(BoundaryPreviewSchema))
