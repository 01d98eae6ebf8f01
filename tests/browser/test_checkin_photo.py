"""Photos and the site's condition on the check-in page, in a real Chromium playing a phone: a
photo chosen through the file chooser without signal is shrunk on the phone, kept in the outbox
with the check-in, and arrives once with it when the signal is back; the stored file has no EXIF.
Details chosen after 签到 are added to the check-in through the same outbox."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from app import qr
from app.extensions import db
from app.models import Photo
from app.photo_store import photo_store
from tests.browser.phone import BROWSER, checkin_count, checkins, log_in, result, waiting
from tests.factories import tiny_jpeg

pytestmark = BROWSER

NEAR = (29.9002, 121.5501)
MODEL = 0x0110


def phone_photo() -> bytes:
    """A 3000 × 2000 JPEG carrying EXIF (camera model, GPS), as a phone's camera writes it."""
    exif = Image.Exif()
    exif[MODEL] = "PhoneCam 9"
    exif[0x8825] = {1: "N", 2: (29.0, 54.0, 1.5), 3: "E", 4: (121.0, 33.0, 2.0)}
    return tiny_jpeg(size=(3000, 2000), color=(40, 120, 200), exif=exif.tobytes())


@pytest.fixture
def page(phone_factory, live_server, district):
    phone = phone_factory(position=NEAR)
    page = phone.new_page()
    page.goto(f"/c/{qr.site_token(district.a.sites[0])}")
    log_in(page, district.a.worker)
    return page


def choose_photo(page, data: bytes) -> None:
    with page.expect_file_chooser() as chooser:
        page.tap("label[for=photo-input]")
    chooser.value.set_files(
        files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": data}]
    )


def photos_of(checkin_id: int) -> list[Photo]:
    db.session.rollback()
    return list(db.session.scalars(select(Photo).where(Photo.checkin_id == checkin_id)))


def test_offline_check_in_with_a_photo_arrives_once_with_it(page, district, live_server):
    page.context.set_offline(True)
    page.tap('#condition [data-condition="damaged"]')
    choose_photo(page, phone_photo())
    page.wait_for_selector('#photo-status[data-state="waiting"]')
    page.tap("#checkin-btn")
    result(page, "queued")
    waiting(page, 3)  # the check-in, its photo, and the PATCH that joins them
    assert checkin_count() == 0
    kept = page.evaluate("Outbox.items()")
    photo_item = next(item for item in kept if item.get("form"))
    assert photo_item["body"]["file"].startswith("data:image/jpeg;base64,")

    page.context.set_offline(False)  # sent by itself on `online`
    result(page, "sent")
    page.wait_for_selector('#photo-status[data-state="sent"]')
    waiting(page, 0)
    [row] = checkins(district.a.worker)
    assert row.site_condition == "damaged"
    [photo] = photos_of(row.id)
    assert photo.client_id == photo_item["id"]
    stored = photo_store().get(photo.key)
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and max(image.size) == 1600  # shrunk on the phone
    assert len(image.getexif()) == 0 and b"PhoneCam" not in stored
    # each sent exactly once
    assert [s for m, p, s, _ in live_server.log if p == "/api/v1/checkins"] == [201]
    assert [s for m, p, s, _ in live_server.log if p == "/api/v1/photos"] == [201]
    assert [m for m, p, s, _ in live_server.log if p == f"/api/v1/checkins/{row.id}"] == ["PATCH"]


def test_a_failing_photo_never_holds_back_the_check_in(page, district):
    page.route("**/api/v1/photos", lambda route: route.fulfill(status=503, body="{}"))
    choose_photo(page, phone_photo())
    page.wait_for_selector('#photo-status[data-state="waiting"]')
    page.tap("#checkin-btn")
    result(page, "accepted")
    assert len(checkins(district.a.worker)) == 1
    waiting(page, 2)  # the photo and its PATCH wait; the check-in is in
    page.unroute("**/api/v1/photos")
    page.tap("#sync-btn")
    page.wait_for_selector('#photo-status[data-state="sent"]')
    [row] = checkins(district.a.worker)
    assert len(photos_of(row.id)) == 1


def test_details_after_the_check_in_go_to_it(page, district):
    page.tap("#checkin-btn")
    result(page, "accepted")
    page.tap('#condition [data-condition="covered"]')
    page.wait_for_selector('#photo-status[data-state="sent"]')
    page.evaluate("document.getElementById('photo-status').removeAttribute('data-state')")
    choose_photo(page, tiny_jpeg(size=(800, 600)))
    page.wait_for_selector('#photo-status[data-state="sent"]')
    page.evaluate("document.getElementById('photo-status').removeAttribute('data-state')")
    page.click("#extra summary")
    page.fill("#people_reached", "7")
    page.tap("#details-btn")
    page.wait_for_selector('#photo-status[data-state="sent"]')
    [row] = checkins(district.a.worker)
    assert row.site_condition == "covered" and row.people_reached == 7
    assert len(photos_of(row.id)) == 1


def test_the_review_queue_draws_the_photo_and_the_map(chromium, live_server, district):
    """A flagged check-in with a photo: the coordinator's queue shows the image and draws the map."""
    from app.schemas.checkin import CheckInCreateSchema
    from app.services import checkins as checkin_service
    from tests.api.checkin_helpers import body
    from tests.factories import PASSWORD, make_photo

    photo = make_photo(user=district.a.worker)
    db.session.commit()
    data = {**body(district.a.sites[0], 10, accuracy_m=None), "photo_ids": [photo.id]}
    checkin_service.record_checkin(district.a.worker, CheckInCreateSchema().load(data))
    db.session.commit()
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    errors = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/login")
    page.fill("input[name=username]", district.a.coordinator.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto("/coordinate/checkins/review")
    page.wait_for_selector('.review-map[data-drawn="1"]')
    loaded = page.evaluate(
        "() => Array.from(document.querySelectorAll('img.evidence-photo')).map(i => i.naturalWidth)"
    )
    assert loaded and all(width > 0 for width in loaded)
    assert page.locator(".review-map canvas").count() >= 1  # the circles, drawn on a canvas
    assert errors == []
    context.close()
