"""POST /photos and GET /photos/ID over HTTP: content checked (not the name), EXIF gone, exactly
once per client_id, a size limit, and the image shown only within the record's scope."""

from __future__ import annotations

import io
import uuid

from PIL import Image

from app.extensions import db
from tests.api.checkin_helpers import body as checkin_body
from tests.factories import make_photo, tiny_jpeg

# An EXIF block with a GPS position and a camera model, as a phone writes it.
GPS_IFD, MODEL = 0x8825, 0x0110


def exif_bytes() -> bytes:
    exif = Image.Exif()
    exif[MODEL] = "PhoneCam 9"
    exif[GPS_IFD] = {1: "N", 2: (29.0, 54.0, 1.5), 3: "E", 4: (121.0, 33.0, 2.0)}
    return exif.tobytes()


def upload(api, user, data: bytes, client_id: str | None = None, name="photo.jpg"):
    return api.post(
        "/photos",
        user=user,
        data={"client_id": client_id or str(uuid.uuid4()), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_upload_strips_exif_and_answers_the_image(api, district):
    worker = district.a.worker
    original = tiny_jpeg(size=(400, 300), exif=exif_bytes())
    assert Image.open(io.BytesIO(original)).getexif().get(MODEL) == "PhoneCam 9"
    response = upload(api, worker, original)
    assert response.status_code == 201, response.get_json()
    photo = response.get_json()
    assert (photo["width"], photo["height"]) == (400, 300)
    image = api.get(f"/photos/{photo['id']}", user=worker)
    assert image.status_code == 200 and image.content_type == "image/jpeg"
    assert image.headers["Cache-Control"].startswith("private")
    stored = Image.open(io.BytesIO(image.data))
    assert stored.format == "JPEG" and len(stored.getexif()) == 0
    assert b"PhoneCam" not in image.data and b"Exif" not in image.data


def test_png_and_webp_are_taken_and_stored_as_jpeg(api, district):
    for fmt in ("PNG", "WEBP"):
        response = upload(api, district.a.worker, tiny_jpeg(fmt=fmt), name="x.jpg")
        assert response.status_code == 201, (fmt, response.get_json())
        image = api.get(f"/photos/{response.get_json()['id']}", user=district.a.worker)
        assert Image.open(io.BytesIO(image.data)).format == "JPEG"


def test_content_not_name_decides(api, district):
    fake = upload(api, district.a.worker, b"<svg onload=alert(1)>" * 10, name="photo.jpg")
    assert fake.status_code == 422 and "file" in fake.get_json()["errors"]["json"]
    gif = io.BytesIO()
    Image.new("RGB", (8, 8)).save(gif, "GIF")
    assert upload(api, district.a.worker, gif.getvalue(), name="a.png").status_code == 422
    truncated = tiny_jpeg(size=(300, 300))[:200]
    assert upload(api, district.a.worker, truncated).status_code == 422


def test_the_same_client_id_answers_the_same_photo(api, district):
    client_id = str(uuid.uuid4())
    first = upload(api, district.a.worker, tiny_jpeg(), client_id)
    again = upload(api, district.a.worker, tiny_jpeg(color=(0, 0, 255)), client_id)
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    other = upload(api, district.b.worker, tiny_jpeg(), client_id)
    assert other.status_code == 409 and "client_id" in other.get_json()["errors"]["json"]


def test_size_limit(app, api, district):
    app.config["PHOTO_MAX_BYTES"] = 2000
    try:
        response = upload(api, district.a.worker, tiny_jpeg(size=(800, 800)) + b"\0" * 5000)
    finally:
        app.config["PHOTO_MAX_BYTES"] = 10 * 1024 * 1024
    assert response.status_code == 413 and "file" in response.get_json()["errors"]["json"]


def test_missing_fields_are_named(api, district):
    response = api.post(
        "/photos", user=district.a.worker, data={}, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert response.get_json()["errors"]


def test_leaders_upload_nothing(api, district):
    assert upload(api, district.a.leader, tiny_jpeg()).status_code == 403


def test_served_only_within_the_records_scope(api, district):
    worker = district.a.worker
    photo_id = upload(api, worker, tiny_jpeg()).get_json()["id"]
    # not yet on a record: its uploader alone
    assert api.get(f"/photos/{photo_id}", user=district.a.coordinator).status_code == 404
    checkin = api.post(
        "/checkins", user=worker, json=checkin_body(district.a.sites[0], photo_ids=[photo_id])
    ).get_json()
    assert checkin["photo_ids"] == [photo_id]
    for user, status in (
        (worker, 200),
        (district.a.coordinator, 200),
        (district.a.leader, 200),
        (district.admin, 200),
        (district.b.coordinator, 404),
        (district.b.leader, 404),
        (district.b.worker, 404),
        (district.a.police, 404),  # a worker sees their own records only
    ):
        assert api.get(f"/photos/{photo_id}", user=user).status_code == status, user.username


def test_conditional_get(api, district):
    photo = make_photo(user=district.a.worker)
    db.session.commit()
    first = api.get(f"/photos/{photo.id}", user=district.a.worker)
    again = api.get(
        f"/photos/{photo.id}",
        user=district.a.worker,
        headers={"If-None-Match": first.headers["ETag"]},
    )
    assert again.status_code == 304
