"""Dashboard pages for cases (list, entry, import), back-checks and the daily report."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import DateField, DecimalField, SelectField, StringField

from app.blueprints.dashboard import bp
from app.blueprints.dashboard.views import query_args
from app.extensions import db
from app.guard import authorize
from app.kit import Page, answer_status, daily_report_text, start_page_import, submit
from app.kit.forms import NONE_CHOICE, optional_int
from app.labels import AGE_BAND_LABELS, FRAUD_TYPE_LABELS, labelled
from app.models import Area, Job
from app.models.case import AGE_BANDS
from app.replica import reads_from_replica
from app.schemas.case import CaseImportFileSchema, CaseSchema
from app.schemas.common import load_query, page_args
from app.schemas.report import DailyReportQuerySchema
from app.services import backchecks, cases, coverage, dashboard, reports
from app.services.access import filter_by_scope


class CaseForm(FlaskForm):
    area_id = SelectField(_l("Community"), coerce=optional_int)
    occurred_on = DateField(_l("Date"))
    fraud_type = SelectField(_l("Fraud type"), choices=list(FRAUD_TYPE_LABELS.items()))
    loss_amount = DecimalField(_l("Loss (yuan)"), places=2)
    victim_age_band = SelectField(
        _l("Victim age"), choices=[NONE_CHOICE, *labelled(AGE_BANDS, AGE_BAND_LABELS)]
    )
    reference = StringField(_l("Case number"))


class CaseImportForm(FlaskForm):
    file = FileField(_l("CSV or XLSX file"))


def _communities() -> list[tuple[int, str]]:
    query = filter_by_scope(
        select(Area.id, Area.name).where(Area.level == "community"), current_user, Area.id
    )
    return [(area_id, name) for area_id, name in db.session.execute(query.order_by(Area.path))]


@bp.get("/cases")
def case_list():
    """Cases of the period with their back-check flags; coordinators enter or import cases here."""
    return _cases_page(None)


@bp.post("/cases")
@authorize("create", "case")
def enter_cases():
    """Enter one case, or import a file of them (coordinators and admins)."""
    query_args()  # an area outside the caller's is refused before anything is read
    form, upload = _forms()
    report = _import(upload) if "file" in request.files else _enter(form)
    if report is True:
        return redirect(url_for("dashboard.case_list", **request.args))
    return _cases_page(report, form, upload)


def _forms() -> tuple[CaseForm, CaseImportForm]:
    form, upload = CaseForm(), CaseImportForm()
    form.area_id.choices = _communities()
    return form, upload


def _cases_page(report, form: CaseForm | None = None, upload: CaseImportForm | None = None):
    args = query_args()
    if form is None:
        form, upload = _forms()
    paging = page_args(request.args)
    summary = backchecks.summary(
        current_user, args["area_id"], args["date_from"], args["date_to"], **paging
    )
    listed = Page(summary["items"], summary["cases"], paging["page"], paging["per_page"])
    area = coverage.resolve_area(current_user, args["area_id"])
    crumbs = dashboard.breadcrumbs(area, coverage.resolve_area(current_user, None))
    job = report if isinstance(report, Job) else None
    page = render_template(
        "dashboard/cases.html",
        summary=summary,
        listed=listed,
        form=form,
        upload=upload,
        import_report=None if job else report,
        import_job=job,
        type_labels=FRAUD_TYPE_LABELS,
        area=area,
        crumbs=crumbs,
        period=coverage.make_period(args["date_from"], args["date_to"]),
    )
    return page, 202 if job else answer_status(
        form, upload, ok=422 if request.method == "POST" else 200
    )


def _enter(form: CaseForm):
    case = submit(form, lambda data: cases.create_case(current_user, data), schema=CaseSchema())
    if case is None:
        return None
    flash(_("Case recorded."), "ok")
    return True


def _import(upload: CaseImportForm):
    report, job = start_page_import(upload, "cases", CaseImportFileSchema())
    if report is not None and not report["error_count"] and report["created"]:
        flash(_("%(n)d cases imported.", n=report["created"]), "ok")
        return True
    return job or report


@bp.get("/cases/<int:case_id>")
def backcheck(case_id: int):
    """The back-check (倒查) of one case."""
    check = backchecks.for_case(current_user, case_id)
    case = cases.get_case(current_user, case_id)
    return render_template(
        "dashboard/backcheck.html", check=check, case=case, type_labels=FRAUD_TYPE_LABELS
    )


@bp.get("/report")
@reads_from_replica
def daily_report():
    """The daily report as a table, with its downloads and the text for a chat group."""
    day = load_query(DailyReportQuerySchema(), request.args)["date"]
    report = reports.daily(current_user, day)
    return render_template(
        "dashboard/report.html",
        report=report,
        text=daily_report_text(report),
        columns=reports.COLUMNS,
    )
