"""Forms of the coordinator pages (areas, sites, people), and what they share.

A form renders its fields (labels, choices, the values shown back); what a field may hold is the
resource's schema's rule (app/schemas/), checked when `app.kit.submit` loads the posted form."""

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

from app.geo import COORD_SYSTEMS
from app.labels import (
    AREA_LEVEL_LABELS,
    CHANNEL_LABELS,
    COORD_SYSTEM_LABELS,
    FORCE_LABELS,
    ROLE_LABELS,
    SITE_KIND_LABELS,
    labelled,
)
from app.models import FORCES, LEVELS, ROLES, SITE_KINDS

# The first choice of a select that may be left empty ("—"): it posts a blank, loaded as null.
NONE_CHOICE = ("", "—")


def optional_int(value):
    """A select's value as a row id, or None for its blank choice."""
    return None if value in ("", None) else int(value)


def choices(values, labels=None):
    return labelled(values, labels or {})


class AreaForm(FlaskForm):
    name = StringField(_l("Name"))
    level = SelectField(_l("Level"), choices=choices(LEVELS, AREA_LEVEL_LABELS))
    parent_id = SelectField(lazy_pgettext("area", "Parent"), coerce=optional_int)
    code = StringField(_l("Code"))
    household_count = IntegerField(_l("Households"))
    population = IntegerField(_l("Population"))


class SiteForm(FlaskForm):
    name = StringField(_l("Name"))
    kind = SelectField(_l("Kind"), choices=choices(SITE_KINDS, SITE_KIND_LABELS))
    area_id = SelectField(_l("Grid"), coerce=optional_int)
    lat = DecimalField(_l("Latitude"), places=6)
    lng = DecimalField(_l("Longitude"), places=6)
    coord_system = SelectField(
        _l("Coordinates from"), choices=choices(COORD_SYSTEMS, COORD_SYSTEM_LABELS)
    )
    radius_m = IntegerField(_l("Radius (m)"), default=100)
    address = StringField(_l("Address"))
    visits_per_month = IntegerField(_l("Required visits per month"), default=1)
    active = BooleanField(_l("Active"), default=True)


class UserForm(FlaskForm):
    username = StringField(_l("Username"))
    display_name = StringField(_l("Display name"))
    password = PasswordField(_l("Password"))
    role = SelectField(_l("Role"), choices=choices(ROLES, ROLE_LABELS))
    force = SelectField(_l("Force"), choices=[NONE_CHOICE, *choices(FORCES, FORCE_LABELS)])
    area_id = SelectField(_l("Area"), coerce=optional_int)
    grid_ids = SelectMultipleField(_l("Grids"), coerce=int)
    phone = StringField(_l("Phone"))
    active = BooleanField(_l("Active"), default=True)


class NotifyChannelForm(FlaskForm):
    """A person's own channel; the choices are those `preferences.channels_for` offers them."""

    channel = SelectField(_l("Also tell me by"))
    address = StringField(_l("Number or robot URL"))

    def offer(self, channels) -> NotifyChannelForm:
        self.channel.choices = [("", _l("Only in GridReach")), *choices(channels, CHANNEL_LABELS)]
        return self
