"""Inside WeChat a signed-in worker taps 在浏览器中打开 and gets a one-time link; WeChat's page
says how to open it in the phone's own browser (and copies it) without using it up; opened
there, it signs the worker in on the page they were on, once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import SignInCode
from tests.factories import PASSWORD, build_district

phone = pytest.importorskip(
    "tests.browser.phone", reason="needs the shared browser fixtures of tests/browser"
)
pytestmark = phone.BROWSER
WECHAT_UA = (
    "Mozilla/5.0 (Linux; Android 13; V2148A) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/111.0.5563.116 Mobile Safari/537.36 XWEB/5235 MMWEBSDK/20230701 "
    "MMWEBID/1234 MicroMessenger/8.0.40.2420(0x28002837) WeChat/arm64 Weixin NetType/WIFI"
)


def _link_row() -> SignInCode:
    db.session.rollback()  # what the server committed
    return db.session.scalar(select(SignInCode).where(SignInCode.purpose == "link"))


def test_one_tap_out_of_wechat_signs_in_the_phones_browser(chromium, live_server):
    district = build_district()
    worker = district.a.worker
    db.session.commit()
    options = dict(phone.PHONE, base_url=live_server.url)
    problems = []

    wechat = chromium.new_context(
        **options, user_agent=WECHAT_UA, permissions=["clipboard-read", "clipboard-write"]
    )
    page = wechat.new_page()
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto("/login?next=/worker/tasks")
    page.fill("input[name=username]", worker.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/worker/tasks")
    button = page.wait_for_selector("#browser-link-form button", state="visible")
    assert button.inner_text() == "在浏览器中打开"
    button.tap()
    page.wait_for_selector("#continue-wechat", state="visible")
    assert "在浏览器打开" in page.inner_text("#continue-wechat")
    assert not page.is_visible("#continue-form")  # not used up inside WeChat
    assert not page.is_visible("#browser-link-form")  # no second link from this page
    link = page.input_value("#continue-link")
    assert link == page.url and "/s/" in link
    page.tap("#copy-link")
    page.wait_for_selector("#copied", state="visible")
    assert page.evaluate("navigator.clipboard.readText()") == link
    row = _link_row()
    assert row.used_at is None and row.user_id == worker.id

    browser = chromium.new_context(**options)  # the phone's own browser: no session
    other = browser.new_page()
    other.on("pageerror", lambda error: problems.append(str(error)))
    other.goto(link)
    other.wait_for_url("**/worker/tasks")
    assert other.evaluate("fetch('/api/v1/me').then(r => r.json())")["id"] == worker.id
    assert _link_row().used_at is not None

    third = chromium.new_context(**options).new_page()
    answer = third.goto(link)
    assert answer.status == 404 and "/login" not in third.url
    assert third.evaluate("fetch('/api/v1/me').then(r => r.status)") == 401
    assert problems == []
    for context in (wechat, browser, third.context):
        context.close()
