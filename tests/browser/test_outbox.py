"""The outbox's judgement of answers, on the check-in page: what is kept, what is dropped, and a
stale CSRF token that is renewed rather than losing the check-in."""

from __future__ import annotations

import json

import pytest

from app import qr
from app.extensions import db
from tests.browser.phone import BROWSER, checkin_count, checkins, log_in, result, waiting

pytestmark = BROWSER

NEAR = (29.9002, 121.5501)
API = "**/api/v1/checkins"


@pytest.fixture
def page(phone_factory, live_server, district):
    page = phone_factory(position=NEAR).new_page()
    page.goto(f"/c/{qr.site_token(district.a.sites[0])}")
    log_in(page, district.a.worker)
    return page


def answer(status: int, body, content_type="application/json"):
    def handler(route):
        text = body if isinstance(body, str) else json.dumps(body)
        route.fulfill(status=status, body=text, content_type=content_type)

    return handler


def test_a_stale_csrf_token_is_renewed_and_the_check_in_goes_through(page, district, live_server):
    page.evaluate(
        "document.querySelector('meta[name=csrf-token]').setAttribute('content', 'stale')"
    )
    page.tap("#checkin-btn")
    result(page, "accepted")
    assert len(checkins(district.a.worker)) == 1
    assert live_server.count("GET", "/csrf-token") == 1
    assert [
        status for method, path, status, _ in live_server.log if path == "/api/v1/checkins"
    ] == [400, 201]


@pytest.mark.parametrize("status", [500, 503, 429, 408])
def test_server_trouble_keeps_the_check_in_for_later(page, district, status):
    page.route(API, answer(status, {"code": status, "message": "busy"}))
    page.tap("#checkin-btn")
    result(page, "queued")
    waiting(page, 1)
    page.unroute(API)
    page.tap("#sync-btn")
    result(page, "sent")
    waiting(page, 0)
    assert len(checkins(district.a.worker)) == 1


def test_a_page_that_is_not_the_api_answer_is_not_taken_for_sent(page):
    page.route(API, answer(200, "<html>Wi-Fi login</html>", "text/html"))  # a captive portal
    page.tap("#checkin-btn")
    result(page, "queued")
    waiting(page, 1)


def test_logged_out_keeps_the_check_in_and_offers_the_login(page):
    page.route(API, answer(401, {"code": 401, "message": "a valid token or session is required"}))
    page.tap("#checkin-btn")
    box = result(page, "queued")
    waiting(page, 1)
    assert "/login?next=" in box.inner_html()


def test_a_definitive_refusal_drops_the_item_and_says_why(page):
    refusal = {
        "code": 422,
        "message": "Unprocessable Entity",
        "errors": {"json": {"lat": ["Not a valid number."]}},
    }
    page.route(API, answer(422, refusal))
    page.tap("#checkin-btn")
    box = result(page, "refused")
    waiting(page, 0)
    assert (
        "Not a valid number." in box.inner_text() and "lat:" not in box.inner_text()
    )  # no field codes
    assert page.evaluate("Outbox.items()") == []
    assert checkin_count() == 0


def test_a_refusal_reads_in_the_pages_language_whatever_the_browsers(page, district):
    """The phone's browser asks for English (Chromium's en-US); the page is Chinese, and so is the refusal."""
    site = district.a.sites[0]
    site.active = False
    db.session.commit()
    with page.expect_request(API) as sent:
        page.tap("#checkin-btn")
    assert sent.value.headers["accept-language"] == "zh-CN"
    text = result(page, "refused").inner_text()
    assert "该点位已停用。" in text and "no longer" not in text
