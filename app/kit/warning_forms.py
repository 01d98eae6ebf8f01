"""Forms of the warning pages: entering a warning and recording its outcome.

They only render (labels, choices, values shown back) and carry the CSRF token: `submit` loads
what they post through the API's schemas in app/schemas/warning.py."""

from __future__ import annotations

from uuid import uuid4

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField

from app.labels import WARNING_LEVEL_LABELS, WARNING_RESULT_LABELS, labelled
from app.models import WARNING_LEVELS, WARNING_RESULTS


class WarningForm(FlaskForm):
    level = SelectField(_l("Level"), choices=labelled(WARNING_LEVELS, WARNING_LEVEL_LABELS))
    area_id = SelectField(_l("Grid"), coerce=int)
    subject_label = StringField(_l("Person (a label, not a full name)"))
    phone = StringField(_l("Phone"))
    address = StringField(_l("Address"))


class OutcomeForm(FlaskForm):
    result = SelectField(_l("Outcome"), choices=labelled(WARNING_RESULTS, WARNING_RESULT_LABELS))
    note = TextAreaField(_l("Note"))
    # The phone's position, posted by static/js/warning-position.js (blank when it has none).
    lat = StringField()
    lng = StringField()
    # One per page drawn: a double tap or a resent post is the same attempt (无法见面 counts once).
    client_id = HiddenField(default=lambda: str(uuid4()))
    # 已被骗 (快采): kept with that result only.
    loss_amount = StringField(_l("Amount lost (yuan)"))
    stopped_amount = StringField(_l("Stopped or recovered (yuan)"))
    paid_to = StringField(_l("Paid to (account or number)"))
    fraud_channel = StringField(_l("How (channel)"))
    reported_to = SelectField(
        _l("Reported to"),
        choices=[("", "—"), ("96110", "96110"), ("110", "110"), ("none", _l("Not yet"))],
    )
