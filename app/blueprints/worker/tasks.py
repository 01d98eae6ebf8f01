"""The worker's phone pages for tasks and warnings: my tasks, reporting a count, a warning's outcome."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.blueprints.worker import bp
from app.extensions import db
from app.guard import authorize
from app.kit import answer_status, page_of, private, submit
from app.kit.work_forms import OutcomeForm, ReportForm, WarningForm
from app.policy import can
from app.schemas.task import TaskReportSchema
from app.services import areas as area_service
from app.services import warnings as warning_service
from app.services.home import my_work, unfinished_tasks
from app.services.task_progress import REPORTED_KINDS, SITE_KINDS, attach_progress
from app.services.tasks import find_task, get_task, report_count
from app.services.warnings import STOP_LOSS_STEPS


def _private_page(html: str, status: int = 200):
    """Pages with names and numbers of people are never kept by shared caches."""
    return private(make_response(html, status))


@bp.get("/worker/tasks")
@authorize("use", "pages")
def my_tasks():
    """My open warnings, then my unfinished tasks, soonest deadline first."""
    work = my_work(current_user)
    work["tasks"] = page_of(unfinished_tasks(current_user))
    attach_progress(work["tasks"].items)
    return _private_page(render_template("worker/tasks.html", **work))


@bp.route("/worker/tasks/<int:task_id>", methods=["GET", "POST"])
@authorize("report", "task", load=find_task, methods=["POST"])
@authorize("use", "pages")
def task(task_id: int):
    """One task: its progress, and how to add to it (scan a site, visit households, report a count)."""
    found = get_task(current_user, task_id)
    form = ReportForm()
    may_report = found.kind in REPORTED_KINDS and can(current_user, "report", "task", found)

    report = lambda data: report_count(current_user, found, data)  # noqa: E731
    if may_report and submit(form, report, schema=TaskReportSchema()) is not None:
        flash(_("Reported. Thank you."), "ok")
        return redirect(url_for(".task", task_id=found.id))
    page = render_template(
        "worker/tasks_detail.html",
        task=found,
        form=form,
        may_report=may_report,
        site_kinds=SITE_KINDS,
    )
    return _private_page(page, answer_status(form))


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
    create = lambda: warning_service.create_warning(current_user, form.data_for_service())  # noqa: E731
    if form is not None and submit(form, create) is not None:
        flash(_("Warning entered; the grid's workers see it now."), "ok")
        return redirect(url_for(".my_warnings"))
    rows = page_of(warning_service.list_warnings(current_user, {}))
    warning_service.present(current_user, rows.items, full_numbers=False)
    page = render_template("worker/warnings.html", warnings=rows, form=form)
    return _private_page(page, answer_status(form))


def _warning_page(found, form, revealed=None, status=200):
    warning_service.present(current_user, [found], full_numbers=False)
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
    found = warning_service.get_warning(current_user, warning_id)
    form = OutcomeForm()
    record = lambda: warning_service.record_outcome(current_user, found, form.data_for_service())  # noqa: E731
    if submit(form, record) is not None:
        flash(_("Outcome recorded."), "ok")
        return redirect(url_for(".warning", warning_id=found.id))
    return _warning_page(found, form, status=answer_status(form))


@bp.post("/worker/warnings/<int:warning_id>/reveal")
@authorize("unmask", "phone", load=warning_service.get_warning)
def reveal_phone(warning_id: int):
    """Police see the full number once; written to the audit log."""
    found = warning_service.get_warning(current_user, warning_id)
    return _warning_page(
        found, OutcomeForm(), revealed=warning_service.reveal_phone(current_user, found)
    )
