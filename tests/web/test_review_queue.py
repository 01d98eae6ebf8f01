"""The review queue shows what happened: the photo, a map with the fix, its accuracy and the site,
the worker's earlier check-ins that day; several are approved or rejected at once with one reason,
all or none."""

from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.models import CheckIn
from app.models.base import utcnow
from app.services.localtime import start_of_day, today
from tests.api.checkin_helpers import body
from tests.factories import make_checkin, make_photo


def flagged(api, user, site, **kw):
    response = api.post("/checkins", user=user, json=body(site, 10, accuracy_m=None, **kw))
    assert response.status_code == 201 and response.get_json()["status"] == "flagged"
    return response.get_json()


def test_the_queue_shows_photo_map_and_the_days_earlier_check_ins(client, api, login_as, district):
    worker, site = district.a.worker, district.a.sites[0]
    # Earlier the same local day, even just after midnight in Asia/Shanghai.
    since_midnight = utcnow() - start_of_day(today())
    earlier_at = utcnow() - min(timedelta(minutes=30), since_midnight / 2)
    make_checkin(user=worker, site=district.a.sites[1], at=earlier_at)
    photo = make_photo(user=worker)
    db.session.commit()
    item = flagged(api, worker, site, photo_ids=[photo.id], site_condition="damaged")
    login_as(district.a.coordinator)
    html = client.get("/coordinate/checkins/review").get_data(as_text=True)
    assert f"/api/v1/photos/{photo.id}" in html
    assert 'class="review-map"' in html and 'data-radius="100"' in html
    assert "破损" in html
    card = html.split(f'data-checkin-id="{item["id"]}"')[1]
    earlier = card.split('data-earlier="1"')[1].split("</p>")[0]
    assert district.a.sites[1].name in earlier


def test_bulk_review_with_one_reason(client, api, login_as, district):
    one = flagged(api, district.a.worker, district.a.sites[0])
    two = flagged(api, district.a.police, district.a.sites[1])
    login_as(district.a.coordinator)
    response = client.post(
        "/coordinate/checkins/review-bulk",
        data={"decision": "reject", "reason": "定位不可信", "checkin_ids": [one["id"], two["id"]]},
    )
    assert response.status_code == 302
    db.session.expire_all()
    rows = [db.session.get(CheckIn, i) for i in (one["id"], two["id"])]
    assert [r.status for r in rows] == ["rejected", "rejected"]
    assert {r.review_note for r in rows} == {"定位不可信"}


def test_bulk_review_is_all_or_nothing(client, api, login_as, district):
    theirs = flagged(api, district.a.worker, district.a.sites[0])
    own = flagged(api, district.a.coordinator, district.a.sites[1])
    other = flagged(api, district.b.worker, district.b.sites[0])
    login_as(district.a.coordinator)
    response = client.post(
        "/coordinate/checkins/review-bulk",
        data={"decision": "approve", "reason": "", "checkin_ids": [theirs["id"], own["id"]]},
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(CheckIn, theirs["id"]).status == "flagged"
    outside = client.post(
        "/coordinate/checkins/review-bulk",
        data={"decision": "approve", "checkin_ids": [theirs["id"], other["id"]]},
    )
    assert outside.status_code == 404
    db.session.expire_all()
    assert db.session.get(CheckIn, theirs["id"]).status == "flagged"
