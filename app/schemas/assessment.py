"""The monthly assessment (考核): its query, its answer, and the district's weights."""

from __future__ import annotations

from datetime import date

from marshmallow import Schema, ValidationError, fields, validate

from app.i18n import N_
from app.models import INDICATORS


class Month(fields.Str):
    """A month as YYYY-MM (between 2000 and 2099), loaded as its first day."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            year, month = (int(part) for part in text.split("-"))
            if not 2000 <= year <= 2099:
                raise ValueError
            return date(year, month, 1)
        except ValueError:
            raise ValidationError(N_("a month as YYYY-MM")) from None


class AssessmentQuerySchema(Schema):
    month = Month(required=True)
    level = fields.Str(
        load_default="street", validate=validate.OneOf(("street", "community", "worker"))
    )
    format = fields.Str(load_default="json", validate=validate.OneOf(("json", "xlsx")))


class IndicatorSchema(Schema):
    value = fields.Float(metadata={"description": "a rate 0..1, or cases per 10,000 residents"})
    normalised = fields.Float(metadata={"description": "0..100"})
    weight = fields.Float()


class AssessmentRowSchema(Schema):
    area_id = fields.Int(allow_none=True, metadata={"description": "null for a grid worker"})
    user_id = fields.Int(metadata={"description": "level=worker: the person"})
    grids = fields.List(fields.Str(), metadata={"description": "level=worker: the grids worked"})
    name = fields.Str()
    level = fields.Str()
    indicators = fields.Dict(
        keys=fields.Str(),
        values=fields.Nested(IndicatorSchema),
        metadata={"description": "a grid worker: their grids' coverage, warnings and rounds only"},
    )
    score = fields.Float(metadata={"description": "Σ weight × normalised ÷ Σ weights"})
    rank = fields.Int()


class AssessmentSchema(Schema):
    month = fields.Str()
    level = fields.Str()
    area_id = fields.Int(allow_none=True)
    area_name = fields.Str(allow_none=True)
    weights = fields.Dict(keys=fields.Str(), values=fields.Float())
    rows = fields.List(fields.Nested(AssessmentRowSchema))


AssessmentWeightsSchema = Schema.from_dict(
    {
        name: fields.Float(allow_nan=False, validate=validate.Range(min=0, max=100))
        for name in INDICATORS
    },
    name="AssessmentWeightsSchema",
)


def weights_from_page(form) -> dict[str, float]:
    """The weights form (text fields) loaded by the API's schema: 422 naming a bad one."""
    from flask_babel import lazy_gettext as _l

    from app.errors import Invalid

    raw = {name: form[name] for name in INDICATORS if form.get(name, "").strip()}
    try:
        return AssessmentWeightsSchema().load(
            {k: float(v) if _is_number(v) else v for k, v in raw.items()}
        )
    except ValidationError as error:
        raise Invalid(_l("check the marked fields"), dict(error.messages)) from None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip().lower() not in ("nan", "inf", "-inf", "infinity", "-infinity")
