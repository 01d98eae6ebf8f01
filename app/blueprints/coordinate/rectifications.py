"""Coordinator pages for rectification (整改): open items with their photos, oldest first, and
who each is assigned to."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField

from app.blueprints.coordinate import bp
from app.guard import authorize
from app.kit import answer_status, page_of, submit
from app.kit.forms import optional_int
from app.models.base import utcnow
from app.schemas.rectification import RectificationAssignSchema
from app.services import rectifications as service


class AssignForm(FlaskForm):
    assignee_id = SelectField(_l("Assign to"), coerce=optional_int)


def _page(form: AssignForm):
    rows = page_of(service.list_rectifications(current_user, {"status": "open"}))
    people = {item.id: service.assignable_people(current_user, item) for item in rows}
    return render_template(
        "coordinate/rectifications.html", rows=rows, people=people, form=form, now=utcnow()
    ), answer_status(form)


@bp.get("/rectifications")
@authorize("assign", "rectification")
def rectifications():
    """Open items in the coordinator's area, oldest first, each with its photos and an assign form."""
    return _page(AssignForm())


@bp.post("/rectifications/<int:rectification_id>/assign")
@authorize("assign", "rectification", load=service.get_rectification)
def assign_rectification(rectification_id: int):
    """Hand one item to a person of the site's area, then back to the list."""
    item = service.get_rectification(current_user, rectification_id)
    form = AssignForm()
    form.assignee_id.choices = [
        (p.id, p.display_name) for p in service.assignable_people(current_user, item)
    ]
    done = submit(
        form,
        lambda data: service.assign_rectification(current_user, item, data["assignee_id"]),
        schema=RectificationAssignSchema(),
        on_fields=False,
    )
    if done is None:
        return _page(form)
    flash(_("Assigned."), "ok")
    return redirect(url_for(".rectifications"))
