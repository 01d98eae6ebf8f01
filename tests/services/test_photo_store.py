"""The photo store's one interface, the same tests on a folder on disk and on an S3-compatible
bucket served over HTTP by moto on 127.0.0.1; then uploads and retention through the S3 store."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

import pytest
from PIL import Image

from app.extensions import db
from app.models import Photo
from app.models.base import utcnow
from app.photo_store import DiskStore, MissingPhoto, S3Store, photo_store
from app.services.retention import months_before, purge_plan
from tests.factories import make_photo, tiny_jpeg


@pytest.fixture(params=["disk", "s3"])
def store(request, tmp_path):
    if request.param == "disk":
        return DiskStore(tmp_path / "photos")
    server = request.getfixturevalue("s3_server")
    settings = server.settings(server.new_bucket())
    return S3Store(
        settings["PHOTO_S3_BUCKET"],
        settings["PHOTO_S3_ENDPOINT_URL"],
        settings["PHOTO_S3_REGION"],
        settings["PHOTO_S3_ACCESS_KEY"],
        settings["PHOTO_S3_SECRET_KEY"],
    )


def key() -> str:
    return f"{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}.jpg"


def test_put_get_delete(store):
    k, data = key(), tiny_jpeg()
    store.put(k, data, "image/jpeg")
    assert store.get(k) == data
    store.put(k, b"replaced", "image/jpeg")
    assert store.get(k) == b"replaced"
    store.delete(k)
    with pytest.raises(MissingPhoto):
        store.get(k)
    store.delete(k)  # gone already: no error


def test_a_missing_key_is_missing(store):
    with pytest.raises(MissingPhoto):
        store.get(key())


def test_keys_of_our_making_only(store):
    for bad in ("../etc/passwd", "ab/../../x.jpg", "/abs.jpg", "ab/x", "AB/" + "a" * 32 + ".jpg"):
        with pytest.raises(ValueError):
            store.put(bad, b"x", "image/jpeg")
        with pytest.raises(ValueError):
            store.get(bad)


def test_large_objects_round_trip(store):
    k, data = key(), bytes(range(256)) * 8192  # 2 MB
    store.put(k, data, "image/jpeg")
    assert store.get(k) == data


@pytest.fixture
def s3_app(make_app, s3_server, committing):
    """The app as a district with several servers runs it: photos in an S3 bucket."""
    other = make_app(**s3_server.settings(s3_server.new_bucket()))
    with other.app_context():
        yield other


def test_uploads_and_retention_through_the_s3_store(s3_app):
    from tests.factories import build_district, make_api_token

    district = build_district()
    token = make_api_token(user=district.a.worker)
    db.session.commit()
    client = s3_app.test_client()
    answer = client.post(
        "/api/v1/photos",
        headers={"Authorization": f"Bearer {token}"},
        data={"client_id": str(uuid.uuid4()), "file": (io.BytesIO(tiny_jpeg()), "p.jpg")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 201, answer.get_json()
    photo = db.session.get(Photo, answer.get_json()["id"])
    store = photo_store()
    assert isinstance(store, S3Store)
    assert Image.open(io.BytesIO(store.get(photo.key))).format == "JPEG"
    image = client.get(f"/api/v1/photos/{photo.id}", headers={"Authorization": f"Bearer {token}"})
    assert image.status_code == 200 and image.data == store.get(photo.key)
    # retention deletes the old one, file and row, and keeps the new one
    old = make_photo(user=district.a.worker, at=utcnow() - timedelta(days=400))
    db.session.commit()
    old_key, old_id = old.key, old.id
    result = s3_app.test_cli_runner().invoke(args=["purge-expired"])
    assert result.exit_code == 0 and "photos deleted: 1" in result.output, result.output
    db.session.expire_all()
    assert db.session.get(Photo, old_id) is None and db.session.get(Photo, photo.id) is not None
    with pytest.raises(MissingPhoto):
        store.get(old_key)
    again = s3_app.test_cli_runner().invoke(args=["purge-expired"])
    assert "photos deleted: 0" in again.output


def test_retention_on_disk(app):
    from tests.factories import build_district

    district = build_district()
    old = make_photo(user=district.a.worker, at=utcnow() - timedelta(days=370))
    kept = make_photo(user=district.a.worker, at=utcnow() - timedelta(days=300))
    plan = {what: (step, before) for what, step, before in purge_plan(1, 1, photo_months=12)}
    step, before = plan["photos deleted"]
    assert step(before, 100) == [old.id]
    with pytest.raises(MissingPhoto):
        photo_store().get(old.key)
    assert photo_store().get(kept.key)


@pytest.mark.parametrize(
    "moment, months, expected",
    [
        ("2026-03-31T10:00:00+00:00", 1, "2026-02-28T10:00:00+00:00"),
        ("2026-12-01T00:00:00+00:00", 12, "2025-12-01T00:00:00+00:00"),
        ("2026-01-15T00:00:00+00:00", 1, "2025-12-15T00:00:00+00:00"),
        ("2024-05-31T00:00:00+00:00", 3, "2024-02-29T00:00:00+00:00"),
    ],
)
def test_months_before(moment, months, expected):
    from datetime import datetime

    assert months_before(datetime.fromisoformat(moment), months) == datetime.fromisoformat(expected)


def _row_for(key_: str, user) -> Photo:
    photo = Photo(
        client_id=str(uuid.uuid4()),
        user_id=user.id,
        key=key_,
        content_type="image/jpeg",
        size=1,
        width=1,
        height=1,
    )
    db.session.add(photo)
    db.session.flush()
    return photo


def test_files_with_no_row_are_deleted_and_those_with_one_kept(store, app):
    from app.services.photos import delete_orphan_files
    from tests.factories import make_user

    kept, orphan = key(), key()
    for k in (kept, orphan):
        store.put(k, tiny_jpeg(), "image/jpeg")
    _row_for(kept, make_user())
    # a file written after the cutoff may still be getting its row: left alone
    assert delete_orphan_files(utcnow() - timedelta(hours=1), store=store) == 0
    assert store.get(orphan)
    soon = utcnow() + timedelta(seconds=5)
    assert list(store.keys_before(soon)) and set(store.keys_before(soon)) == {kept, orphan}
    assert delete_orphan_files(soon, batch=1, store=store) == 1
    with pytest.raises(MissingPhoto):
        store.get(orphan)
    assert store.get(kept)
    assert delete_orphan_files(soon, store=store) == 0


def test_purge_expired_deletes_orphan_files_older_than_an_hour(app):
    import os

    from tests.factories import build_district

    district = build_district()
    photo = make_photo(user=district.a.worker)
    store = photo_store()
    old_orphan, new_orphan = key(), key()
    for k in (old_orphan, new_orphan):
        store.put(k, tiny_jpeg(), "image/jpeg")
    two_hours_ago = (utcnow() - timedelta(hours=2)).timestamp()
    for k in (old_orphan, photo.key):
        os.utime(store.root / k, (two_hours_ago, two_hours_ago))
    # a process killed mid-write leaves a temporary behind: removed once it is that old
    temp = store.root / old_orphan.split("/")[0] / ".upload-stale"
    temp.write_bytes(b"half")
    os.utime(temp, (two_hours_ago, two_hours_ago))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge-expired"])
    assert result.exit_code == 0 and "orphan photo files deleted: 1" in result.output, result.output
    with pytest.raises(MissingPhoto):
        store.get(old_orphan)
    assert store.get(new_orphan) and store.get(photo.key) and not temp.exists()
