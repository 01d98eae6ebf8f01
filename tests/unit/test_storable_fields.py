"""What a schema accepts, its column can store: every text field a schema loads into a model column
has a length no longer than the column's (or a fixed set of choices that fit), and refuses NUL."""

from __future__ import annotations

import pytest
from marshmallow import fields, validate
from sqlalchemy import String

from app.models import (
    Area,
    Campaign,
    CheckIn,
    FraudCase,
    Household,
    RiskWarning,
    Site,
    Task,
    User,
    Visit,
)
from app.models.base import INT32_MAX
from app.schemas.area import AreaSchema
from app.schemas.case import CaseSchema
from app.schemas.checkin import CheckInCreateSchema
from app.schemas.common import Text
from app.schemas.household import HouseholdPatchSchema, HouseholdSchema
from app.schemas.site import SiteSchema
from app.schemas.task import CampaignSchema, TaskPatchSchema, TaskSchema
from app.schemas.user import UserSchema
from app.schemas.visit import VisitSchema
from app.schemas.warning import WarningSchema

PAIRS = [
    (AreaSchema, Area),
    (CaseSchema, FraudCase),
    (CheckInCreateSchema, CheckIn),
    (HouseholdSchema, Household),
    (HouseholdPatchSchema, Household),
    (SiteSchema, Site),
    (TaskSchema, Task),
    (TaskPatchSchema, Task),
    (CampaignSchema, Campaign),
    (UserSchema, User),
    (VisitSchema, Visit),
    (WarningSchema, RiskWarning),
]


def _longest(field: fields.Field) -> int | None:
    """The longest string the field accepts, None when unbounded."""
    if isinstance(field, fields.UUID):
        return 36
    longest = None
    for validator in field.validators:
        if isinstance(validator, validate.Length) and validator.max is not None:
            longest = min(longest or validator.max, validator.max)
        elif isinstance(validator, validate.OneOf):
            longest = max(len(str(choice)) for choice in validator.choices)
        elif isinstance(validator, validate.Regexp):
            longest = longest or -1  # a pattern: bounded by it (checked by its own tests)
    return longest


@pytest.mark.parametrize(("schema", "model"), PAIRS, ids=[s.__name__ for s, _ in PAIRS])
def test_text_fields_fit_their_columns(schema, model):
    columns = model.__table__.columns
    wrong = []
    for name, field in schema().load_fields.items():
        column = columns.get(field.attribute or name)
        if (
            column is None
            or not isinstance(field, fields.String)
            or not isinstance(column.type, String)
        ):
            continue
        longest, room = _longest(field), column.type.length
        if room is not None and (longest is None or longest > room):
            wrong.append((name, longest, room))
        free_text = not any(
            isinstance(v, validate.OneOf | validate.Regexp) for v in field.validators
        )
        if free_text and not isinstance(field, Text | fields.UUID):
            wrong.append((name, "free text that is not a Text field (NUL, surrogates)"))
    assert wrong == []


@pytest.mark.parametrize(("schema", "model"), PAIRS, ids=[s.__name__ for s, _ in PAIRS])
def test_whole_numbers_fit_32_bits(schema, model):
    wrong = []
    for name, field in schema().load_fields.items():
        if isinstance(field, fields.Integer):
            ranges = [v for v in field.validators if isinstance(v, validate.Range)]
            if not ranges or ranges[0].max is None or ranges[0].max > INT32_MAX:
                wrong.append(name)
    assert wrong == []
