"""Rectification (整改) over HTTP: a 破损 check-in opens an item with its photo for the site's
coordinator; the coordinator assigns it; the assignee closes it with a photo; scope throughout."""

from __future__ import annotations

import io
import uuid

from app.extensions import db
from app.services import rectifications
from tests.api.checkin_helpers import body as checkin_body
from tests.factories import make_checkin, make_photo, tiny_jpeg


def damaged_checkin(api, district, **over):
    worker, site = district.a.worker, district.a.sites[0]
    photo = make_photo(user=worker)
    response = api.post(
        "/checkins",
        user=worker,
        json=checkin_body(site, site_condition="damaged", photo_ids=[photo.id], **over),
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json(), photo


def open_items(api, user, **query):
    return api.get("/rectifications", user=user, query_string={"status": "open", **query})


def test_a_damaged_check_in_opens_one_item_with_its_photo(api, district):
    checkin, photo = damaged_checkin(api, district)
    listed = open_items(api, district.a.coordinator).get_json()
    assert listed["total"] == 1
    [item] = listed["items"]
    assert item["checkin_id"] == checkin["id"] and item["condition"] == "damaged"
    assert item["photo_ids"] == [photo.id] and item["status"] == "open"
    # the photo is the coordinator's to see, not another street's
    assert api.get(f"/photos/{photo.id}", user=district.a.coordinator).status_code == 200
    assert open_items(api, district.b.coordinator).get_json()["total"] == 0
    assert api.get(f"/rectifications/{item['id']}", user=district.b.coordinator).status_code == 404
    # a second sighting of the same site opens nothing more
    damaged_checkin(api, district)
    assert open_items(api, district.a.coordinator).get_json()["total"] == 1


def test_intact_or_rejected_sightings_open_nothing(api, district):
    worker, site = district.a.worker, district.a.sites[0]
    api.post("/checkins", user=worker, json=checkin_body(site, site_condition="ok"))
    far = api.post(
        "/checkins", user=worker, json=checkin_body(site, metres=5000, site_condition="missing")
    )
    assert far.get_json()["status"] == "rejected"
    assert open_items(api, district.a.coordinator).get_json()["total"] == 0


def test_a_condition_added_later_opens_an_item(api, district):
    worker, site = district.a.worker, district.a.sites[0]
    created = api.post("/checkins", user=worker, json=checkin_body(site)).get_json()
    api.patch(f"/checkins/{created['id']}", user=worker, json={"site_condition": "screen_off"})
    [item] = open_items(api, district.a.coordinator).get_json()["items"]
    assert item["condition"] == "screen_off" and item["checkin_id"] == created["id"]


def test_assign_then_close_with_a_photo(api, district):
    checkin, _ = damaged_checkin(api, district)
    [item] = open_items(api, district.a.coordinator).get_json()["items"]
    worker = district.a.worker
    # the worker sees nothing until it is theirs
    assert api.get(f"/rectifications/{item['id']}", user=worker).status_code == 404
    assigned = api.post(
        f"/rectifications/{item['id']}/assign",
        user=district.a.coordinator,
        json={"assignee_id": worker.id},
    )
    assert assigned.status_code == 200 and assigned.get_json()["status"] == "assigned"
    assert open_items(api, worker).get_json()["total"] == 1
    # someone else's street, or a leader, cannot be given it
    bad = api.post(
        f"/rectifications/{item['id']}/assign",
        user=district.a.coordinator,
        json={"assignee_id": district.b.worker.id},
    )
    assert bad.status_code == 422 and "assignee_id" in bad.get_json()["errors"]["json"]
    # the coordinator may not close it for the assignee
    fix = api.post(
        "/photos",
        user=worker,
        data={"client_id": str(uuid.uuid4()), "file": (io.BytesIO(tiny_jpeg()), "fix.jpg")},
        content_type="multipart/form-data",
    ).get_json()
    assert (
        api.post(
            f"/rectifications/{item['id']}/close",
            user=district.a.coordinator,
            json={"photo_id": fix["id"]},
        ).status_code
        == 403
    )
    assert api.post(f"/rectifications/{item['id']}/close", user=worker, json={}).status_code == 422
    closed = api.post(
        f"/rectifications/{item['id']}/close",
        user=worker,
        json={"photo_id": fix["id"], "note": "已重新张贴"},
    )
    assert closed.status_code == 200, closed.get_json()
    assert (
        closed.get_json()["status"] == "closed"
        and closed.get_json()["closing_photo_id"] == fix["id"]
    )
    assert api.get(f"/photos/{fix['id']}", user=district.a.coordinator).status_code == 200
    assert api.get(f"/photos/{fix['id']}", user=district.b.coordinator).status_code == 404
    assert open_items(api, district.a.coordinator).get_json()["total"] == 0
    again = api.post(
        f"/rectifications/{item['id']}/close", user=worker, json={"photo_id": fix["id"]}
    )
    assert again.status_code == 409
    # a new sighting after the close opens a new item
    damaged_checkin(api, district)
    assert open_items(api, district.a.coordinator).get_json()["total"] == 1


def test_last_known_condition_and_last_seen(district):
    site, other = district.a.sites
    worker = district.a.worker
    from datetime import timedelta

    from app.models.base import utcnow

    now = utcnow()
    make_checkin(user=worker, site=site, at=now - timedelta(days=3), site_condition="damaged")
    make_checkin(user=worker, site=site, at=now - timedelta(days=2), site_condition="ok")
    make_checkin(user=worker, site=site, at=now - timedelta(days=1))
    make_checkin(user=worker, site=site, at=now, status="rejected", site_condition="missing")
    db.session.flush()
    known = rectifications.last_known([site.id, other.id])
    assert known[site.id]["condition"] == "ok"
    assert known[site.id]["last_seen"] == now - timedelta(days=1)
    assert known[other.id] == {"last_seen": None, "condition": None, "condition_at": None}
