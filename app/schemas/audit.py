"""Filters of the audit log page and its export."""

from marshmallow import EXCLUDE, ValidationError, fields, validate, validates_schema

from app.i18n import N_
from app.schemas.common import Day, PageArgs, QueryId

PER_PAGE = 50


class AuditQuerySchema(PageArgs):
    """Who (a username), what (an action, an object type and id), when (local days, inclusive)."""

    class Meta:
        unknown = EXCLUDE  # the page's own links carry nothing else; stray parameters are ignored

    actor = fields.Str(validate=validate.Length(max=64))
    action = fields.Str(validate=validate.Length(max=48))
    object_type = fields.Str(validate=validate.Length(max=32))
    object_id = QueryId()
    from_ = Day(data_key="from")
    to = Day()
    per_page = fields.Int(load_default=PER_PAGE, validate=validate.Range(min=1, max=200))

    @validates_schema
    def _ordered(self, data, **_):
        if data.get("from_") and data.get("to") and data["to"] < data["from_"]:
            raise ValidationError(N_("must not come before from"), "to")


def blank_args(args) -> dict:
    """Query arguments with the form's empty fields left out (an empty filter means no filter)."""
    return {key: value for key, value in args.items() if value.strip()}
