"""Forms of the campaign, assignment, task report and warning pages.

The campaign, assignment and report forms render fields whose rules are their schemas'
(app/schemas/task.py); the warning forms still check themselves, until the warnings feature moves."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from app.kit.forms import NONE_CHOICE, optional_int
from app.labels import (
    FORCE_LABELS,
    TARGET_KEY_LABELS,
    TASK_KIND_LABELS,
    WARNING_LEVEL_LABELS,
    WARNING_RESULT_LABELS,
    labelled,
)
from app.models import FORCES, TASK_KINDS, TASK_STATUSES, WARNING_LEVELS, WARNING_RESULTS


class CampaignForm(FlaskForm):
    title = StringField(_l("Title"))
    kind = SelectField(_l("Kind"), choices=labelled(TASK_KINDS, TASK_KIND_LABELS))
    area_id = SelectField(_l("Area"), coerce=optional_int)
    starts_on = DateField(_l("Starts on"))
    ends_on = DateField(_l("Ends on"))
    household_rounds = IntegerField(TARGET_KEY_LABELS["household_rounds"])
    site_visits = IntegerField(TARGET_KEY_LABELS["site_visits"])
    leaflets = IntegerField(TARGET_KEY_LABELS["leaflets"])
    lectures = IntegerField(TARGET_KEY_LABELS["lectures"])
    stalls = IntegerField(TARGET_KEY_LABELS["stalls"])
    app_installs = IntegerField(TARGET_KEY_LABELS["app_installs"])
    count = IntegerField(TARGET_KEY_LABELS["count"])
    repeat_monthly = BooleanField(_l("Repeat every month"))


class BulkAssignForm(FlaskForm):
    area_id = SelectField(_l("People of"), coerce=optional_int)
    force = SelectField(_l("Force"), choices=labelled(FORCES, FORCE_LABELS), default="rider")
    kind = SelectField(
        _l("To every task of kind"), choices=[NONE_CHOICE, *labelled(TASK_KINDS, TASK_KIND_LABELS)]
    )
    mode = SelectField(
        _l("Mode"),
        choices=[("add", _l("Add to the assignees")), ("replace", _l("Replace the assignees"))],
    )


class ReassignForm(FlaskForm):
    from_user_id = SelectField(_l("Person leaving"), coerce=optional_int)
    to_user_id = SelectField(_l("Hand over to"), coerce=optional_int)


class AssignmentTableForm(FlaskForm):
    """The assignment table's inputs (the template draws the table itself)."""

    task = SelectMultipleField(coerce=int)
    person = SelectMultipleField(coerce=int)
    cell = SelectMultipleField()


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
    count = IntegerField(_l("How many"))
    note = TextAreaField(_l("Note"))
