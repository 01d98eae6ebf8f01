"""The case map's query: an area, a period, and optionally one fraud type."""

from marshmallow import fields, validate

from app.models.case import FRAUD_TYPES
from app.schemas.coverage import CoverageQuerySchema


class CaseMapQuerySchema(CoverageQuerySchema):
    # Blank (the form's "all types") or one type.
    fraud_type = fields.Str(load_default=None, validate=validate.OneOf(("", *FRAUD_TYPES)))
