"""Forms of the warning pages: entering a warning and recording its outcome."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.labels import WARNING_LEVEL_LABELS, WARNING_RESULT_LABELS, labelled
from app.models import WARNING_LEVELS, WARNING_RESULTS


class WarningForm(FlaskForm):
    level = SelectField(_l("Level"), choices=labelled(WARNING_LEVELS, WARNING_LEVEL_LABELS))
    area_id = SelectField(_l("Grid"), coerce=int)
    subject_label = StringField(
        _l("Person (a label, not a full name)"), validators=[DataRequired(), Length(max=80)]
    )
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=24)])

    def data_for_service(self) -> dict:
        return {
            "level": self.level.data,
            "area_id": self.area_id.data,
            "subject_label": self.subject_label.data.strip(),
            "phone": self.phone.data or None,
        }


class OutcomeForm(FlaskForm):
    result = SelectField(_l("Outcome"), choices=labelled(WARNING_RESULTS, WARNING_RESULT_LABELS))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    lat = StringField(validators=[Optional()])
    lng = StringField(validators=[Optional()])

    def data_for_service(self) -> dict:
        data = {"result": self.result.data, "note": (self.note.data or "").strip() or None}
        try:
            lat, lng = float(self.lat.data), float(self.lng.data)
        except (TypeError, ValueError):
            return data
        if -90 <= lat <= 90 and -180 <= lng <= 180:
            data.update(lat=lat, lng=lng)
        return data
