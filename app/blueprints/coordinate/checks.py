"""Coordinator pages for the four must-checks (四必查): the checks of the area, open ones first,
and one check with its back-check evidence and the form that concludes it."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from app.blueprints.coordinate import bp
from app.guard import authorize
from app.kit import answer_status, page_of, private, submit
from app.kit.contract import show_rules
from app.schemas.must_check import MustCheckConcludeSchema
from app.services import must_checks as service


class ConcludeForm(FlaskForm):
    conclusion = TextAreaField(_l("Conclusion"))
    responsible = TextAreaField(_l("Who was responsible"))
    follow_up = TextAreaField(_l("Follow-up"))


@bp.get("/checks")
@authorize("read", "must_check")
def checks():
    """The area's must-checks, open ones first."""
    rows = page_of(service.list_checks(current_user, {}))
    return private(make_response(render_template("coordinate/checks.html", rows=rows)))


def _page(check, form: ConcludeForm):
    service.with_evidence(check)
    page = make_response(render_template("coordinate/check.html", check=check, form=form))
    page.status_code = answer_status(form)
    return private(page)


@bp.get("/checks/<int:check_id>")
@authorize("read", "must_check")
def check(check_id: int):
    """One check: what opened it, the back-check evidence, and the conclusion form."""
    found = service.get_check(current_user, check_id)
    form = ConcludeForm()
    show_rules(form, MustCheckConcludeSchema())
    return _page(found, form)


@bp.post("/checks/<int:check_id>/conclude")
@authorize("conclude", "must_check", load=service.get_check)
def conclude_check(check_id: int):
    """Record the conclusion, who was responsible and the follow-up, then back to the list."""
    found = service.get_check(current_user, check_id)
    form = ConcludeForm()
    done = submit(
        form,
        lambda data: service.conclude_check(current_user, found, data),
        schema=MustCheckConcludeSchema(),
    )
    if done is None:
        return _page(found, form)
    flash(_("Check concluded."), "ok")
    return redirect(url_for(".checks"))
