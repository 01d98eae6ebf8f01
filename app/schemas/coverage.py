"""Coverage query and answer (GET /coverage)."""

from marshmallow import Schema, fields

from app.schemas.common import Day, QueryId


class PeriodArgs(Schema):
    """`from` and `to`: local dates, both included (default: this month up to today)."""

    date_from = Day(data_key="from", load_default=None)
    date_to = Day(data_key="to", load_default=None)


class CoverageQuerySchema(PeriodArgs):
    area_id = QueryId(load_default=None)


class AreaCoverageSchema(Schema):
    """The figures of one area; rates are fractions 0..1."""

    area_id = fields.Int(allow_none=True)
    name = fields.Str(allow_none=True)
    level = fields.Str()
    sites_total = fields.Int()
    sites_visited = fields.Int()
    site_coverage = fields.Float()
    households_total = fields.Int()
    households_reached = fields.Int()
    household_coverage = fields.Float()
    checkins = fields.Int()
    visits = fields.Int()
    people_reached = fields.Int()
    leaflets = fields.Int()
    app_installs = fields.Int()
    active_people = fields.Int()
    active_by_force = fields.Dict(keys=fields.Str(), values=fields.Int())
    sites_met = fields.Int(
        metadata={"description": "active sites with visits_per_month accepted check-ins per month"}
    )
    site_rounds_rate = fields.Float()
    households_required = fields.Int(
        metadata={"description": "households under a campaign's household_rounds"}
    )
    households_met = fields.Int()
    household_rounds_rate = fields.Float()


class CoverageSchema(AreaCoverageSchema):
    """An area (the district when area_id is null) and each of its child areas."""

    date_from = fields.Str(data_key="from")
    date_to = fields.Str(data_key="to")
    children = fields.List(fields.Nested(AreaCoverageSchema))
