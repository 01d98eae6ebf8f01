"""Photos on activity reports (a lecture, a stall): linked to the report, shown to those who may
read its task, never to another street; a photo on a report cannot be put on another record."""

from __future__ import annotations

from app.extensions import db
from app.models import Photo
from tests.api.checkin_helpers import body as checkin_body
from tests.factories import make_photo, make_task


def test_a_report_carries_its_photos_to_those_who_may_read_the_task(api, district):
    a = district.a
    task = make_task(area=a.grids[0], kind="lecture", target_count=2, assignees=[a.worker])
    photo, other = make_photo(user=a.worker), make_photo(user=a.police)
    db.session.commit()
    refused = api.post(
        f"/tasks/{task.id}/report", user=a.worker, json={"count": 1, "photo_ids": [other.id]}
    )
    assert refused.status_code == 422 and "photo_ids" in refused.get_json()["errors"]["json"]
    response = api.post(
        f"/tasks/{task.id}/report", user=a.worker, json={"count": 1, "photo_ids": [photo.id]}
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["progress"]["done"] == 1
    db.session.expire_all()
    assert db.session.get(Photo, photo.id).task_report_id is not None
    assert api.get(f"/photos/{photo.id}", user=a.coordinator).status_code == 200
    assert api.get(f"/photos/{photo.id}", user=district.b.coordinator).status_code == 404
    # on a report, so on no other record
    again = api.post(
        "/checkins", user=a.worker, json=checkin_body(a.sites[0], photo_ids=[photo.id])
    )
    assert again.status_code == 422 and "photo_ids" in again.get_json()["errors"]["json"]
