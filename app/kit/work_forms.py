"""Forms of the campaign, assignment, task report and import pages.

Their fields render; their rules are their schemas' (app/schemas/task.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)

from app.kit.forms import NONE_CHOICE, optional_int
from app.labels import (
    FORCE_LABELS,
    TARGET_KEY_LABELS,
    TASK_KIND_LABELS,
    labelled,
)
from app.models import FORCES, PLANNED_KINDS, TASK_KINDS, TASK_STATUSES


class CampaignForm(FlaskForm):
    title = StringField(_l("Title"))
    kind = SelectField(_l("Kind"), choices=labelled(PLANNED_KINDS, TASK_KIND_LABELS))
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
    photo_required = BooleanField(_l("A photo is required for the work to count"))
    # Blank: a task per grid; a force: a task per active person of that force in the area.
    force = SelectField(
        _l("One task per"),
        choices=[("", _l("Grid")), *labelled(FORCES, FORCE_LABELS)],
        default="",
    )


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


class AssignAllForm(FlaskForm):
    """ "Assign all shown": the list's filters (hidden, as shown) and one target to choose."""

    force = HiddenField()
    area_id = HiddenField()
    active = HiddenField()
    load = HiddenField()
    q = HiddenField()
    task_id = SelectField(_l("Onto the task"), coerce=optional_int)
    campaign_id = SelectField(_l("Onto the campaign"), coerce=optional_int)
    grid_id = SelectField(_l("Onto the grid"), coerce=optional_int)


class HandOverForm(FlaskForm):
    to_user_id = SelectField(_l("Hand over to"), coerce=optional_int)


class AssignmentTableForm(FlaskForm):
    """The assignment table's inputs (the template draws the table itself)."""

    task = SelectMultipleField(coerce=int)
    person = SelectMultipleField(coerce=int)
    cell = SelectMultipleField()


class TaskStatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=[(s, s) for s in TASK_STATUSES])


class ImportForm(FlaskForm):
    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired()])


class ReportForm(FlaskForm):
    count = IntegerField(_l("How many"))
    held_at = DateTimeLocalField(_l("When"), format="%Y-%m-%dT%H:%M")
    site_id = SelectField(_l("Site"), coerce=optional_int, validate_choice=False)
    address = StringField(_l("Or address"))
    audience = IntegerField(_l("Audience or people reached"))
    materials = IntegerField(_l("Materials handed out"))
    note = TextAreaField(_l("Note"))

    def offer_sites(self, sites) -> None:
        self.site_id.choices = [NONE_CHOICE, *((site.id, site.name) for site in sites)]
