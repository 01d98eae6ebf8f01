"""Rectification (整改) through the pages: the coordinator sees the open item with its photo on the
home page, the dashboard and the rectification page, and assigns it; the assignee closes it with a
photo from the phone page; the site list shows the last known condition and when last seen."""

from __future__ import annotations

import io

from sqlalchemy import select

from app.extensions import db
from app.models import Photo, Rectification
from tests.api.checkin_helpers import body as checkin_body
from tests.factories import make_photo, tiny_jpeg


def damaged(api, district):
    worker = district.a.worker
    photo = make_photo(user=worker)
    db.session.commit()
    created = api.post(
        "/checkins",
        user=worker,
        json=checkin_body(district.a.sites[0], site_condition="covered", photo_ids=[photo.id]),
    )
    assert created.status_code == 201
    return db.session.scalar(select(Rectification)), photo


def test_open_item_reaches_the_coordinator_and_is_closed_with_a_photo(
    api, client, login_as, district
):
    item, photo = damaged(api, district)
    login_as(district.a.coordinator)
    home = client.get("/").get_data(as_text=True)
    assert 'data-open="1"' in home and district.a.sites[0].name in home and "被遮挡" in home
    dashboard = client.get("/dashboard/").get_data(as_text=True)
    assert 'data-figure="open_rectifications">1<' in dashboard
    sites = client.get("/coordinate/sites").get_data(as_text=True)
    assert 'data-condition="covered"' in sites
    listed = client.get("/coordinate/rectifications")
    assert listed.status_code == 200
    assert f"/api/v1/photos/{photo.id}" in listed.get_data(as_text=True)
    assigned = client.post(
        f"/coordinate/rectifications/{item.id}/assign", data={"assignee_id": district.a.worker.id}
    )
    assert assigned.status_code == 302
    db.session.expire_all()
    assert item.status == "assigned" and item.assignee_id == district.a.worker.id
    # another street's coordinator has nothing to assign here
    client.get("/logout")
    login_as(district.b.coordinator)
    assert (
        client.post(
            f"/coordinate/rectifications/{item.id}/assign",
            data={"assignee_id": district.b.worker.id},
        ).status_code
        == 404
    )
    client.get("/logout")

    login_as(district.a.worker)
    assert "my-rectifications" in client.get("/").get_data(as_text=True)
    page = client.get("/rectifications")
    assert page.status_code == 200 and f'data-rectification-id="{item.id}"' in page.get_data(
        as_text=True
    )
    refused = client.post(
        f"/rectifications/{item.id}/close",
        data={"file": (io.BytesIO(b"not an image"), "x.jpg")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    closed = client.post(
        f"/rectifications/{item.id}/close",
        data={"file": (io.BytesIO(tiny_jpeg()), "fixed.jpg"), "note": "已重新张贴"},
        content_type="multipart/form-data",
    )
    assert closed.status_code == 302, closed.get_data(as_text=True)[:300]
    db.session.expire_all()
    assert item.status == "closed" and item.note == "已重新张贴"
    assert db.session.get(Photo, item.closing_photo_id).user_id == district.a.worker.id


def test_closing_without_a_photo_or_with_an_overlong_note_is_refused_naming_the_field(
    api, client, login_as, district
):
    item, _photo = damaged(api, district)
    login_as(district.a.coordinator)
    assert (
        client.post(
            f"/coordinate/rectifications/{item.id}/assign",
            data={"assignee_id": str(district.a.worker.id)},
        ).status_code
        == 302
    )
    nobody = client.post(f"/coordinate/rectifications/{item.id}/assign", data={"assignee_id": ""})
    assert nobody.status_code == 422
    login_as(district.a.worker)
    no_photo = client.post(f"/rectifications/{item.id}/close", data={"note": "好了"})
    assert no_photo.status_code == 422
    long_note = client.post(
        f"/rectifications/{item.id}/close",
        data={"note": "长" * 5000, "file": (io.BytesIO(tiny_jpeg()), "fixed.jpg")},
        content_type="multipart/form-data",
    )
    assert long_note.status_code == 422
    db.session.expire_all()
    assert db.session.get(Rectification, item.id).status == "assigned"
    assert db.session.scalars(select(Photo.id)).all() == [_photo.id]  # no upload kept
