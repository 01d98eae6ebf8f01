"""Households per grid: the list, adding one, marking one unreachable, and the spreadsheet import."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, SelectMultipleField, StringField, widgets

from app.blueprints.coordinate import bp
from app.extensions import db
from app.guard import authorize
from app.kit import answer_status, page_of, refused, start_page_import, submit
from app.kit.forms import optional_int
from app.labels import HOUSEHOLD_TAG_LABELS, UNREACHABLE_REASON_LABELS
from app.models import HOUSEHOLD_TAGS
from app.redirects import safe_next
from app.schemas.household import HouseholdReachabilitySchema, HouseholdSchema, ImportFileSchema
from app.services import areas as area_service
from app.services import households as household_service

PER_PAGE = 100
TEMPLATE_CSV = "网格,地址,标签\r\n网格编码或名称,12-2-301,elderly;student\r\n"


class HouseholdForm(FlaskForm):
    area_id = SelectField(_l("Grid"), coerce=optional_int)
    label = StringField(_l("Address (building-unit-room)"))
    tags = SelectMultipleField(
        _l("Tags"),
        choices=[(t, HOUSEHOLD_TAG_LABELS[t]) for t in HOUSEHOLD_TAGS],
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
    )


class ReachabilityForm(FlaskForm):
    reason = SelectField(
        _l("Reachable?"),
        choices=[("", _l("Reachable")), *UNREACHABLE_REASON_LABELS.items()],
    )


class ImportForm(FlaskForm):
    file = FileField(_l("CSV or XLSX file"))


def _grid_choices():
    grids = db.session.scalars(area_service.list_areas(current_user, level="grid")).all()
    return [(g.id, g.name) for g in grids]


def _filters() -> dict:
    unreachable = {"1": True, "0": False}.get(request.args.get("unreachable", ""))
    tag = request.args.get("tag") if request.args.get("tag") in HOUSEHOLD_TAGS else None
    return {
        "area_id": request.args.get("area_id", type=int),
        "tag": tag,
        "unreachable": unreachable,
        "q": request.args.get("q", "").strip() or None,
    }


@bp.route("/households", methods=["GET", "POST"])
@authorize("create", "household", areas=("area_id",), methods=["POST"])
def households():
    """Households in scope, filtered by area, tag, reachability or building; a form to add one."""
    form = HouseholdForm()
    form.area_id.choices = _grid_choices()
    household = submit(
        form,
        lambda data: household_service.create_household(current_user, data),
        schema=HouseholdSchema(),
    )
    if household is not None:
        flash(_("Added %(label)s.", label=household.label), "ok")
        return redirect(url_for(".households", area_id=household.area_id))
    filters = _filters()
    page = page_of(household_service.list_households(current_user, **filters), PER_PAGE)
    return render_template(
        "coordinate/households.html",
        form=form,
        page=page,
        filters=filters,
        grids=form.area_id.choices,
        tag_labels=HOUSEHOLD_TAG_LABELS,
        reason_labels=UNREACHABLE_REASON_LABELS,
    ), answer_status(form)


@bp.post("/households/<int:household_id>/reachability")
@authorize("update", "household", load=household_service.get_household)
def household_reachability(household_id: int):
    """Mark a household vacant or demolished (it leaves the coverage figures), or reachable again."""
    household = household_service.get_household(current_user, household_id)
    form = ReachabilityForm()
    saved = submit(
        form,
        lambda data: household_service.update_household(current_user, household, data),
        schema=HouseholdReachabilitySchema(),
    )
    if saved is None:
        if form.errors:
            flash(_("Choose vacant, demolished or reachable."), "error")
        return refused(form)
    flash(_("%(label)s: saved.", label=household.label), "ok")
    return redirect(
        safe_next(request.form.get("next"))
        if request.form.get("next")
        else url_for(".households", area_id=household.area_id)
    )


@bp.route("/households/import", methods=["GET", "POST"])
@authorize("import", "household", methods=["POST"])
def import_households():
    """Upload a CSV or XLSX file; every row is checked and either all are added or none."""
    form = ImportForm()
    report, job = start_page_import(form, "households", ImportFileSchema())
    if report is not None and not report["error_count"]:
        flash(_("Imported %(count)s households.", count=report["created"]), "ok")
        return redirect(url_for(".households"))
    status = 422 if report is not None else 202 if job else answer_status(form)
    return render_template(
        "coordinate/household_import.html", form=form, report=report, job=job
    ), status


@bp.get("/households/import/template.csv")
def household_import_template():
    """A CSV to fill in, UTF-8 with a BOM so that Excel opens the Chinese headers correctly."""
    return Response(
        "\ufeff" + TEMPLATE_CSV,
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=households.csv"},
    )
