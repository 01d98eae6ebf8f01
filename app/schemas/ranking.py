"""The dashboard's query: an area, a period, and the measure its ranking is ordered by."""

from marshmallow import fields, validate

from app.schemas.coverage import CoverageQuerySchema
from app.services.ranking import DEFAULT_MEASURE, MEASURES


class RankingQuerySchema(CoverageQuerySchema):
    sort = fields.Str(load_default=DEFAULT_MEASURE, validate=validate.OneOf(MEASURES))
