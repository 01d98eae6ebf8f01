"""Forms of the campaign, assignment, task report and warning pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.labels import (
    FORCE_LABELS,
    TARGET_KEY_LABELS,
    TASK_KIND_LABELS,
    WARNING_LEVEL_LABELS,
    WARNING_RESULT_LABELS,
    labelled,
)
from app.models import FORCES, TASK_KINDS, TASK_STATUSES, WARNING_LEVELS, WARNING_RESULTS
from app.services.task_progress import TARGET_KEYS


class CampaignForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(_l("Kind"), choices=labelled(TASK_KINDS, TASK_KIND_LABELS))
    area_id = SelectField(_l("Area"), coerce=int)
    starts_on = DateField(_l("Starts on"), validators=[DataRequired()])
    ends_on = DateField(_l("Ends on"), validators=[DataRequired()])
    household_rounds = IntegerField(
        TARGET_KEY_LABELS["household_rounds"], validators=[Optional(), NumberRange(1, 31)]
    )
    site_visits = IntegerField(
        TARGET_KEY_LABELS["site_visits"], validators=[Optional(), NumberRange(1, 100)]
    )
    leaflets = IntegerField(
        TARGET_KEY_LABELS["leaflets"], validators=[Optional(), NumberRange(1, 1_000_000)]
    )
    lectures = IntegerField(
        TARGET_KEY_LABELS["lectures"], validators=[Optional(), NumberRange(1, 1000)]
    )
    stalls = IntegerField(
        TARGET_KEY_LABELS["stalls"], validators=[Optional(), NumberRange(1, 1000)]
    )
    app_installs = IntegerField(
        TARGET_KEY_LABELS["app_installs"], validators=[Optional(), NumberRange(1, 1_000_000)]
    )
    count = IntegerField(
        TARGET_KEY_LABELS["count"], validators=[Optional(), NumberRange(1, 1_000_000)]
    )
    repeat_monthly = BooleanField(_l("Repeat every month"))
    # Blank: a task per grid; a force: a task per active person of that force in the area.
    force = SelectField(
        _l("One task per"),
        choices=[("", _l("Grid")), *labelled(FORCES, FORCE_LABELS)],
        default="",
    )

    def data_for_service(self) -> dict:
        targets = {key: getattr(self, key).data for key in TARGET_KEYS if getattr(self, key).data}
        return {
            "title": self.title.data.strip(),
            "kind": self.kind.data,
            "area_id": self.area_id.data,
            "starts_on": self.starts_on.data,
            "ends_on": self.ends_on.data,
            "targets": targets,
            "repeat_monthly": self.repeat_monthly.data,
            "force": self.force.data or None,
        }


class BulkAssignForm(FlaskForm):
    area_id = SelectField(_l("People of"), coerce=int)
    force = SelectField(_l("Force"), choices=labelled(FORCES, FORCE_LABELS), default="rider")
    kind = SelectField(
        _l("To every task of kind"),
        choices=[("", "—"), *labelled(TASK_KINDS, TASK_KIND_LABELS)],
        validators=[Optional()],
    )
    mode = SelectField(
        _l("Mode"),
        choices=[("add", _l("Add to the assignees")), ("replace", _l("Replace the assignees"))],
    )


class ReassignForm(FlaskForm):
    from_user_id = SelectField(_l("Person leaving"), coerce=int)
    to_user_id = SelectField(_l("Hand over to"), coerce=int, validators=[Optional()])


class TaskStatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=[(s, s) for s in TASK_STATUSES])


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


class ImportForm(FlaskForm):
    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired()])


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


class ReportForm(FlaskForm):
    count = IntegerField(_l("How many"), validators=[DataRequired(), NumberRange(1, 100_000)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000)])
