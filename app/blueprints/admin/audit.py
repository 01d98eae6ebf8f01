"""The audit log: search it by person, action, object and day, and export what was found."""

from flask import Response, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import ValidationError

from app.blueprints.admin import bp
from app.errors import Invalid
from app.extensions import db
from app.kit import Page
from app.schemas.audit import AuditQuerySchema, blank_args
from app.services import audit

CSV_HEADERS = (
    _l("When"),
    _l("Username"),
    _l("Name"),
    _l("Action"),
    _l("Object"),
    _l("Object id"),
    _l("From where"),
    _l("Changes"),
)


def _filters() -> dict:
    """The query string's filters; Invalid naming each wrong one."""
    try:
        return AuditQuerySchema().load(blank_args(request.args))
    except ValidationError as error:
        raise Invalid(_l("check the filters"), error.messages) from error


def _render(page, errors: dict):
    return render_template(
        "admin/audit.html",
        page=page,
        errors=errors,
        args=request.args,
        actions=audit.actions(),
        describe=audit.describe,
        export_url=url_for(".audit_export", **request.args.to_dict()),
    )


@bp.get("/audit")
def audit_log():
    """Who did what, when, from where, old → new; filtered and paged."""
    try:
        found = audit.page_of_events(current_user, _filters())
    except Invalid as error:
        return _render(None, error.errors), 422
    return _render(Page(found["items"], found["total"], found["page"], found["per_page"]), {})


@bp.get("/audit.csv")
def audit_export():
    """The same search as CSV (UTF-8 with a BOM, formula-safe), at most audit.EXPORT_LIMIT rows."""
    try:
        filters = _filters()
        rows = db.session.execute(
            audit.search_events(current_user, filters).limit(audit.EXPORT_LIMIT)
        )
    except Invalid as error:
        return _render(None, error.errors), 422
    body = audit.events_csv(rows, [str(h) for h in CSV_HEADERS])
    return Response(
        body,
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": "attachment; filename=audit-log.csv"},
    )
