"""An invite's QR code, scanned and opened in a phone's browser, leads to a pending account that
the coordinator approves; the person then logs in on the phone with their phone number."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import User
from tests.factories import PASSWORD, build_district
from tests.qr_decode import decode

phone = pytest.importorskip(
    "tests.browser.phone", reason="needs the shared browser fixtures of tests/browser"
)
pytestmark = phone.BROWSER
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "timezone_id": "Asia/Shanghai"}
CHOSEN = "Quiet-Harbour-58"


def test_scan_join_wait_approve_log_in(app, chromium, live_server, phone_factory, tmp_path):
    district = build_district()
    db.session.commit()
    desk = chromium.new_context(base_url=live_server.url, **DESKTOP).new_page()
    desk.goto("/login")
    desk.fill("input[name=username]", district.a.coordinator.username)
    desk.fill("input[name=password]", PASSWORD)
    desk.click("button[type=submit]")
    desk.goto("/coordinate/invites")
    desk.select_option("select[name=area_id]", str(district.a.street.id))
    desk.select_option("select[name=force]", "rider")
    desk.click("form[novalidate] button[type=submit]")
    desk.wait_for_selector(".invite-code svg")
    shot = tmp_path / "invite.png"
    desk.locator(".invite-code").screenshot(path=str(shot))
    [scanned] = decode(shot)  # what a phone camera reads off the printed code
    assert scanned == desk.inner_text("#invite-link")

    problems = []
    page = phone_factory(allow_location=False).new_page()
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(urlsplit(scanned).path)
    assert "骑手" in page.inner_text("h1")
    page.fill("input[name=display_name]", "骑手小王")
    page.fill("input[name=phone]", "136 0000 0009")
    page.fill("input[name=password]", CHOSEN)
    page.click("button[type=submit]")
    page.wait_for_selector("#join-pending")
    db.session.rollback()
    person = db.session.scalar(select(User).where(User.phone == "13600000009"))
    assert person is not None and person.pending and not person.active

    desk.goto("/coordinate/invites")
    assert "骑手小王" in desk.inner_text("#pending")
    desk.click("#approve-all")
    desk.wait_for_selector(".flash, .ok, #pending")
    db.session.rollback()
    person = db.session.get(User, person.id)
    assert not person.pending and person.active

    page.goto("/login")
    page.fill("input[name=username]", "13600000009")
    page.fill("input[name=password]", CHOSEN)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url
    assert problems == []
