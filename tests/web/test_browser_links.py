"""One-time browser links: a signed-in person inside WeChat makes one (POST), opens it in the
phone's own browser and is signed in there, on the page they were on; single use, short-lived,
stored hashed, replaced by a newer one, dead for a deactivated person, never in a log line."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.errors import NotFound
from app.extensions import db
from app.logging_setup import scrub
from app.models import AuditEvent, SignInCode
from app.models.base import utcnow
from app.services import sign_in_codes
from tests import factories
from tests.web.test_logging import logged_app  # noqa: F401  (a fixture)


def new_link(browser, next_path: str = "/worker/tasks") -> str:
    """The code of a new link, as the WeChat notice's button makes it."""
    made = browser.post("/browser-link", data={"next": next_path})
    assert made.status_code == 303, made.get_data(as_text=True)[:300]
    match = re.fullmatch(r"/s/([A-Za-z0-9_-]+)", made.headers["Location"])
    assert match, made.headers["Location"]
    return match[1]


def test_a_link_signs_in_another_browser_once_landing_where_it_was_made(district, login_as, app):
    worker = district.a.worker
    code = new_link(login_as(worker), "/worker/tasks?mine=1")
    row = db.session.scalar(select(SignInCode).where(SignInCode.purpose == "link"))
    assert row.code_hash == hashlib.sha256(code.encode()).hexdigest()
    assert row.user_id == worker.id and row.expires_at - utcnow() <= timedelta(minutes=10)
    assert code not in repr(db.session.execute(select(SignInCode.__table__)).all())

    phone = app.test_client()  # the phone's own browser: no session
    page = phone.get(f"/s/{code}")  # a read: a chat app's preview must not use it up
    assert page.status_code == 200 and 'id="continue-form"' in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "private, no-store"
    landed = phone.post(f"/s/{code}")
    assert landed.status_code == 302 and landed.headers["Location"] == "/worker/tasks?mine=1"
    assert phone.get("/api/v1/me").get_json()["id"] == worker.id
    assert phone.get(f"/s/{code}").status_code == 404
    assert app.test_client().post(f"/s/{code}").status_code == 404  # used once
    # Not a slip: a password posted with it changes nothing.
    other = new_link(login_as(worker))
    app.test_client().post(f"/s/{other}", data={"password": "Brand-New-Pass-1", "confirm": "x"})
    login_as(worker)  # the old password still works
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == worker.id)
    ).all()
    assert "user.browser_link" in actions and "user.browser_link_sign_in" in actions


def test_a_newer_link_expiry_and_deactivation_kill_a_link(district, login_as, app):
    worker = district.a.worker
    browser = login_as(worker)
    first, second = new_link(browser), new_link(browser)
    assert app.test_client().post(f"/s/{first}").status_code == 404
    row = db.session.scalar(select(SignInCode).where(SignInCode.revoked_at.is_(None)))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert app.test_client().post(f"/s/{second}").status_code == 404
    third = new_link(browser)
    worker.active = False
    db.session.flush()
    phone = app.test_client()
    assert phone.post(f"/s/{third}").status_code == 404
    assert phone.get("/api/v1/me").status_code == 401


def test_two_tabs_racing_with_one_link_sign_in_once(district, login_as):
    code = new_link(login_as(district.a.worker))
    found = sign_in_codes.live_code(code)  # both requests found it live
    db.session.execute(  # the other one used it first
        update(SignInCode)
        .where(SignInCode.id == found.id)
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(NotFound):
        sign_in_codes.use_code(found)


def test_the_landing_page_is_a_path_on_this_site(district, login_as, app):
    browser = login_as(district.a.worker)
    for target in ("//evil.example/x", "https://evil.example/", "/\t/evil.example", ""):
        code = new_link(browser, target)
        landed = app.test_client().post(f"/s/{code}")
        assert landed.status_code == 302 and landed.headers["Location"] == "/", target


def test_making_links_needs_a_session_and_is_rate_limited(district, login_as, app, client):
    assert client.post("/browser-link").status_code in (302, 401)
    assert db.session.scalar(select(SignInCode)) is None
    browser = login_as(district.a.coordinator)  # anyone signed in, not only workers
    for _ in range(5):
        new_link(browser)
    refused = browser.post("/browser-link", data={"next": "/"})
    assert refused.status_code == 429
    other = login_as(district.a.worker)  # the limit is per person
    new_link(other)


def test_the_notice_offers_the_button_to_signed_in_people_only(district, login_as, client):
    assert 'id="browser-link-form"' not in client.get("/login").get_data(as_text=True)
    page = login_as(district.a.worker).get("/worker/tasks").get_data(as_text=True)
    assert 'id="browser-link-form"' in page and 'value="/worker/tasks?"' in page


def test_no_link_code_reaches_the_log(logged_app):  # noqa: F811
    app, log_file = logged_app
    district = factories.build_district()
    db.session.commit()
    browser = app.test_client()
    browser.post(
        "/login", data={"username": district.a.worker.username, "password": factories.PASSWORD}
    )
    code = new_link(browser)
    phone = app.test_client()
    assert phone.get(f"/s/{code}").status_code == 200
    assert phone.post(f"/s/{code}").status_code == 302
    assert phone.get(f"/s/{code}").status_code == 404
    logging.getLogger("test").warning("a line naming the path /s/%s", code)
    text = log_file.read_text(encoding="utf-8")
    assert "/s/<code>" in text and code not in text
    # A gunicorn or nginx access line goes through the same scrub.
    assert code not in scrub(f'GET /s/{code} 200 "/i/{code}"')
