"""Area input and output."""

from marshmallow import Schema, fields, validate

from app.models import LEVELS
from app.schemas.common import Latitude, Longitude, PageArgs, name_field


class AreaSchema(Schema):
    id = fields.Int(dump_only=True)
    name = name_field(required=True)
    level = fields.Str(required=True, validate=validate.OneOf(LEVELS))
    parent_id = fields.Int(allow_none=True, load_default=None)
    code = fields.Str(allow_none=True, validate=validate.Length(min=1, max=40))
    household_count = fields.Int(allow_none=True, validate=validate.Range(min=0))
    population = fields.Int(allow_none=True, validate=validate.Range(min=0))
    center_lat = Latitude(allow_none=True)
    center_lng = Longitude(allow_none=True)
    boundary = fields.Dict(allow_none=True, load_only=True)
    has_boundary = fields.Function(lambda a: a.boundary is not None, dump_only=True)
    path = fields.Str(dump_only=True)



class AreaQuerySchema(PageArgs):
    parent_id = fields.Int()
    level = fields.Str(validate=validate.OneOf(LEVELS))
