"""Site input and output; output coordinates are WGS-84."""

from marshmallow import Schema, fields, validate

from app.geo import COORD_SYSTEMS
from app.models import SITE_KINDS
from app.schemas.common import Count, Id, Latitude, Longitude, PageArgs, QueryId, Text, name_field


class SiteSchema(Schema):
    id = fields.Int(dump_only=True)
    name = name_field(required=True)
    kind = fields.Str(required=True, validate=validate.OneOf(SITE_KINDS))
    area_id = Id(required=True)
    lat = Latitude(required=True)
    lng = Longitude(required=True)
    coord_system = fields.Str(
        load_only=True, load_default="wgs84", validate=validate.OneOf(COORD_SYSTEMS)
    )
    radius_m = Count(maximum=5000, minimum=10, load_default=100)
    address = Text(strip=True, validate=validate.Length(max=255))
    active = fields.Bool()
    visits_per_month = Count(maximum=100)
    qr_version = fields.Int(dump_only=True)
    area_name = fields.Function(lambda s: s.area.name, dump_only=True)


class SiteQuerySchema(PageArgs):
    area_id = QueryId()
    kind = fields.Str(validate=validate.OneOf(SITE_KINDS))
    active = fields.Bool()


class SiteImportReportSchema(Schema):
    created = fields.Int()
    updated = fields.Int(metadata={"description": "sites of the same grid and name, changed"})
    errors = fields.List(fields.Dict())
    error_count = fields.Int(
        metadata={"description": "every bad row's error; `errors` lists the first 1,000"}
    )
