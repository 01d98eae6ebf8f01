"""Area input and output."""

from flask_babel import gettext
from marshmallow import Schema, ValidationError, fields, validate

from app.i18n import N_
from app.models import LEVELS
from app.schemas.common import Count, Id, Latitude, Longitude, PageArgs, QueryId, Text, name_field

MAX_BOUNDARY_POINTS = 5000


def _is_position(value) -> bool:
    return (
        isinstance(value, list)
        and len(value) in (2, 3)
        and all(isinstance(n, int | float) and not isinstance(n, bool) for n in value)
        and -180 <= value[0] <= 180
        and -90 <= value[1] <= 90
    )


def _check_polygon(rings) -> int:
    """Validate a GeoJSON polygon's rings of [lng, lat]; answer its number of positions."""
    if not isinstance(rings, list) or not rings:
        raise ValidationError(N_("a polygon is a non-empty list of rings"))
    count = 0
    for ring in rings:
        if not isinstance(ring, list) or len(ring) < 4 or not all(_is_position(p) for p in ring):
            raise ValidationError(N_("a ring is a list of at least 4 [lng, lat] positions"))
        if ring[0][:2] != ring[-1][:2]:
            raise ValidationError(N_("a ring must end where it starts"))
        count += len(ring)
    return count


def validate_boundary(value: dict) -> None:
    """A GeoJSON Polygon or MultiPolygon of WGS-84 [lng, lat] positions, of a sane size."""
    kind, coords = value.get("type"), value.get("coordinates")
    if set(value) - {"type", "coordinates"}:
        raise ValidationError(N_("only `type` and `coordinates` are allowed"))
    if kind == "Polygon":
        count = _check_polygon(coords)
    elif kind == "MultiPolygon":
        if not isinstance(coords, list) or not coords:
            raise ValidationError(N_("a MultiPolygon is a non-empty list of polygons"))
        count = sum(_check_polygon(polygon) for polygon in coords)
    else:
        raise ValidationError(N_("must be a GeoJSON Polygon or MultiPolygon"))
    if count > MAX_BOUNDARY_POINTS:
        raise ValidationError(gettext("at most %(n)d positions", n=MAX_BOUNDARY_POINTS))


class AreaSchema(Schema):
    id = fields.Int(dump_only=True)
    name = name_field(required=True)
    level = fields.Str(required=True, validate=validate.OneOf(LEVELS))
    parent_id = Id(allow_none=True, load_default=None)
    code = Text(strip=True, allow_none=True, validate=validate.Length(min=1, max=40))
    household_count = Count(allow_none=True)
    population = Count(allow_none=True)
    center_lat = Latitude(allow_none=True)
    center_lng = Longitude(allow_none=True)
    # GeoJSON geometry in WGS-84, as stored (lists leave it out: see AreaListItemSchema).
    boundary = fields.Dict(allow_none=True, validate=validate_boundary)
    has_boundary = fields.Function(lambda a: a.boundary is not None, dump_only=True)
    path = fields.Str(dump_only=True)


class AreaListItemSchema(AreaSchema):
    """An area in a list: without its boundary, which may hold thousands of positions."""

    class Meta:
        exclude = ("boundary",)


class AreaQuerySchema(PageArgs):
    parent_id = QueryId()
    level = fields.Str(validate=validate.OneOf(LEVELS))
