"""The ledgers (台账) query: an area, a period of local days, which sheet (all when none)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from app.i18n import N_
from app.schemas.common import Day, QueryId

LEDGER_SHEETS = ("checkins", "visits", "task_reports", "warnings", "cases")
MAX_DAYS = 366  # a year, leap or not


class LedgerQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE  # list pages link here with their own filters; those are ignored

    area_id = QueryId(metadata={"description": "your own area when omitted"})
    from_ = Day(
        data_key="from", metadata={"description": "first local day; default the 1st of this month"}
    )
    to = Day(metadata={"description": "last local day, included; default today"})
    sheet = fields.Str(
        validate=validate.OneOf(LEDGER_SHEETS),
        metadata={"description": "one ledger only; every one (a sheet each) when omitted"},
    )
    format = fields.Str(load_default="xlsx", validate=validate.OneOf(("xlsx",)))

    @validates_schema
    def _period(self, data, **_):
        start, end = data.get("from_"), data.get("to")
        if start and end and end < start:
            raise ValidationError(N_("must not come before from"), "to")
        if start and end and (end - start).days >= MAX_DAYS:
            raise ValidationError(N_("at most 366 days"), "to")
