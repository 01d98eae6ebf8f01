"""The monthly assessment (考核) page and the district's weights."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.blueprints.dashboard import bp
from app.errors import DomainError
from app.guard import authorize
from app.models import INDICATORS
from app.replica import reads_from_replica
from app.schemas.assessment import AssessmentQuerySchema, weights_from_page
from app.schemas.common import load_query
from app.services import assessment
from app.services.localtime import today


@bp.get("/assessment")
@reads_from_replica
def assessment_page():
    """Scores per street or community for a month, ranked, with the sheet to download."""
    raw = {"month": today().strftime("%Y-%m"), **request.args.to_dict()}
    args = load_query(AssessmentQuerySchema(), raw)
    result = assessment.assess(current_user, args["month"], args["level"])
    return render_template("dashboard/assessment.html", result=result, names=INDICATORS)


@bp.route("/assessment/weights", methods=["GET", "POST"])
@authorize("update", "assessment")
def assessment_weights():
    """The weight of each indicator (the district's setting)."""
    errors = {}
    if request.method == "POST":
        try:
            assessment.set_weights(current_user, weights_from_page(request.form))
        except DomainError as error:
            errors = error.errors
        else:
            flash(_("Saved."), "ok")
            return redirect(url_for(".assessment_weights"))
    html = render_template(
        "dashboard/assessment_weights.html",
        weights=assessment.weights(),
        errors=errors,
        posted=request.form,
    )
    return html, 422 if errors else 200
