"""Fraud case input, output, list filters and import report."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate

from app.i18n import N_
from app.models import FRAUD_TYPES
from app.models.case import AGE_BANDS
from app.schemas.common import Day, Id, PageArgs, QueryId, Text
from app.services.cases import MAX_LOSS

CENT = Decimal("0.01")


def in_cents(amount: Decimal) -> None:
    """Refuse fractions of a cent instead of rounding them away, and amounts NUMERIC(14, 2) cannot hold.

    (A plain function, not validate.Range: the OpenAPI document would print a Range's Decimal bounds
    as strings, which is not a valid schema.)"""
    if not 0 <= amount < MAX_LOSS:
        raise ValidationError(_l("must be at least 0 and less than %(max)s", max=MAX_LOSS))
    if amount != amount.quantize(CENT):
        raise ValidationError(N_("at most two decimals"))


class CaseSchema(Schema):
    id = fields.Int(dump_only=True)
    area_id = Id(required=True, metadata={"description": "a community"})
    area_name = fields.Function(lambda c: c.area.name, dump_only=True)
    occurred_on = Day(required=True)
    fraud_type = fields.Str(required=True, validate=validate.OneOf(FRAUD_TYPES))
    loss_amount = fields.Decimal(
        required=True,
        as_string=True,
        allow_nan=False,
        validate=in_cents,
        metadata={
            "description": "yuan, ≥ 0, at most two decimals (answered as a string)",
            "type": "string",
            "pattern": r"^[0-9]{1,12}(\.[0-9]{1,2})?$",
        },
    )
    victim_age_band = fields.Str(
        allow_none=True, load_default=None, validate=validate.OneOf(AGE_BANDS)
    )
    household_id = Id(allow_none=True, load_default=None)
    site_id = Id(
        allow_none=True,
        load_default=None,
        metadata={"description": "where it happened (发案部位): a site of the community"},
    )
    address = Text(
        strip=True,
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=200),
        metadata={
            "description": "where it happened, when not at a site (部位多发必查 compares it)"
        },
    )
    reference = Text(
        strip=True,
        allow_none=True,
        load_default=None,
        validate=validate.Length(min=1, max=40),
        metadata={"description": "the police case number (案件编号); unique"},
    )
    client_id = fields.UUID(
        load_only=True,
        load_default=None,
        metadata={"description": "made by the client; a retry with it returns the first record"},
    )
    created_at = fields.AwareDateTime(dump_only=True)


class CaseQuerySchema(PageArgs):
    area_id = QueryId()
    date_from = Day(data_key="from")
    date_to = Day(data_key="to")
    fraud_type = fields.Str(validate=validate.OneOf(FRAUD_TYPES))


class CaseImportFileSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class CaseImportErrorSchema(Schema):
    row = fields.Int()
    message = fields.Str()


class CaseImportReportSchema(Schema):
    created = fields.Int()
    errors = fields.List(fields.Nested(CaseImportErrorSchema))
    error_count = fields.Int(
        metadata={"description": "every bad row's error; `errors` lists the first 1,000"}
    )


class BackcheckVisitSchema(Schema):
    at = fields.AwareDateTime()
    by = fields.Str()
    force = fields.Str(allow_none=True)
    outcome = fields.Str()


class BackcheckHouseholdSchema(Schema):
    known = fields.Bool(metadata={"description": "false when the case names no household"})
    household_id = fields.Int(allow_none=True)
    label = fields.Str(allow_none=True)
    visited = fields.Bool()
    reached = fields.Bool()
    police_visited = fields.Bool()
    ever_reached = fields.Bool(metadata={"description": "reached at any time before the case"})
    visits = fields.List(fields.Nested(BackcheckVisitSchema))


class BackcheckAreaSchema(Schema):
    area_id = fields.Int()
    name = fields.Str()
    sites_total = fields.Int()
    sites_visited = fields.Int()
    site_coverage = fields.Float()
    households_total = fields.Int()
    households_reached = fields.Int()
    household_coverage = fields.Float()
    checkins = fields.Int()
    visits = fields.Int()
    leaflets = fields.Int()


class BackcheckCommunitySchema(BackcheckAreaSchema):
    sites_met = fields.Int()
    site_rounds_rate = fields.Float()
    households_required = fields.Int()
    households_met = fields.Int()
    household_rounds_rate = fields.Float()
    met_round_targets = fields.Bool()


class BackcheckLectureSchema(Schema):
    task_id = fields.Int()
    title = fields.Str()
    due_at = fields.AwareDateTime()
    area_id = fields.Int()


class BackcheckLecturesSchema(Schema):
    held = fields.Int()
    items = fields.List(fields.Nested(BackcheckLectureSchema))


class BackcheckSchema(Schema):
    """The 30 local days before the case (its own day excluded)."""

    case_id = fields.Int(allow_none=True, metadata={"description": "none for a warning's check"})
    occurred_on = fields.Str()
    window_from = fields.Str()
    window_to = fields.Str()
    household = fields.Nested(BackcheckHouseholdSchema)
    grid = fields.Nested(BackcheckAreaSchema, allow_none=True)
    community = fields.Nested(BackcheckCommunitySchema)
    lectures = fields.Nested(BackcheckLecturesSchema)
