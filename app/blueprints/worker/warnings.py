"""The worker's phone pages for warnings: the ones I answer for, one warning's outcome, the reveal."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.blueprints.worker import bp
from app.extensions import db
from app.guard import authorize
from app.kit import answer_status, page_of, private, submit
from app.kit.warning_forms import OutcomeForm, WarningForm
from app.policy import can
from app.schemas.warning import OutcomeSchema, WarningSchema
from app.services import areas as area_service
from app.services.warnings import handling
from app.services.warnings.handling import STOP_LOSS_STEPS


def _private_page(html: str, status: int = 200):
    """Pages with names and numbers of people are never kept by shared caches."""
    return private(make_response(html, status))


def _warning_form():
    form = WarningForm()
    form.area_id.choices = [
        (g.id, g.name)
        for g in db.session.scalars(area_service.list_areas(current_user, level="grid"))
    ]
    return form


@bp.route("/worker/warnings", methods=["GET", "POST"])
@authorize("use", "pages")
def my_warnings():
    """Open warnings I answer for; police also enter new ones here."""
    form = _warning_form() if can(current_user, "create", "warning") else None
    create = lambda data: handling.create_warning(current_user, data)  # noqa: E731
    if form is not None and submit(form, create, schema=WarningSchema()) is not None:
        flash(_("Warning entered; the grid's workers see it now."), "ok")
        return redirect(url_for(".my_warnings"))
    rows = page_of(handling.list_warnings(current_user, {}))
    handling.present(current_user, rows.items, full_numbers=False)
    page = render_template("worker/warnings.html", warnings=rows, form=form)
    return _private_page(page, answer_status(form))


def _warning_page(found, form, revealed=None, status=200):
    handling.present(current_user, [found], full_numbers=False)
    page = render_template(
        "worker/warnings_one.html",
        warning=found,
        form=form,
        revealed=revealed,
        stop_loss=STOP_LOSS_STEPS,
    )
    return _private_page(page, status)


@bp.route("/worker/warnings/<int:warning_id>", methods=["GET", "POST"])
@authorize("use", "pages")
def warning(warning_id: int):
    """A warning with the time left; one tap per outcome, with the phone's position."""
    found = handling.get_warning(current_user, warning_id)
    form = OutcomeForm()
    record = lambda data: handling.record_outcome(current_user, found, data)  # noqa: E731
    if submit(form, record, schema=OutcomeSchema()) is not None:
        if found.status == "handled":
            flash(_("Outcome recorded."), "ok")
        return redirect(url_for(".warning", warning_id=found.id))
    return _warning_page(found, form, status=answer_status(form))


@bp.post("/worker/warnings/<int:warning_id>/reveal")
@authorize("reveal", "phone", load=handling.get_warning)
def reveal_phone(warning_id: int):
    """The number behind the call button, for the handlers (police, the grid's workers, admins),
    shown once; written to the audit log."""
    found = handling.get_warning(current_user, warning_id)
    return _warning_page(found, OutcomeForm(), revealed=handling.reveal_phone(current_user, found))
