"""The person page (one person's work this month and over the months, their commendations) and
the leaderboard of people for a period."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, StringField

from app.blueprints.dashboard import bp
from app.blueprints.dashboard.views import query_args
from app.guard import authorize
from app.kit import answer_status, private, submit
from app.labels import FORCE_LABELS, TASK_KIND_LABELS, TASK_STATUS_LABELS
from app.models import FORCES
from app.replica import reads_from_replica
from app.schemas.person import CommendationSchema, LeaderboardQuerySchema
from app.services import coverage, people_activity
from app.services.people_activity import find_person


class CommendationForm(FlaskForm):
    reason = StringField(_l("Why"))
    awarded_on = DateField(_l("Date"))


@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
@authorize("commend", "person", load=find_person, methods=["POST"])
@authorize("read", "person", load=find_person)
def person(user_id: int):
    """One person's tasks, check-ins, visits and reports this month and by month; commendations."""
    found = find_person(current_user, user_id)
    form = CommendationForm()
    commend = lambda data: people_activity.commend_person(current_user, found, data)  # noqa: E731
    if submit(form, commend, schema=CommendationSchema()) is not None:
        flash(_("Commendation recorded."), "ok")
        return redirect(url_for(".person", user_id=found.id))
    page = render_template(
        "dashboard/person.html",
        form=form,
        force_labels=FORCE_LABELS,
        kind_labels=TASK_KIND_LABELS,
        status_labels=TASK_STATUS_LABELS,
        **people_activity.person_page(current_user, found),
    )
    return private(make_response(page, answer_status(form)))


@bp.get("/leaderboard")
@authorize("read", "leaderboard")
@reads_from_replica
def leaderboard():
    """People of the area ranked by check-ins, visits or reports in the period; by force."""
    args = query_args(LeaderboardQuerySchema)
    area = coverage.resolve_area(current_user, args["area_id"])
    period = coverage.make_period(args["date_from"], args["date_to"])
    rows = people_activity.leaderboard(current_user, area, args["force"], period, args["sort"])
    page = render_template(
        "dashboard/leaderboard.html",
        rows=rows,
        area=area,
        period=period,
        force=args["force"],
        sort=args["sort"],
        forces=FORCES,
        force_labels=FORCE_LABELS,
        measures=people_activity.MEASURES,
    )
    return private(make_response(page))
