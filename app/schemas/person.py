"""The person page's commendation input and the leaderboard's query."""

from marshmallow import Schema, fields, validate

from app.models import FORCES
from app.schemas.common import Day, Text
from app.schemas.coverage import CoverageQuerySchema
from app.services.people_activity import MEASURES


class CommendationSchema(Schema):
    """褒奖: why, and on which day (today by default)."""

    reason = Text(required=True, validate=validate.Length(min=1, max=500))
    awarded_on = Day(allow_none=True, load_default=None)


class LeaderboardQuerySchema(CoverageQuerySchema):
    force = fields.Str(load_default=None, validate=validate.OneOf(FORCES))
    sort = fields.Str(load_default=MEASURES[0], validate=validate.OneOf(MEASURES))
