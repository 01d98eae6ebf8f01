"""Coordinator pages for check-ins: list with filters, review queue, map; all scoped."""

from __future__ import annotations

import json
import re

from app.extensions import db
from app.models import AuditEvent, CheckIn
from tests.api.checkin_helpers import body


def checkin(api, user, site, metres=10, **kw):
    response = api.post("/checkins", user=user, json=body(site, metres, **kw))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def row_ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'data-checkin-id="(\d+)"', html)}


def test_list_is_scoped_and_filtered(client, api, login_as, district):
    a_in = checkin(api, district.a.worker, district.a.sites[0])
    a_out = checkin(api, district.a.police, district.a.sites[1], 900)
    b_in = checkin(api, district.b.worker, district.b.sites[0])
    login_as(district.a.coordinator)
    html = client.get("/coordinate/checkins").get_data(as_text=True)
    assert {a_in["id"], a_out["id"]} <= row_ids(html) and b_in["id"] not in row_ids(html)
    assert district.a.sites[0].name in html
    rejected = client.get(
        f"/coordinate/checkins?status=rejected&area_id={district.a.street.id}&user_id=&from="
    )
    assert row_ids(rejected.get_data(as_text=True)) == {a_out["id"]}


def test_bad_filter_is_shown_not_a_500(client, login_as, district):
    login_as(district.a.coordinator)
    response = client.get("/coordinate/checkins?from=someday")
    assert response.status_code == 422 and 'data-field="from"' in response.get_data(as_text=True)


def test_area_outside_scope_is_refused_politely(client, login_as, district):
    login_as(district.a.coordinator)
    response = client.get(f"/coordinate/checkins?area_id={district.b.street.id}")
    assert response.status_code == 200 and not row_ids(response.get_data(as_text=True))


def test_workers_and_leaders_have_no_coordinator_pages(client, login_as, district):
    login_as(district.a.worker)
    assert client.get("/coordinate/checkins").status_code == 403


def test_review_queue_approve_and_reject(client, api, login_as, district):
    one = checkin(api, district.a.worker, district.a.sites[0], accuracy_m=None)
    two = checkin(api, district.a.police, district.a.sites[1], accuracy_m=500)
    other_street = checkin(api, district.b.worker, district.b.sites[0], accuracy_m=None)
    login_as(district.a.coordinator)
    html = client.get("/coordinate/checkins/review").get_data(as_text=True)
    assert {one["id"], two["id"]} <= row_ids(html) and other_street["id"] not in row_ids(html)
    response = client.post(
        f"/coordinate/checkins/{one['id']}/review", data={"decision": "approve", "reason": ""}
    )
    assert response.status_code == 302
    client.post(
        f"/coordinate/checkins/{two['id']}/review",
        data={"decision": "reject", "reason": "定位精度太差"},
    )
    db.session.expire_all()
    assert db.session.get(CheckIn, one["id"]).status == "accepted"
    assert db.session.get(CheckIn, two["id"]).review_note == "定位精度太差"
    assert (
        db.session.scalar(
            db.select(db.func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.object_id.in_([one["id"], two["id"]]),
                AuditEvent.action.like("checkin.%"),
            )
        )
        == 2
    )
    assert not {one["id"], two["id"]} & row_ids(
        client.get("/coordinate/checkins/review").get_data(as_text=True)
    )


def test_reject_without_reason_is_refused(client, api, login_as, district):
    flagged = checkin(api, district.a.worker, district.a.sites[0], accuracy_m=None)
    login_as(district.a.coordinator)
    response = client.post(
        f"/coordinate/checkins/{flagged['id']}/review",
        data={"decision": "reject"},
        follow_redirects=True,
    )
    assert "reason" in response.get_data(as_text=True).lower()
    db.session.expire_all()
    assert db.session.get(CheckIn, flagged["id"]).status == "flagged"


def test_own_check_in_has_no_review_form_and_cannot_be_reviewed(client, api, login_as, district):
    own = checkin(api, district.a.coordinator, district.a.sites[0], accuracy_m=None)
    login_as(district.a.coordinator)
    html = client.get("/coordinate/checkins/review").get_data(as_text=True)
    assert f"/coordinate/checkins/{own['id']}/review" not in html
    client.post(f"/coordinate/checkins/{own['id']}/review", data={"decision": "approve"})
    db.session.expire_all()
    assert db.session.get(CheckIn, own["id"]).status == "flagged"


def test_other_streets_check_in_cannot_be_reviewed(client, api, login_as, district):
    flagged = checkin(api, district.b.worker, district.b.sites[0], accuracy_m=None)
    login_as(district.a.coordinator)
    response = client.post(
        f"/coordinate/checkins/{flagged['id']}/review", data={"decision": "approve"}
    )
    assert response.status_code == 404


def test_map_draws_points_from_vendored_leaflet(client, api, login_as, district, app):
    mine = checkin(api, district.a.worker, district.a.sites[0])
    checkin(api, district.b.worker, district.b.sites[0])
    login_as(district.a.coordinator)
    html = client.get(f"/coordinate/checkins/map?area_id={district.a.street.id}").get_data(
        as_text=True
    )
    assert (
        "vendor/leaflet/leaflet.js" in html
        and "js/checkin-map.js" in html
        and 'data-tile-url=""' in html
    )
    points = json.loads(re.search(r'id="checkin-points">(.*?)</script>', html, re.S).group(1))
    assert len(points) == 1 and points[0]["status"] == "accepted"
    assert abs(points[0]["lat"] - mine["lat"]) < 1e-6
    assert client.get("/static/js/checkin-map.js").status_code == 200


def test_map_shifts_points_into_gcj02_tiles(client, api, login_as, district, app):
    mine = checkin(api, district.a.worker, district.a.sites[0])
    app.config.update(MAP_TILE_URL="https://tiles.example/{z}/{x}/{y}.png", MAP_TILE_DATUM="gcj02")
    try:
        login_as(district.a.coordinator)
        html = client.get("/coordinate/checkins/map").get_data(as_text=True)
    finally:
        app.config.update(MAP_TILE_URL="", MAP_TILE_DATUM="wgs84")
    assert 'data-tile-url="https://tiles.example/{z}/{x}/{y}.png"' in html
    points = json.loads(re.search(r'id="checkin-points">(.*?)</script>', html, re.S).group(1))
    point = next(p for p in points if p["site"] == district.a.sites[0].name)
    assert (
        abs(point["lat"] - mine["lat"]) > 1e-4
    )  # GCJ-02 moves points in China by hundreds of metres
