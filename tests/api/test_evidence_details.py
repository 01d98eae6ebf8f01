"""PATCH /checkins/ID and /visits/ID: the author adds details within a day; nobody else may;
position and time never change; changed counts settle the task; site_condition on POST too."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.models.base import utcnow
from tests.api.checkin_helpers import body as checkin_body
from tests.api.test_hostile_strings import visit_body
from tests.factories import make_household, make_photo, make_task


def _checkin(api, district, **over):
    response = api.post(
        "/checkins", user=district.a.worker, json=checkin_body(district.a.sites[0], **over)
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _visit(api, district):
    household = make_household(area=district.a.grids[0])
    response = api.post("/visits", user=district.a.worker, json=visit_body(household))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_site_condition_and_photos_on_post(api, district):
    photo = make_photo(user=district.a.worker)
    created = _checkin(api, district, site_condition="damaged", photo_ids=[photo.id])
    assert created["site_condition"] == "damaged" and created["photo_ids"] == [photo.id]
    again = api.get(f"/checkins/{created['id']}", user=district.a.worker).get_json()
    assert again["site_condition"] == "damaged" and again["photo_ids"] == [photo.id]
    bad = api.post(
        "/checkins",
        user=district.a.worker,
        json=checkin_body(district.a.sites[0], site_condition="torn"),
    )
    assert bad.status_code == 422 and "site_condition" in bad.get_json()["errors"]["json"]


def test_author_adds_details_and_photos(api, district):
    created = _checkin(api, district)
    first, second = make_photo(user=district.a.worker), make_photo(user=district.a.worker)
    changes = {
        "people_reached": 12,
        "materials_count": 30,
        "note": "补充",
        "site_condition": "covered",
        "photo_ids": [first.id],
    }
    response = api.patch(f"/checkins/{created['id']}", user=district.a.worker, json=changes)
    assert response.status_code == 200, response.get_json()
    amended = response.get_json()
    assert {k: amended[k] for k in changes} == changes
    for key in ("lat", "lng", "captured_at", "status", "distance_m"):
        assert amended[key] == created[key]
    # photos are added, never replaced; repeating one already there is harmless
    more = api.patch(
        f"/checkins/{created['id']}",
        user=district.a.worker,
        json={"photo_ids": [first.id, second.id]},
    )
    assert more.status_code == 200 and more.get_json()["photo_ids"] == [first.id, second.id]
    assert more.get_json()["note"] == "补充"


def test_position_and_time_cannot_be_sent(api, district):
    created = _checkin(api, district)
    response = api.patch(
        f"/checkins/{created['id']}", user=district.a.worker, json={"lat": 1.0, "captured_at": "x"}
    )
    assert response.status_code == 422
    assert {"lat", "captured_at"} <= set(response.get_json()["errors"]["json"])


@pytest.mark.parametrize(
    "who, status",
    [
        ("coordinator", 403),
        ("leader", 403),
        ("admin", 403),
        ("other_worker", 404),
        ("b_coordinator", 404),
    ],
)
def test_only_the_author_amends(api, district, who, status):
    created = _checkin(api, district)
    users = {
        "coordinator": district.a.coordinator,
        "leader": district.a.leader,
        "admin": district.admin,
        "other_worker": district.a.police,
        "b_coordinator": district.b.coordinator,
    }
    response = api.patch(f"/checkins/{created['id']}", user=users[who], json={"note": "not mine"})
    assert response.status_code == status, response.get_json()
    stored = api.get(f"/checkins/{created['id']}", user=district.a.worker).get_json()
    assert stored["note"] is None


def test_authorization_comes_before_validation(api, district):
    created = _checkin(api, district)
    response = api.patch(
        f"/checkins/{created['id']}", user=district.b.coordinator, json={"note": 5}
    )
    assert response.status_code == 404


def test_after_24_hours_details_are_refused(api, district):
    created = _checkin(api, district)
    from app.models import CheckIn

    db.session.get(CheckIn, created["id"]).received_at = utcnow() - timedelta(hours=24, minutes=1)
    db.session.commit()
    response = api.patch(
        f"/checkins/{created['id']}", user=district.a.worker, json={"note": "late"}
    )
    assert response.status_code == 409
    assert "note" in response.get_json()["errors"]["json"]


def test_someone_elses_photo_or_a_linked_one_is_refused(api, district):
    created = _checkin(api, district)
    theirs = make_photo(user=district.a.police)
    response = api.patch(
        f"/checkins/{created['id']}", user=district.a.worker, json={"photo_ids": [theirs.id]}
    )
    assert response.status_code == 422 and "photo_ids" in response.get_json()["errors"]["json"]
    mine = make_photo(user=district.a.worker)
    _checkin(api, district, photo_ids=[mine.id])
    response = api.patch(
        f"/checkins/{created['id']}", user=district.a.worker, json={"photo_ids": [mine.id]}
    )
    assert response.status_code == 422 and "photo_ids" in response.get_json()["errors"]["json"]


def test_changed_counts_settle_the_task(api, district):
    worker, site = district.a.worker, district.a.sites[0]
    task = make_task(area=site.area, kind="rider_drop", assignees=[worker], target_count=10)
    db.session.commit()
    created = _checkin(api, district, task_id=task.id, materials_count=4)
    assert api.get(f"/tasks/{task.id}", user=worker).get_json()["status"] != "done"
    response = api.patch(f"/checkins/{created['id']}", user=worker, json={"materials_count": 12})
    assert response.status_code == 200
    db.session.expire_all()
    answer = api.get(f"/tasks/{task.id}", user=worker).get_json()
    assert answer["progress"]["done"] == 12 and answer["status"] == "done"


def test_visit_details(api, district):
    created = _visit(api, district)
    photo = make_photo(user=district.a.worker)
    changes = {
        "note": "门口贴了宣传单",
        "people_reached": 2,
        "materials_count": 1,
        "photo_ids": [photo.id],
    }
    response = api.patch(f"/visits/{created['id']}", user=district.a.worker, json=changes)
    assert response.status_code == 200, response.get_json()
    assert {k: response.get_json()[k] for k in changes} == changes
    assert response.get_json()["captured_at"] == created["captured_at"]
    assert (
        api.patch(f"/visits/{created['id']}", user=district.a.coordinator, json={}).status_code
        == 403
    )
    assert (
        api.patch(f"/visits/{created['id']}", user=district.b.coordinator, json={}).status_code
        == 404
    )
