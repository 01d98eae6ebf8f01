"""Forms of the warning pages: entering a warning and recording its outcome."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.labels import WARNING_LEVEL_LABELS, WARNING_RESULT_LABELS, labelled
from app.models import WARNING_LEVELS, WARNING_RESULTS


class WarningForm(FlaskForm):
    level = SelectField(_l("Level"), choices=labelled(WARNING_LEVELS, WARNING_LEVEL_LABELS))
    area_id = SelectField(_l("Grid"), coerce=int)
    subject_label = StringField(
        _l("Person (a label, not a full name)"), validators=[DataRequired(), Length(max=80)]
    )
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=24)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])

    def data_for_service(self) -> dict:
        return {
            "level": self.level.data,
            "area_id": self.area_id.data,
            "subject_label": self.subject_label.data.strip(),
            "phone": self.phone.data or None,
            "address": (self.address.data or "").strip() or None,
        }


class OutcomeForm(FlaskForm):
    result = SelectField(_l("Outcome"), choices=labelled(WARNING_RESULTS, WARNING_RESULT_LABELS))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    lat = StringField(validators=[Optional()])
    lng = StringField(validators=[Optional()])
    # 已被骗 (快采): kept with that result only.
    loss_amount = DecimalField(
        _l("Amount lost (yuan)"), places=2, validators=[Optional(), NumberRange(0, 10**12 - 1)]
    )
    stopped_amount = DecimalField(
        _l("Stopped or recovered (yuan)"),
        places=2,
        validators=[Optional(), NumberRange(0, 10**12 - 1)],
    )
    paid_to = StringField(
        _l("Paid to (account or number)"), validators=[Optional(), Length(max=80)]
    )
    fraud_channel = StringField(_l("How (channel)"), validators=[Optional(), Length(max=40)])
    reported_to = SelectField(
        _l("Reported to"),
        choices=[("", "—"), ("96110", "96110"), ("110", "110"), ("none", _l("Not yet"))],
        validators=[Optional()],
    )

    def data_for_service(self) -> dict:
        data = {"result": self.result.data, "note": (self.note.data or "").strip() or None}
        if self.result.data == "already_defrauded":
            data.update(
                loss_amount=self.loss_amount.data,
                stopped_amount=self.stopped_amount.data,
                paid_to=(self.paid_to.data or "").strip() or None,
                fraud_channel=(self.fraud_channel.data or "").strip() or None,
                reported_to=self.reported_to.data or None,
            )
        try:
            lat, lng = float(self.lat.data), float(self.lng.data)
        except (TypeError, ValueError):
            return data
        if -90 <= lat <= 90 and -180 <= lng <= 180:
            data.update(lat=lat, lng=lng)
        return data
