"""Coordinator pages for check-ins: the list with filters, the review queue, and the map."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from marshmallow import ValidationError
from wtforms import HiddenField, TextAreaField
from wtforms.validators import AnyOf, Length, Optional

from app import geo
from app.blueprints.coordinate import bp
from app.blueprints.coordinate.forms import run_service
from app.error_messages import errors_in_language
from app.extensions import db
from app.models import CHECKIN_STATUSES, FORCES, CheckIn
from app.schemas.checkin import CheckInQuerySchema
from app.services import areas as area_service
from app.services import checkins as checkin_service
from app.services.checkin_rules import reason_text

PER_PAGE = 50
MAP_LIMIT = 2000


class ReviewForm(FlaskForm):
    decision = HiddenField(validators=[AnyOf(checkin_service.DECISIONS)])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=500)])


def _filters() -> tuple[dict, dict]:
    """The list filters from the query string (blanks ignored), and any errors by field."""
    raw = {key: value for key, value in request.args.items() if value.strip()}
    try:
        return CheckInQuerySchema().load(raw), {}
    except ValidationError as error:
        return {"page": 1, "per_page": PER_PAGE}, errors_in_language(error.messages)


def _filter_choices() -> dict:
    areas = db.session.scalars(area_service.list_areas(current_user)).all()
    return {"areas": areas, "statuses": CHECKIN_STATUSES, "forces": FORCES}


@bp.get("/checkins")
def checkins():
    """Check-ins in the coordinator's area, newest first, filtered by area, person, force, site, status, period."""
    filters, errors = _filters()
    filters["per_page"] = PER_PAGE
    query = run_service(None, lambda: checkin_service.list_checkins(current_user, filters)) if not errors else None
    page = filters.get("page", 1)
    rows = db.session.scalars(query.limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)).all() if query is not None else []
    return render_template("coordinate/checkins.html", rows=rows[:PER_PAGE], more=len(rows) > PER_PAGE,
                           page=page, args=request.args, errors=errors, reason_text=reason_text,
                           **_filter_choices()), 422 if errors else 200


@bp.get("/checkins/review")
def review_queue():
    """Flagged check-ins waiting for a decision, oldest first."""
    query = checkin_service.list_checkins(current_user, {"status": "flagged"})
    rows = db.session.scalars(query.order_by(None).order_by(CheckIn.captured_at, CheckIn.id).limit(200)).all()
    return render_template("coordinate/checkin_review.html", rows=rows, form=ReviewForm(),
                           reason_text=reason_text)


@bp.post("/checkins/<int:checkin_id>/review")
def review(checkin_id: int):
    """Approve or reject one flagged check-in, then back to the queue."""
    checkin = checkin_service.get_checkin(current_user, checkin_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        flash(_("Choose approve or reject."), "error")
        return redirect(url_for(".review_queue"))
    done = run_service(form, lambda: checkin_service.review_checkin(
        current_user, checkin, form.decision.data, form.reason.data))
    if done is not None:
        flash(_("Approved.") if done.status == "accepted" else _("Rejected."), "ok")
    return redirect(url_for(".review_queue"))


@bp.get("/checkins/map")
def checkin_map():
    """Where the filtered check-ins happened, drawn as points (tiles only when configured)."""
    filters, errors = _filters()
    query = None if errors else run_service(None, lambda: checkin_service.list_checkins(current_user, filters))
    rows = db.session.scalars(query.limit(MAP_LIMIT)).all() if query is not None else []
    datum = current_app.config.get("MAP_TILE_DATUM", "wgs84")
    points = [_point(c, datum) for c in rows]
    return render_template("coordinate/checkin_map.html", points=points, errors=errors, args=request.args,
                           tile_url=current_app.config.get("MAP_TILE_URL") or "", limit=MAP_LIMIT,
                           **_filter_choices()), 422 if errors else 200


def _point(checkin, datum: str) -> dict:
    """One check-in for the map, shifted into the tiles' datum (AMap tiles are GCJ-02)."""
    lat, lng = geo.from_wgs84(checkin.lat, checkin.lng, datum if datum in geo.COORD_SYSTEMS else "wgs84")
    return {"lat": round(lat, 6), "lng": round(lng, 6), "status": checkin.status,
            "site": checkin.site.name, "user": checkin.user.display_name or checkin.user.username,
            "at": checkin.captured_at.isoformat(), "distance": round(checkin.distance_m)}
