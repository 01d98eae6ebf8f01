"""Coordinator pages for check-ins: the list with filters, the review queue, and the map."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from marshmallow import ValidationError
from wtforms import HiddenField, TextAreaField

from app import geo
from app.blueprints.coordinate import bp
from app.error_messages import errors_in_language, in_language
from app.errors import DomainError
from app.extensions import db
from app.guard import authorize
from app.kit import Page, answer_status, page_of, submit
from app.kit.maps import base_map, tile_datum
from app.models import CHECKIN_STATUSES, FORCES, CheckIn
from app.schemas.checkin import CheckInQuerySchema, CheckInReviewSchema
from app.services import areas as area_service
from app.services import checkins as checkin_service
from app.services.checkin_rules import reason_text

PER_PAGE = 50
MAP_LIMIT = 2000


class ReviewForm(FlaskForm):
    decision = HiddenField()
    reason = TextAreaField(_l("Reason"))


def _filters() -> tuple[dict, dict]:
    """The list filters from the query string (blanks ignored), and any errors by field."""
    raw = {key: value for key, value in request.args.items() if value.strip()}
    try:
        return CheckInQuerySchema().load(raw), {}
    except ValidationError as error:
        return {"page": 1, "per_page": PER_PAGE}, errors_in_language(error.messages)


def _listed(filters: dict):
    """The check-ins the filters select, or None (with the reason flashed) for an area outside scope."""
    try:
        return checkin_service.list_checkins(current_user, filters)
    except DomainError as error:
        flash(in_language(error.message), "error")
        return None


def _filter_choices() -> dict:
    areas = db.session.scalars(area_service.list_areas(current_user)).all()
    return {"areas": areas, "statuses": CHECKIN_STATUSES, "forces": FORCES}


@bp.get("/checkins")
def checkins():
    """Check-ins in the coordinator's area, newest first, filtered by area, person, force, site, status, period."""
    filters, errors = _filters()
    query = None if errors else _listed(filters)
    rows = page_of(query, PER_PAGE) if query is not None else Page([], 0, 1, PER_PAGE)
    return render_template(
        "coordinate/checkins.html",
        rows=rows,
        args=request.args,
        errors=errors,
        reason_text=reason_text,
        **_filter_choices(),
    ), 422 if errors else 200


@bp.get("/checkins/review")
def review_queue():
    """Flagged check-ins waiting for a decision, oldest first."""
    return _review_page(ReviewForm())


def _review_page(form: ReviewForm):
    query = checkin_service.list_checkins(current_user, {"status": "flagged"})
    rows = page_of(query.order_by(None).order_by(CheckIn.captured_at, CheckIn.id))
    datum = tile_datum()
    return render_template(
        "coordinate/checkin_review.html",
        rows=rows,
        form=form,
        reason_text=reason_text,
        earlier=checkin_service.earlier_same_day(list(rows)),
        maps={c.id: _review_map(c, datum) for c in rows},
        tile_url=base_map()["tile-url"],
    ), answer_status(form)


def _review_map(checkin, datum: str) -> dict:
    """The fix, its accuracy and the site's pin and radius, in the tiles' datum."""
    datum = datum if datum in geo.COORD_SYSTEMS else "wgs84"
    lat, lng = geo.from_wgs84(checkin.lat, checkin.lng, datum)
    site_lat, site_lng = geo.from_wgs84(checkin.site.lat, checkin.site.lng, datum)
    return {
        "lat": round(lat, 6),
        "lng": round(lng, 6),
        "accuracy": checkin.accuracy_m or 0,
        "site_lat": round(site_lat, 6),
        "site_lng": round(site_lng, 6),
        "radius": checkin.site.radius_m,
    }


@bp.post("/checkins/review-bulk")
@authorize("review", "checkin")
def review_bulk():
    """Approve or reject the chosen flagged check-ins with one reason: all of them or none."""
    form = ReviewForm()
    ids = [int(i) for i in request.form.getlist("checkin_ids") if i.isdigit()]
    done = submit(
        form,
        lambda data: checkin_service.review_checkins(
            current_user,
            [checkin_service.get_checkin(current_user, i) for i in ids],
            data["decision"],
            data["reason"],
        ),
        schema=CheckInReviewSchema(),
        on_fields=False,
    )
    if done is None:
        if form.errors:
            flash(_("Choose approve or reject."), "error")
        return _review_page(form)
    flash(_("%(n)d check-ins reviewed.", n=len(done)), "ok")
    return redirect(url_for(".review_queue"))


@bp.post("/checkins/<int:checkin_id>/review")
@authorize("review", "checkin", load=checkin_service.get_checkin)
def review(checkin_id: int):
    """Approve or reject one flagged check-in, then back to the queue; a refusal answers the queue
    with its status (409 for a check-in no longer flagged) and the reason."""
    checkin = checkin_service.get_checkin(current_user, checkin_id)
    form = ReviewForm()
    done = submit(
        form,
        lambda data: checkin_service.review_checkin(
            current_user, checkin, data["decision"], data["reason"]
        ),
        schema=CheckInReviewSchema(),
        on_fields=False,
    )
    if done is None:
        if form.errors:
            flash(_("Choose approve or reject."), "error")
        return _review_page(form)
    flash(_("Approved.") if done.status == "accepted" else _("Rejected."), "ok")
    return redirect(url_for(".review_queue"))


@bp.get("/checkins/map")
def checkin_map():
    """Where the filtered check-ins happened, drawn as points (tiles only when configured)."""
    filters, errors = _filters()
    query = None if errors else _listed(filters)
    rows = db.session.scalars(query.limit(MAP_LIMIT)).all() if query is not None else []
    total = (
        len(rows)
        if len(rows) < MAP_LIMIT
        else db.session.scalar(
            db.select(db.func.count()).select_from(query.order_by(None).subquery())
        )
    )
    points = [_point(c, tile_datum()) for c in rows]
    return render_template(
        "coordinate/checkin_map.html",
        points=points,
        errors=errors,
        args=request.args,
        limit=MAP_LIMIT,
        total=total,
        **_filter_choices(),
    ), 422 if errors else 200


def _point(checkin, datum: str) -> dict:
    """One check-in for the map, shifted into the tiles' datum (AMap tiles are GCJ-02)."""
    lat, lng = geo.from_wgs84(
        checkin.lat, checkin.lng, datum if datum in geo.COORD_SYSTEMS else "wgs84"
    )
    return {
        "lat": round(lat, 6),
        "lng": round(lng, 6),
        "status": checkin.status,
        "site": checkin.site.name,
        "user": checkin.user.display_name or checkin.user.username,
        "at": checkin.captured_at.isoformat(),
        "distance": round(checkin.distance_m),
    }
