"""The check-in page in a real Chromium playing a phone: log in from a scanned link, check in with
a faked GPS fix, keep a check-in through a lost connection, and say why when location is blocked."""

from __future__ import annotations

import pytest

from app import qr
from tests.browser.phone import BROWSER, checkin_count, checkins, log_in, result, waiting

pytestmark = BROWSER

NEAR = (29.9002, 121.5501)  # about 25 m from district.a.sites[0] (29.90, 121.55; radius 100 m)


@pytest.fixture
def world(live_server, district):
    site = district.a.sites[0]
    return {
        "site": site,
        "worker": district.a.worker,
        "path": f"/c/{qr.site_token(site)}",
        "district": district,
    }


def assert_metres(value, text):
    """The page says `value` metres in its language (English "m", Chinese "米")."""
    assert f"{value} m" in text or f"{value} 米" in text, text


def open_site(phone, world):
    page = phone.new_page()
    page.goto(world["path"])
    page.wait_for_selector("#staff-login")  # signed out: the public page
    log_in(page, world["worker"])
    assert page.url.endswith(world["path"])
    return page


def test_scan_log_in_and_check_in(phone_factory, world):
    page = open_site(phone_factory(position=NEAR), world)
    assert world["site"].name in page.inner_text("#site-name")

    page.tap("#checkin-btn")
    box = result(page, "accepted")

    [row] = checkins(world["worker"])
    assert row.status == "accepted" and row.site_id == world["site"].id
    assert box.get_attribute("data-distance") == str(round(row.distance_m))
    assert_metres(round(row.distance_m), box.inner_text())
    assert 15 < row.distance_m < 40 and row.accuracy_m == 8
    assert row.captured_at.utcoffset().total_seconds() == 0  # stored in UTC


def test_optional_details_travel_with_the_check_in(phone_factory, world):
    page = open_site(phone_factory(position=NEAR), world)
    page.click("#extra summary")
    page.fill("#people_reached", "12")
    page.fill("#materials_count", "30")
    page.fill("#note", "东门展板完好")
    page.tap("#checkin-btn")
    result(page, "accepted")
    [row] = checkins(world["worker"])
    assert (row.people_reached, row.materials_count, row.note) == (12, 30, "东门展板完好")
    assert page.input_value("#note") == ""


def test_too_far_is_rejected_with_the_distance(phone_factory, world):
    page = open_site(phone_factory(position=(29.9050, 121.5500)), world)  # about 550 m north
    page.tap("#checkin-btn")
    box = result(page, "rejected")
    [row] = checkins(world["worker"])
    assert row.status == "rejected" and row.reason == "out_of_range"
    assert_metres(round(row.distance_m), box.inner_text())
    assert_metres(100, box.inner_text())  # the site's radius


def test_no_signal_keeps_the_check_in_and_sends_it_once_back_online(phone_factory, world):
    phone = phone_factory(position=NEAR)
    page = open_site(phone, world)
    page.tap("#checkin-btn")
    result(page, "accepted")
    assert checkin_count() == 1

    phone.set_offline(True)
    phone.set_geolocation({"latitude": 29.90015, "longitude": 121.55018, "accuracy": 9})
    page.tap("#checkin-btn")
    result(page, "queued")
    waiting(page, 1)
    assert checkin_count() == 1
    stored = page.evaluate("Outbox.items()")
    assert len(stored) == 1 and stored[0]["body"]["client_id"] and stored[0]["body"]["captured_at"]

    phone.set_offline(False)  # the page sends it by itself on `online`
    box = result(page, "sent")
    waiting(page, 0)
    rows = checkins(world["worker"])
    assert len(rows) == 2
    assert rows[1].client_id == stored[0]["body"]["client_id"]
    assert box.get_attribute("data-distance") == str(round(rows[1].distance_m))
    assert page.evaluate("Outbox.items()") == []


def test_a_lost_answer_is_resent_with_the_same_client_id_and_never_duplicates(phone_factory, world):
    phone = phone_factory(position=NEAR)
    page = open_site(phone, world)

    def deliver_then_drop(route):
        route.fetch()  # the server records it ...
        route.abort()  # ... but the answer never reaches the phone

    page.route("**/api/v1/checkins", deliver_then_drop)
    page.tap("#checkin-btn")
    result(page, "queued")
    assert checkin_count() == 1
    [kept] = page.evaluate("Outbox.items()")

    page.unroute("**/api/v1/checkins")
    page.tap("#sync-btn")  # the manual 同步
    box = result(page, "sent")
    [row] = checkins(world["worker"])
    assert row.client_id == kept["body"]["client_id"]
    assert box.get_attribute("data-status") == row.status
    waiting(page, 0)


def test_kept_check_ins_survive_a_closed_page_and_go_out_on_the_next_load(phone_factory, world):
    phone = phone_factory(position=NEAR)
    page = open_site(phone, world)
    phone.set_offline(True)
    page.tap("#checkin-btn")
    result(page, "queued")
    page.goto("about:blank")  # the page is gone before the signal comes back
    phone.set_offline(False)
    assert checkin_count() == 0

    page.goto(world["path"])
    result(page, "sent")
    assert len(checkins(world["worker"])) == 1


def test_blocked_location_says_how_to_allow_it(phone_factory, world):
    page = open_site(phone_factory(position=NEAR, allow_location=False), world)
    page.tap("#checkin-btn")
    box = page.wait_for_selector('#checkin-result[data-problem="denied"]')
    assert box.get_attribute("data-state") == "error"
    assert len(box.inner_text()) > 40  # the what and the how
    assert checkin_count() == 0
    assert page.is_enabled("#checkin-btn")


def test_an_old_code_shows_a_friendly_page(phone_factory, world):
    page = open_site(phone_factory(position=NEAR), world)
    site = world["site"]
    from app.extensions import db

    site.qr_version += 1
    db.session.commit()
    response = page.goto(world["path"])
    assert response.status == 404
    assert page.is_visible("#code-problem")
    assert not page.is_visible("#checkin-btn")
