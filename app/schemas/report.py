"""The daily report's query and JSON answer."""

from marshmallow import Schema, fields, validate

from app.schemas.common import Day

FORMATS = ("json", "csv", "xlsx", "text")


class DailyReportQuerySchema(Schema):
    date = Day(load_default=None, metadata={"description": "a local day; default today"})
    format = fields.Str(load_default="json", validate=validate.OneOf(FORMATS))


class DailyRowSchema(Schema):
    """One street (or, for someone confined below the district, their own area)."""

    area_id = fields.Int(allow_none=True)
    name = fields.Str(allow_none=True)
    cases = fields.Int()
    losses = fields.Float(metadata={"description": "yuan"})
    warnings_issued = fields.Int()
    warnings_by_level = fields.Dict(
        keys=fields.Str(),
        values=fields.Int(),
        metadata={"description": "issued: high, medium, low"},
    )
    warnings_landed_by_level = fields.Dict(
        keys=fields.Str(), values=fields.Int(), metadata={"description": "handled that day"}
    )
    warnings_in_time_by_level = fields.Dict(
        keys=fields.Str(), values=fields.Int(), metadata={"description": "handled within deadline"}
    )
    warnings_high = fields.Int(metadata={"description": "warnings_by_level as columns"})
    warnings_medium = fields.Int()
    warnings_low = fields.Int()
    warnings_handled_in_time = fields.Int()
    warnings_dissuaded = fields.Int(metadata={"description": "face to face"})
    warnings_phone_dissuaded = fields.Int()
    stopped_amount = fields.Float(metadata={"description": "止损金额, yuan"})
    checkins = fields.Int()
    visits = fields.Int()
    households_reached = fields.Int()
    app_installs = fields.Int()
    lectures = fields.Int(metadata={"description": "授课节次: lecture sessions held that day"})
    lecture_audience = fields.Int(metadata={"description": "受教人次: their audience"})
    stalls = fields.Int(metadata={"description": "stalls (摆摊) run that day"})
    screenings = fields.Int(metadata={"description": "screenings (放映) held that day"})
    site_coverage_month = fields.Float(
        metadata={"description": "0..1, from the 1st of the month to the day"}
    )
    household_coverage_month = fields.Float()
    awareness_responses_month = fields.Int(
        metadata={"description": "counted quiz answers from the 1st of the month to the day"}
    )
    awareness_rate_month = fields.Float(
        metadata={"description": "知晓率: passed / counted answers, 0..1, beside its count"}
    )
    open_checks = fields.Int(
        metadata={"description": "must-checks (四必查) not yet concluded, as the report is made"}
    )


class ChangeSchema(Schema):
    now = fields.Float()
    last_year = fields.Float()
    previous = fields.Float()
    year_on_year = fields.Float(
        allow_none=True,
        metadata={"description": "同比: (now - last_year) / last_year; none from 0"},
    )
    period_on_period = fields.Float(
        allow_none=True, metadata={"description": "环比: against the period just before"}
    )


class CompareSchema(Schema):
    """Cases and losses against the same days a year before and the period just before."""

    last_year_from = fields.Str()
    last_year_to = fields.Str()
    previous_from = fields.Str()
    previous_to = fields.Str()
    cases = fields.Nested(ChangeSchema)
    losses = fields.Nested(ChangeSchema)


class DailyReportSchema(Schema):
    date = fields.Str()
    area_id = fields.Int(allow_none=True)
    rows = fields.List(fields.Nested(DailyRowSchema))
    totals = fields.Nested(DailyRowSchema)
    compare = fields.Nested(CompareSchema, metadata={"description": "同比/环比 of the day"})
