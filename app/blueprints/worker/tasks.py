"""The worker's phone pages for tasks: my tasks (with my open warnings first), reporting an
activity (how many, when, where, audience, materials)."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.blueprints.worker import bp
from app.guard import authorize
from app.kit import answer_status, page_of, private, submit
from app.kit.work_forms import ReportForm
from app.policy import can
from app.schemas.task import TaskReportSchema
from app.services import people_activity
from app.services.coverage import make_period
from app.services.home import my_work, unfinished_tasks
from app.services.task_progress import REPORTED_KINDS, SITE_KINDS, attach_progress
from app.services.tasks import find_task, get_task, report_count, report_sites


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
    if may_report:
        form.offer_sites(report_sites(found))

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


@bp.get("/worker/leaderboard")
@authorize("read", "area_leaderboard")
@authorize("use", "pages")
def leaderboard():
    """This month's leaderboard of the people of my area (where the deployment shows it)."""
    period = make_period(None, None)
    rows = people_activity.leaderboard(current_user, None, None, period, "checkins")
    page = render_template("worker/leaderboard.html", rows=rows, period=period)
    return _private_page(page)
