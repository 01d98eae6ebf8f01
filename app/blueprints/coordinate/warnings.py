"""Warning pages for coordinators: entry, import, the list, one warning, and the daily zeroing board."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.blueprints.coordinate import bp
from app.errors import Invalid
from app.extensions import db
from app.guard import authorize
from app.kit import answer_status, page_of, start_page_import, submit
from app.kit.warning_forms import OutcomeForm, WarningForm
from app.kit.work_forms import ImportForm
from app.schemas.common import load_query
from app.schemas.warning import BoardQuerySchema, OutcomeSchema, WarningSchema
from app.services import areas as area_service
from app.services.localtime import today
from app.services.warnings import handling
from app.services.warnings.board import board as zeroing_board
from app.services.warnings.handling import STOP_LOSS_STEPS

FILTERS = {"status": ("open", "handled"), "level": ("high", "medium", "low")}


def grid_choices():
    return [
        (g.id, g.name)
        for g in db.session.scalars(area_service.list_areas(current_user, level="grid"))
    ]


def _filters() -> dict:
    args = {
        k: request.args.get(k) for k, allowed in FILTERS.items() if request.args.get(k) in allowed
    }
    if request.args.get("overdue") == "1":
        args["overdue"] = True
    return args


def _list_page(form: WarningForm, upload: ImportForm, report=None, job=None, status: int = 200):
    args = _filters()
    rows = page_of(handling.list_warnings(current_user, args))
    handling.present(current_user, rows.items, full_numbers=False)
    return render_template(
        "coordinate/warnings.html",
        form=form,
        upload=upload,
        warnings=rows,
        args=args,
        report=report,
        job=job,
    ), status


@bp.route("/warnings", methods=["GET", "POST"])
def warnings():
    """Warnings in my area (open first), with entry by hand and import from a file."""
    form, upload = WarningForm(), ImportForm(prefix="upload")
    form.area_id.choices = grid_choices()
    create = lambda data: handling.create_warning(current_user, data)  # noqa: E731
    warning = submit(form, create, schema=WarningSchema())
    if warning is not None:
        flash(_("Warning entered; the grid's workers see it now."), "ok")
        return redirect(url_for(".warnings"))
    return _list_page(form, upload, status=answer_status(form))


@bp.post("/warnings/import")
def import_warnings():
    """Import the bureau's list: every row or none, with a report of the bad rows."""
    form, upload = WarningForm(), ImportForm(prefix="upload")
    form.area_id.choices = grid_choices()
    report, job = start_page_import(upload, "warnings")
    if report is not None and not report["error_count"]:
        flash(_("%(n)s warnings imported.", n=report["created"]), "ok")
        return redirect(url_for(".warnings"))
    return _list_page(
        form, upload, report=report, job=job, status=202 if job else answer_status(upload, ok=422)
    )


@bp.route("/warnings/<int:warning_id>", methods=["GET", "POST"])
def warning(warning_id: int):
    """One warning: its deadline, who answers for it, the outcome form, and the number on request."""
    found = handling.get_warning(current_user, warning_id)
    form = OutcomeForm()
    record = lambda data: handling.record_outcome(current_user, found, data)  # noqa: E731
    done = submit(form, record, schema=OutcomeSchema())
    if done is not None:
        flash(_("Outcome recorded."), "ok")
        return redirect(url_for(".warning", warning_id=found.id))
    handling.present(current_user, [found], full_numbers=False)
    return render_template(
        "coordinate/warning.html", warning=found, form=form, stop_loss=STOP_LOSS_STEPS
    ), answer_status(form)


@bp.post("/warnings/<int:warning_id>/reveal")
@authorize("unmask", "phone", load=handling.get_warning)
def reveal_warning_phone(warning_id: int):
    """Show the full number once (police and admins); written to the audit log."""
    found = handling.get_warning(current_user, warning_id)
    phone = handling.reveal_phone(current_user, found)
    handling.present(current_user, [found], full_numbers=False)
    return render_template(
        "coordinate/warning.html",
        warning=found,
        form=OutcomeForm(),
        revealed=phone,
        stop_loss=STOP_LOSS_STEPS,
    )


@bp.get("/warnings/board")
def warnings_board():
    """日日清零: open and overdue by level and street, the share in time, yesterday's review, escalations."""
    try:
        day = load_query(BoardQuerySchema(), request.args).get("date") or today()
    except Invalid:
        flash(_("Not a date: %(value)s", value=request.args["date"]), "error")
        day = today()
    board = zeroing_board(current_user, day)
    return render_template("coordinate/warnings_board.html", board=board)
