"""Forms of the coordinator pages (areas, sites, people), and what they share."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from app.error_messages import in_language
from app.geo import COORD_SYSTEMS
from app.labels import (
    AREA_LEVEL_LABELS,
    COORD_SYSTEM_LABELS,
    FORCE_LABELS,
    ROLE_LABELS,
    SITE_KIND_LABELS,
    labelled,
)
from app.models import FORCES, LEVELS, ROLES, SITE_KINDS
from app.schemas.user import UserSchema


class SchemaRule:
    """A form field checked by the API schema's own rule for it, so that a page and the API accept
    the same values (one input contract); an empty field is left to the form's Optional()."""

    def __init__(self, schema, name: str):
        self.schema, self.name = schema, name

    def __call__(self, form, field):
        if field.data in (None, ""):
            return
        errors = self.schema.validate({self.name: field.data}, partial=True)
        if self.name in errors:
            raise ValidationError(in_language(errors[self.name][0]))


def choices(values, labels=None):
    return labelled(values, labels or {})


class AreaForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    level = SelectField(_l("Level"), choices=choices(LEVELS, AREA_LEVEL_LABELS))
    parent_id = SelectField(lazy_pgettext("area", "Parent"), coerce=int, validators=[Optional()])
    code = StringField(_l("Code"), validators=[Optional(), Length(max=40)])
    household_count = IntegerField(_l("Households"), validators=[Optional(), NumberRange(min=0)])
    population = IntegerField(_l("Population"), validators=[Optional(), NumberRange(min=0)])


class SiteForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(_l("Kind"), choices=choices(SITE_KINDS, SITE_KIND_LABELS))
    area_id = SelectField(_l("Grid"), coerce=int)
    lat = DecimalField(_l("Latitude"), places=6, validators=[DataRequired(), NumberRange(-90, 90)])
    lng = DecimalField(
        _l("Longitude"), places=6, validators=[DataRequired(), NumberRange(-180, 180)]
    )
    coord_system = SelectField(
        _l("Coordinates from"), choices=choices(COORD_SYSTEMS, COORD_SYSTEM_LABELS)
    )
    radius_m = IntegerField(_l("Radius (m)"), default=100, validators=[NumberRange(10, 5000)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=255)])
    visits_per_month = IntegerField(
        _l("Required visits per month"), default=1, validators=[NumberRange(0, 100)]
    )
    active = BooleanField(_l("Active"), default=True)


class UserForm(FlaskForm):
    username = StringField(
        _l("Username"), validators=[DataRequired(), SchemaRule(UserSchema(), "username")]
    )
    display_name = StringField(
        _l("Display name"), validators=[Optional(), SchemaRule(UserSchema(), "display_name")]
    )
    password = PasswordField(_l("Password"), validators=[Optional(), Length(max=256)])
    role = SelectField(_l("Role"), choices=choices(ROLES, ROLE_LABELS))
    force = SelectField(_l("Force"), choices=[("", "—"), *choices(FORCES, FORCE_LABELS)])
    area_id = SelectField(_l("Area"), coerce=int)
    grid_ids = SelectMultipleField(_l("Grids"), coerce=int, validators=[Optional()])
    phone = StringField(_l("Phone"), validators=[Optional(), SchemaRule(UserSchema(), "phone")])
    active = BooleanField(_l("Active"), default=True)


def form_data(form: FlaskForm, names: list[str], blank_to_none: tuple[str, ...] = ()) -> dict:
    """The named fields' data, with blanks as None where the model allows it."""
    data = {}
    for name in names:
        value = getattr(form, name).data
        if name in blank_to_none and value in ("", 0, None):
            value = None
        data[name] = value
    return data
